"""Simulated candidates over real HTTP (stdlib ``http.client``), and the ledger of their saves.

A candidate does what the exam page does: opens the invitation, presses start, reads the
attempt, then saves parts with a growing ``seq``, retrying the same save after a connection
error or a 5xx until it is acknowledged. The ledger keeps every save sent and every 200, so a
test can compare them with what the database holds.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg

CSRF = re.compile(rb'name="csrf-token" content="([^"]+)"')
RETRIABLE = "retriable"


@dataclass
class Outcome:
    """One save request as the client saw it (``status`` None: no HTTP answer at all)."""

    attempt: int
    part: str
    seq: int
    status: int | None
    started: float
    ended: float


class Candidate:
    """One browser: a session cookie, a CSRF token and an attempt on ``127.0.0.1:port``."""

    def __init__(self, port: int, token: str, number: int, timeout: float = 15.0) -> None:
        self.port = port
        self.token = token
        self.number = number
        self.timeout = timeout
        self.cookie = ""
        self.csrf = ""
        self.attempt = 0
        self.parts: list[str] = []

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """One request on a fresh connection; raises ``OSError`` or ``HTTPException`` when
        no answer arrives."""
        sent = dict(headers or {})
        if self.cookie:
            sent["Cookie"] = self.cookie
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
            received = {k.lower(): v for k, v in response.getheaders()}
        finally:
            connection.close()
        cookie = received.get("set-cookie", "")
        if cookie.startswith("session="):
            self.cookie = cookie.split(";", 1)[0]
        return response.status, received, data

    def start(self) -> None:
        """Open the invitation, press start, and read the attempt's parts."""
        status, _, page = self.request("GET", f"/i/{self.token}")
        match = CSRF.search(page)
        if status != 200 or match is None:
            raise AssertionError(f"invitation page answered {status}")
        self.csrf = match.group(1).decode()
        status, headers, body = self.request(
            "POST",
            f"/i/{self.token}/start",
            body=f"csrf_token={self.csrf}".encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 302:
            raise AssertionError(f"start answered {status}: {body[:200]!r}")
        self.attempt = int(headers["location"].rstrip("/").rsplit("/", 1)[-1])
        status, _, body = self.request("GET", f"/api/attempts/{self.attempt}")
        if status != 200:
            raise AssertionError(f"attempt state answered {status}")
        state = json.loads(body)
        self.parts = [part["key"] for q in state["questions"] for part in q["parts"]]

    def save(self, part: str, value: str, seq: int) -> tuple[int | None, bytes]:
        """PUT one answer; ``(None, b"")`` when the connection failed without an answer."""
        body = json.dumps({"value": value, "seq": seq}).encode()
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.csrf}
        try:
            status, _, data = self.request(
                "PUT", f"/api/attempts/{self.attempt}/answers/{part}", body, headers
            )
        except (OSError, http.client.HTTPException):
            return None, b""
        return status, data


@dataclass
class Ledger:
    """Every save sent and every save acknowledged, shared by the candidates' threads."""

    sent: dict[tuple[int, str, int], str] = field(default_factory=dict)
    acked: dict[tuple[int, str, int], str] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def save(self, candidate: Candidate, part: str, value: str, seq: int) -> int | None:
        """Send one save through ``candidate`` and record what happened."""
        with self.lock:
            self.sent[(candidate.attempt, part, seq)] = value
            self.in_flight += 1
        started = time.monotonic()
        try:
            status, body = candidate.save(part, value, seq)
        finally:
            with self.lock:
                self.in_flight -= 1
        ended = time.monotonic()
        with self.lock:
            self.outcomes.append(Outcome(candidate.attempt, part, seq, status, started, ended))
            if status == 200:
                self.acked[(candidate.attempt, part, seq)] = value
            elif status is not None and status < 500:
                self.errors.append(
                    f"attempt {candidate.attempt} {part} seq {seq}: {status} {body[:200]!r}"
                )
        return status

    def count(self, predicate: Callable[[Outcome], bool]) -> int:
        """How many recorded saves match ``predicate``."""
        with self.lock:
            return sum(1 for outcome in self.outcomes if predicate(outcome))


