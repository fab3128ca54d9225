"""The simulated candidates of the capacity benchmark: an asyncio HTTP client that goes
through the invitation, start, state and save requests, and a CPU meter for the processes."""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.durability.servers import SittingCluster, WebServer

CSRF = re.compile(rb'name="csrf-token" content="([^"]+)"')


class HTTPError(Exception):
    """The server answered with an unexpected status."""


class _Exchange(asyncio.Protocol):
    """One request written on connect; the answer is everything read until the server closes
    (a transport protocol costs the client less CPU than asyncio's streams)."""

    def __init__(self, request: bytes, done: asyncio.Future[bytes]) -> None:
        self.request = request
        self.done = done
        self.chunks: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.write(self.request)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            if exc is not None:
                self.done.set_exception(exc)
            else:
                self.done.set_result(b"".join(self.chunks))


async def fetch(
    port: int, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 request on its own connection (as a browser does after a 10 s pause)."""
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Connection: close",
        f"Content-Length: {len(body)}",
    ]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    loop = asyncio.get_running_loop()
    done: asyncio.Future[bytes] = loop.create_future()
    request = "\r\n".join(lines).encode() + b"\r\n\r\n" + body
    transport, _ = await loop.create_connection(lambda: _Exchange(request, done), "127.0.0.1", port)
    try:
        data = await done
    finally:
        transport.close()
    if not data:
        raise ConnectionResetError("closed without an answer")
    head, _, payload = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    received = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        received[name.strip().lower()] = value.strip()
    if received.get("transfer-encoding") == "chunked":
        payload = _unchunk(payload)
    return int(status_line.split()[1]), received, payload


def _unchunk(payload: bytes) -> bytes:
    out, rest = bytearray(), payload
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        rest = rest[size + 2 :]
    return bytes(out)


@dataclass
class Candidate:
    """One simulated candidate: its session, its attempt and its per-part counters."""

    number: int
    token: str
    rng: random.Random
    cookie: str = ""
    csrf: str = ""
    attempt: int = 0
    parts: list[str] = field(default_factory=list)
    inputs: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # type, choice keys
    seqs: dict[str, int] = field(default_factory=dict)
    unechoed: int = 0  # saves of a typed answer answered without its validation echo

    async def request(
        self,
        port: int,
        method: str,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        sent = dict(headers or {})
        if self.cookie:
            sent["Cookie"] = self.cookie
        status, received, data = await fetch(port, method, path, body, sent)
        if received.get("set-cookie", "").startswith("session="):
            self.cookie = received["set-cookie"].split(";", 1)[0]
        return status, received, data

    async def start(self, port: int) -> None:
        """Open the invitation, press start, read the attempt's parts."""
        status, _, page = await self.request(port, "GET", f"/i/{self.token}")
        match = CSRF.search(page)
        if status != 200 or not match:
            raise HTTPError(f"invitation page: {status}")
        self.csrf = match.group(1).decode()
        form = f"csrf_token={self.csrf}".encode()
        status, headers, _ = await self.request(
            port,
            "POST",
            f"/i/{self.token}/start",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 302:
            raise HTTPError(f"start: {status}")
        self.attempt = int(headers["location"].rstrip("/").rsplit("/", 1)[-1])
        status, _, state = await self.request(port, "GET", f"/api/attempts/{self.attempt}")
        if status != 200:
            raise HTTPError(f"attempt state: {status}")
        questions = json.loads(state)["questions"]
        self.parts = [part["key"] for q in questions for part in q["parts"]]
        self.inputs = {
            part["key"]: (part["input"], [c["key"] for c in part["choices"]])
            for q in questions
            for part in q["parts"]
        }
        self.seqs = dict.fromkeys(self.parts, 0)

    def type_next(self) -> tuple[str, str]:
        """The candidate types into a random part: (part, the new value), an answer of the
        part's kind, and one burst in five left half-typed (not accepted)."""
        part = self.rng.choice(self.parts)
        self.seqs[part] += 1
        n, m = self.seqs[part], self.number
        kind, choices = self.inputs.get(part, ("algebraic", []))
        value = {
            "numeric": f"{n}/{m + 2}",
            "matrix": f"[[{n},0],[0,{m}]]",
            "set": f"{{{n}, {m}}}",
            "equation": f"y = {n}*x + {m}",
            "interval": f"[{n}, {n + m + 1}]",
        }.get(kind, f"{n}*x^2+{m}")
        if choices:
            return part, self.rng.choice(choices)
        return part, value + ("+" if self.rng.random() < 0.2 else "")

    def _headers(self) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "X-CSRFToken": self.csrf,
            "X-Client-Id": f"page-{self.number}",  # as the exam page sends it
        }

    async def save(
        self, port: int, typed: tuple[str, str] | None = None
    ) -> tuple[int | None, float]:
        """Save ``typed`` (else the next answer of a random part); returns (status or None,
        seconds). A save of a typed answer answers with its validation echo, as the page
        shows it; one without counts in ``unechoed``."""
        part, value = typed or self.type_next()
        body = json.dumps({"value": value, "seq": self.seqs[part]}).encode()
        began = time.perf_counter()
        try:
            status, _, answer = await self.request(
                port, "PUT", f"/api/attempts/{self.attempt}/answers/{part}", body, self._headers()
            )
        except OSError:
            status = None
        took = time.perf_counter() - began
        if status == 200 and value.strip() and not json.loads(answer).get("validation"):
            self.unechoed += 1
        return status, took

    async def heartbeat(self, port: int) -> tuple[int | None, float]:
        """The page's heartbeat (``GET /api/attempts/<id>/clock``), sent when nothing was heard
        from the server for a few seconds; returns (status or None, seconds)."""
        began = time.perf_counter()
        try:
            status, _, _ = await self.request(port, "GET", f"/api/attempts/{self.attempt}/clock")
        except OSError:
            status = None
        return status, time.perf_counter() - began


TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat(pid: int | str) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rfind(")") + 2 :].split()


