"""The deadline spike (issue #10, point 7): N candidates with one common deadline.

Every candidate starts at once, answers with realistic answers (a few type hostile ones that
run the grader to its limits), keeps saving every 5-15 s to the last second, and most submit in
the last 60 s; the rest never submit and are closed by the scheduler. Runs on this machine:
PostgreSQL (durable), granian (or gunicorn), Redis and ``exam-engine worker --beat`` processes.

Prints start, save and submit p50/p99 (saves overall and in the last 60 s), saves sent before
the deadline that were refused (must be 0), 5xx and connection failures, and the time from the
deadline until every attempt is graded, with the worker count.

    .venv/bin/python tests/benchmarks/deadline.py [--candidates 1000] [--workers 1 --concurrency 2]
        [--server granian|gunicorn]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import psycopg  # noqa: E402

from tests.benchmarks.sitting_client import CSRF, fetch  # noqa: E402
from tests.conftest import broker  # noqa: E402
from tests.durability.servers import SERVERS, SittingCluster, seed_sitting  # noqa: E402
from tests.workers import Worker  # noqa: E402

QUEUE = "deadline-bench"
REALISTIC = [
    "x^2+1", "3/4", "0.25", "(x-1)*(x+1)", "2*sqrt(2)", "[1, 2, 3]", "1/6", "e^(-2)", "5",
    "-3*x^5*e^(-3*x)", "ln(2)/2", "[[1, 0], [0, 1]]", "7/12", "x^3/3+c", "pi/4", "12",
]  # fmt: skip
HOSTILE = ["e^(e^(e^(e^e)))", "9^9^9^9", "((((((((((x))))))))))^99999", "factorial(10^8)"]


@dataclass
class Latencies:
    values: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.values.append(seconds)

    def pct(self, q: float) -> float:
        ordered = sorted(self.values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0

    def line(self, name: str) -> str:
        return (
            f"{name:<22} n={len(self.values):>6}  p50 {self.pct(0.5):7.1f} ms"
            f"  p99 {self.pct(0.99):7.1f} ms  max {self.pct(1.0):7.1f} ms"
        )


@dataclass
class Tally:
    start: Latencies = field(default_factory=Latencies)
    save: Latencies = field(default_factory=Latencies)
    save_spike: Latencies = field(default_factory=Latencies)
    submit: Latencies = field(default_factory=Latencies)
    refused_before_deadline: int = 0
    refused_after_deadline: int = 0
    server_errors: int = 0
    no_answer: int = 0
    problems: list[str] = field(default_factory=list)


class Person:
    """One candidate's browser: session cookie, CSRF token, attempt and part counters."""

    def __init__(self, number: int, token: str, port: int, rng: random.Random) -> None:
        self.number, self.token, self.port, self.rng = number, token, port, rng
        self.cookie = self.csrf = ""
        self.attempt = 0
        self.parts: list[str] = []
        self.seqs: dict[str, int] = {}

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        sent = dict(headers or {})
        if self.cookie:
            sent["Cookie"] = self.cookie
        status, received, data = await fetch(self.port, method, path, body, sent)
        if received.get("set-cookie", "").startswith("session="):
            self.cookie = received["set-cookie"].split(";", 1)[0]
        return status, received, data

    async def start(self) -> None:
        status, _, page = await self.request("GET", f"/i/{self.token}")
        match = CSRF.search(page)
        if status != 200 or not match:
            raise RuntimeError(f"invitation page: {status}")
        self.csrf = match.group(1).decode()
        status, headers, _ = await self.request(
            "POST",
            f"/i/{self.token}/start",
            f"csrf_token={self.csrf}".encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 302:
            raise RuntimeError(f"start: {status}")
        self.attempt = int(headers["location"].rstrip("/").rsplit("/", 1)[-1])
        status, _, state = await self.request("GET", f"/api/attempts/{self.attempt}")
        if status != 200:
            raise RuntimeError(f"state: {status}")
        self.parts = [p["key"] for q in json.loads(state)["questions"] for p in q["parts"]]
        self.seqs = dict.fromkeys(self.parts, 0)

    def headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json", "X-CSRFToken": self.csrf}


async def candidate(
    person: Person, tally: Tally, deadline: float, hostile: bool, submits: bool, gate: asyncio.Event
) -> None:
    """One candidate's sitting; ``deadline`` is on the monotonic clock."""
    rng = person.rng
    began = time.perf_counter()
    try:
        await person.start()
    except (OSError, RuntimeError) as exc:
        tally.problems.append(f"candidate {person.number}: {exc}")
        return
    tally.start.add(time.perf_counter() - began)
    await gate.wait()
    submit_at = deadline - rng.uniform(1, 60) if submits else None
    while True:
        wait = rng.uniform(5, 15)
        now = time.monotonic()
        stop_at = submit_at if submit_at is not None else deadline - 0.5
        if now + wait >= stop_at:
            await asyncio.sleep(max(0.0, stop_at - now))
            if submit_at is None:
                await save(person, tally, deadline, hostile)  # the very last second
            break
        await asyncio.sleep(wait)
        await save(person, tally, deadline, hostile)
    if submit_at is None:
        return
    began = time.perf_counter()
    try:
        status, _, body = await person.request(
            "POST", f"/api/attempts/{person.attempt}/submit", b"{}", person.headers()
        )
    except OSError:
        tally.no_answer += 1
        return
    tally.submit.add(time.perf_counter() - began)
    if status != 200:
        tally.problems.append(f"submit {person.attempt}: {status} {body[:120]!r}")
        tally.server_errors += status >= 500


async def save(person: Person, tally: Tally, deadline: float, hostile: bool) -> None:
    rng = person.rng
    part = rng.choice(person.parts)
    person.seqs[part] += 1
    value = rng.choice(HOSTILE) if hostile and rng.random() < 0.7 else rng.choice(REALISTIC)
    body = json.dumps({"value": value, "seq": person.seqs[part]}).encode()
    sent = time.monotonic()
    began = time.perf_counter()
    try:
        status, _, data = await person.request(
            "PUT", f"/api/attempts/{person.attempt}/answers/{part}", body, person.headers()
        )
    except OSError:
        tally.no_answer += 1
        return
    took = time.perf_counter() - began
    tally.save.add(took)
    if sent > deadline - 60:
        tally.save_spike.add(took)
    if status == 409 and b"deadline" in data:
        if sent < deadline:
            tally.refused_before_deadline += 1
        else:
            tally.refused_after_deadline += 1
    elif status >= 500:
        tally.server_errors += 1
    elif status != 200:
        tally.problems.append(f"save {person.attempt} {part}: {status} {data[:120]!r}")


def graded_count(cluster: SittingCluster) -> tuple[int, int]:
    with psycopg.connect(**cluster.conninfo("sitting")) as conn:
        row = conn.execute("SELECT count(*), count(graded_at) FROM attempts").fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


async def drive(args: argparse.Namespace, port: int, tokens: list[str], deadline: float) -> Tally:
    tally = Tally()
    gate = asyncio.Event()
    rng = random.Random(args.seed)
    people = [Person(n, t, port, random.Random(args.seed * 7919 + n)) for n, t in enumerate(tokens)]
    tasks = [
        asyncio.create_task(
            candidate(
                p,
                tally,
                deadline,
                hostile=rng.random() < args.hostile,
                submits=rng.random() < args.submitting,
                gate=gate,
            )
        )
        for p in people
    ]
    while len(tally.start.values) + len(tally.problems) < len(people):
        await asyncio.sleep(0.2)
    print(
        f"all {len(people)} started; {deadline - time.monotonic():.0f} s to the deadline",
        flush=True,
    )
    gate.set()
    await asyncio.gather(*tasks)
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--sitting", type=float, default=150, help="seconds from start to deadline")
    parser.add_argument("--server", choices=sorted(SERVERS), default="granian")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8, help="threads per web worker")
    parser.add_argument("--workers", type=int, default=1, help="exam-engine worker processes")
    parser.add_argument("--concurrency", type=int, default=2, help="pool processes per worker")
    parser.add_argument("--hostile", type=float, default=0.03, help="share typing hostile answers")
    parser.add_argument("--submitting", type=float, default=0.9, help="share who press submit")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="exam-engine-deadline-"))
    cluster = SittingCluster(durable=True)
    server = SERVERS[args.server](
        cluster.url("sitting"),
        folder / f"{args.server}.log",
        workers=args.web_workers,
        worker_class="gthread",
        threads=args.threads,
        grader_workers=2,  # as docs/operations.md recommends
        queue=QUEUE,
    )
    workers: list[Worker] = []
    try:
        cluster.start()
        cluster.sql("CREATE DATABASE sitting")
        tokens = seed_sitting(cluster.url("sitting"), args.candidates)
        server.start()
        for n in range(args.workers):
            worker = Worker(
                cluster.url("sitting"),
                broker().url,
                QUEUE,
                folder,
                f"bench{n}",
                beat=n == 0,
                SWEEP_SECONDS=10,
            )
            worker.command = [
                c if not c.startswith("--concurrency") else f"--concurrency={args.concurrency}"
                for c in worker.command
            ]
            workers.append(worker.start())
        # One common deadline: the window closes for everyone at the same moment.
        start_budget = max(60.0, args.candidates / 12)
        closes = datetime.now(UTC) + timedelta(seconds=start_budget + args.sitting)
        deadline = time.monotonic() + start_budget + args.sitting
        with psycopg.connect(**cluster.conninfo("sitting")) as conn:
            conn.execute("UPDATE exams SET closes_at = %s, grace_seconds = 30", (closes,))
        print(
            f"{args.candidates} candidates, {args.server} {args.web_workers} workers x "
            f"{args.threads} threads, "
            f"{args.workers} worker(s) x {args.concurrency} processes, on {os.cpu_count()} "
            f"cores; hostile {args.hostile:.0%}, submitting {args.submitting:.0%}",
            flush=True,
        )
        tally = asyncio.run(drive(args, server.port, tokens, deadline))
        spent = 0.0
        while True:
            total, graded = graded_count(cluster)
            spent = time.monotonic() - deadline
            if graded >= total or spent > 1800:
                break
            time.sleep(1)
    finally:
        for worker in workers:
            worker.stop()
        server.stop()
        cluster.stop()
    print()
    print(tally.start.line("start (all at once)"))
    print(tally.save.line("save (whole sitting)"))
    print(tally.save_spike.line("save (last 60 s)"))
    print(tally.submit.line("submit (last 60 s)"))
    print(
        f"saves sent before the deadline and refused: {tally.refused_before_deadline} (must be 0)"
    )
    print(f"saves sent after the deadline, refused: {tally.refused_after_deadline}")
    print(f"5xx: {tally.server_errors}; no answer: {tally.no_answer}; other: {len(tally.problems)}")
    for line in tally.problems[:10]:
        print("  ", line)
    print(
        f"graded {graded}/{total}: every attempt graded {spent:.0f} s after the deadline "
        f"(grace 30 s; {args.workers} worker(s) x {args.concurrency})"
    )


if __name__ == "__main__":
    main()