def sit(
    candidate: Candidate, ledger: Ledger, saves: int, stop: threading.Event, deadline: float
) -> None:
    """Start the attempt, then save up to ``saves`` answers, each retried until acknowledged.

    Stops early when ``stop`` is set or the monotonic ``deadline`` passes. Any unexpected
    failure goes to ``ledger.errors`` (a thread must not raise).
    """
    try:
        candidate.start()
        seqs = dict.fromkeys(candidate.parts, 0)
        for n in range(saves):
            if stop.is_set() or time.monotonic() > deadline:
                return
            part = candidate.parts[n % len(candidate.parts)]
            seqs[part] += 1
            value = f"{seqs[part]}*x+{candidate.number}"
            backoff = 0.05
            while True:
                status = ledger.save(candidate, part, value, seqs[part])
                if status is not None and status < 500:
                    break
                if time.monotonic() > deadline:
                    return
                time.sleep(backoff)  # as the page does: retry the same save, a bit later
                backoff = min(backoff * 2, 0.5)
            if status != 200:
                return
    except Exception as exc:  # noqa: BLE001 - reported to the test, never lost in a thread
        with ledger.lock:
            ledger.errors.append(f"candidate {candidate.number}: {type(exc).__name__}: {exc}")


def run_sitting(
    port: int, tokens: list[str], ledger: Ledger, saves: int, stop: threading.Event, seconds: float
) -> list[threading.Thread]:
    """Start one thread per candidate; returns the threads (already started)."""
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=sit,
            name=f"candidate-{n}",
            daemon=True,
            args=(Candidate(port, token, n), ledger, saves, stop, deadline),
        )
        for n, token in enumerate(tokens)
    ]
    for thread in threads:
        thread.start()
    return threads


def lost_answers(conninfo: dict[str, Any], ledger: Ledger) -> list[str]:
    """Compare the database with the ledger; every problem found, as a sentence.

    For each acknowledged save: its (seq, value) is in ``response_history``; the part's stored
    ``seq`` is at least the highest acknowledged one, and the stored value is the value that
    was sent with the stored ``seq``.
    """
    attempts = sorted({attempt for attempt, _, _ in ledger.acked})
    with psycopg.connect(**conninfo) as conn:
        stored = {
            (a, p): (s, v)
            for a, p, s, v in conn.execute(
                "SELECT attempt_id, part_key, seq, value FROM responses WHERE attempt_id = ANY(%s)",
                (attempts,),
            )
        }
        history = {
            (a, p, s): v
            for a, p, s, v in conn.execute(
                "SELECT attempt_id, part_key, seq, value FROM response_history "
                "WHERE attempt_id = ANY(%s)",
                (attempts,),
            )
        }
    problems: list[str] = []
    highest: dict[tuple[int, str], int] = {}
    for (attempt, part, seq), value in ledger.acked.items():
        highest[(attempt, part)] = max(seq, highest.get((attempt, part), 0))
        if history.get((attempt, part, seq)) != value:
            problems.append(
                f"attempt {attempt} {part}: acknowledged seq {seq} = {value!r} "
                f"is not in response_history"
            )
    for (attempt, part), seq in highest.items():
        row = stored.get((attempt, part))
        if row is None:
            problems.append(
                f"attempt {attempt} {part}: acknowledged up to seq {seq}, nothing stored"
            )
        elif row[0] < seq:
            problems.append(
                f"attempt {attempt} {part}: acknowledged seq {seq}, stored seq {row[0]}"
            )
        elif ledger.sent.get((attempt, part, row[0])) != row[1]:
            problems.append(f"attempt {attempt} {part}: stored {row!r} was never sent")
    return problems