class CpuMeter:
    """CPU seconds of the whole machine and of this benchmark's own processes, by part (the
    client, the web server's workers, their grading processes, PostgreSQL), so that a run on a busy
    machine says so, and the cost of a save can be split."""

    PARTS = ("client", "web", "grading", "postgres")

    def __init__(self, server: WebServer, cluster: SittingCluster) -> None:
        self.server = server
        self.cluster = cluster
        self.postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])

    def database_counters(self) -> dict[str, int]:
        """The sitting database's sessions opened (a connection pool that churns opens many),
        commits and rollbacks so far (pg_stat_database)."""
        import psycopg

        with psycopg.connect(**self.cluster.conninfo("sitting"), autocommit=True) as conn:
            conn.execute("SELECT pg_stat_clear_snapshot()")
            row = conn.execute(
                "SELECT sessions, xact_commit, xact_rollback FROM pg_stat_database"
                " WHERE datname = 'sitting'"
            ).fetchone()
        assert row is not None
        return dict(zip(("sessions opened", "commits", "rollbacks"), row, strict=True))

    def _part(self, pid: int, stat: list[str], group: int) -> str | None:
        if pid == os.getpid():
            return "client"
        if pid == self.postmaster or int(stat[1]) == self.postmaster:
            return "postgres"
        if int(stat[2]) == group:
            return "web" if pid == group or int(stat[1]) == group else "grading"
        return None

    def _ours(self) -> Iterator[tuple[int, str, list[str]]]:
        """Each live process of ours: its pid, its part, and its ``/proc/<pid>/stat`` fields
        after the name (state ppid pgrp ...; utime, stime 12th, 13th; rss 22nd)."""
        group = self.server.process.pid if self.server.process else -1
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = _stat(entry)
            except OSError:
                continue
            part = self._part(int(entry), stat, group)
            if part:
                yield int(entry), part, stat

    def sample(self) -> tuple[float, dict[int, tuple[str, float]]]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        busy = (sum(fields[:8]) - fields[3] - fields[4]) / TICK
        ours: dict[int, tuple[str, float]] = {}
        for pid, part, stat in self._ours():
            ticks = int(stat[11]) + int(stat[12])
            if pid == self.postmaster:
                # Backends that ended (a connection closed) add their CPU to their
                # parent's cutime and cstime when reaped: count it, or it is lost.
                ticks += int(stat[13]) + int(stat[14])
            ours[pid] = (part, ticks / TICK)
        return busy, ours

    def memory(self) -> dict[str, list[float]]:
        """Resident memory (MiB, pages shared with a parent counted in each) of each of our
        server processes, by part: what the per-process caches cost at this load."""
        found: dict[str, list[float]] = {part: [] for part in self.PARTS if part != "client"}
        for _, part, stat in self._ours():
            if part in found:
                found[part].append(int(stat[21]) * PAGE / 2**20)
        return {part: sorted(sizes, reverse=True) for part, sizes in found.items()}

    @staticmethod
    def share(
        before: tuple[float, dict[int, tuple[str, float]]],
        after: tuple[float, dict[int, tuple[str, float]]],
        seconds: float,
    ) -> tuple[float, dict[str, float]]:
        """Machine busy cores, and cores used by each of our parts, over the interval."""
        used = dict.fromkeys(CpuMeter.PARTS, 0.0)
        for pid, (part, total) in after[1].items():
            used[part] += (total - before[1].get(pid, (part, 0.0))[1]) / seconds
        return (after[0] - before[0]) / seconds, used
