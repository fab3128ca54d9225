"""Capacity of one machine for a sitting (issue #4, point 13).

Drives N simulated candidates through the real HTTP API of granian (or gunicorn) +
PostgreSQL on this machine: each opens the invitation, starts, reads the attempt, then saves
an answer every 5-15 s (seeded) for the run (each save answers with the answer's validation
echo, as the page shows it: one request per burst of typing) and asks for the clock
(``GET …/clock``) whenever it has heard nothing from the server for ``HEARTBEAT_SECONDS``
(15 s by default; ``--heartbeat`` to try another). Prints the sustained saves per second, p50
and p99 latency of the saves and heartbeats, and, on the same PostgreSQL server in the same
run, pgbench's rate for a one-row update as the ceiling.
``--sweep`` steps N up to find how many candidates keep p99 under 200 ms.

    .venv/bin/python tests/benchmarks/sitting.py [--candidates 5000] [--duration 120] [--sweep]
        [--server granian|gunicorn] [--grader-workers 2] [--heartbeat 15] [--set NAME=VALUE]

Everything listens on 127.0.0.1 or a Unix socket and is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from exam_engine.config import Config  # noqa: E402
from tests.benchmarks.sitting_client import (  # noqa: E402
    Candidate,
    CpuMeter,
    HTTPError,
)
from tests.durability.servers import (  # noqa: E402
    SERVERS,
    SittingCluster,
    WebServer,
    seed_sitting,
)
from tests.pg import _bin  # noqa: E402


@dataclass
class Step:
    """The measurements of one load level."""

    candidates: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    beats: list[float] = field(default_factory=list)  # heartbeat latencies
    beat_failures: int = 0
    unechoed: int = 0  # saves of a typed answer answered without its echo
    settling: list[float] = field(default_factory=list)  # save latencies during the warmup
    busy_cores: float = 0.0
    database: dict[str, int] = field(default_factory=dict)  # pg_stat_database's counters
    cores: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, q: float, of: list[float] | None = None) -> float:
        """The ``q`` quantile in ms of the saves' latencies (or of ``of``)."""
        ordered = sorted(self.latencies if of is None else of)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0

    def note(self, kind: str, status: int | None, seconds: float) -> None:
        """Count one measured request: its latency if it succeeded, else a failure."""
        if kind == "save":
            if status == 200:
                self.latencies.append(seconds)
            else:
                self.failures += 1
        elif status == 200:
            self.beats.append(seconds)
        else:
            self.beat_failures += 1

    @property
    def met(self) -> bool:
        """p99 under 200 ms for saves and heartbeats, nothing failed, every save echoed."""
        return (
            self.percentile(0.99) < 200
            and self.percentile(0.99, self.beats) < 200
            and not self.failures
            and not self.beat_failures
            and not self.unechoed
        )


async def candidate_loop(
    candidate: Candidate,
    port: int,
    step: Step,
    measure_from: float,
    until: float,
    heartbeat: float,
) -> None:
    """Type and save every 5-15 s until ``until``, with a heartbeat whenever ``heartbeat`` s
    pass without a save (as the page does); requests started after ``measure_from`` count.
    Each save is one burst of typing: the page shows the echo the save answers with."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(candidate.rng.uniform(0, 15))  # candidates do not type in lockstep
    while loop.time() < until:
        started = loop.time()
        unechoed = candidate.unechoed
        status, seconds = await candidate.save(port, candidate.type_next())
        if started >= measure_from:
            step.note("save", status, seconds)
            step.unechoed += candidate.unechoed - unechoed
        elif status == 200:
            step.settling.append(seconds)
        next_save = started + candidate.rng.uniform(5, 15)
        heard = loop.time()
        while heartbeat and heard + heartbeat < next_save and heard + heartbeat < until:
            await asyncio.sleep(max(0.0, heard + heartbeat - loop.time()))
            beat_at = loop.time()
            status, seconds = await candidate.heartbeat(port)
            if beat_at >= measure_from:
                step.note("heartbeat", status, seconds)
            heard = loop.time()
        await asyncio.sleep(max(0.0, next_save - loop.time()))


async def start_all(
    candidates: list[Candidate], port: int, reloads: int, parallel: int = 8
) -> float:
    """Start the attempts that are not started yet, a few at a time, and reload each attempt
    ``reloads`` times (as a page reopened during a long sitting does: every web worker
    then has the candidate's question variants in its cache); returns seconds taken."""
    gate = asyncio.Semaphore(parallel)
    began = time.perf_counter()

    async def one(candidate: Candidate) -> None:
        async with gate:
            await candidate.start(port)
            for _ in range(reloads):
                status, _, _ = await candidate.request(
                    port, "GET", f"/api/attempts/{candidate.attempt}"
                )
                if status != 200:
                    raise HTTPError(f"attempt state: {status}")

    await asyncio.gather(*(one(c) for c in candidates if not c.attempt))
    return time.perf_counter() - began


async def run_step(
    candidates: list[Candidate],
    port: int,
    warmup: float,
    duration: float,
    meter: CpuMeter,
    heartbeat: float,
) -> Step:
    """Every candidate saves for ``warmup + duration`` s; the last ``duration`` s count."""
    loop = asyncio.get_running_loop()
    step = Step(len(candidates), duration)
    measure_from = loop.time() + warmup
    until = measure_from + duration

    async def measure_cpu() -> None:
        await asyncio.sleep(warmup)
        before, counted = meter.sample(), await asyncio.to_thread(meter.database_counters)
        await asyncio.sleep(duration)
        step.busy_cores, step.cores = meter.share(before, meter.sample(), duration)
        after = await asyncio.to_thread(meter.database_counters)
        step.database = {name: after[name] - counted[name] for name in after}

    await asyncio.gather(
        measure_cpu(),
        *(candidate_loop(c, port, step, measure_from, until, heartbeat) for c in candidates),
    )
    return step


def pgbench(cluster: SittingCluster, clients: int, seconds: int) -> float:
    """pgbench's transactions per second for a one-row UPDATE on the same server."""
    cluster.sql("CREATE DATABASE ceiling")
    import psycopg

    with psycopg.connect(**cluster.conninfo("ceiling"), autocommit=True) as conn:
        conn.execute("CREATE TABLE answers (id integer PRIMARY KEY, seq integer, value text)")
        conn.execute("INSERT INTO answers SELECT g, 0, '' FROM generate_series(1, 1000) g")
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(
            "\\set id random(1, 1000)\n"
            "UPDATE answers SET seq = seq + 1, value = 'x^2+1' WHERE id = :id;\n"
        )
    os.chmod(script.name, 0o644)
    try:
        result = subprocess.run(
            [
                _bin("pgbench"),
                "-n",
                "-c",
                str(clients),
                "-j",
                str(min(clients, 2)),
                "-T",
                str(seconds),
                "-f",
                script.name,
                "-h",
                str(cluster.socket_dir),
                "-U",
                cluster.user,
                "ceiling",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(script.name)
    match = re.search(r"tps = ([\d.]+)", result.stdout)
    if not match:
        raise RuntimeError(f"no tps in pgbench's output:\n{result.stdout}{result.stderr}")
    return float(match.group(1))


def settling_report(step: Step, warmup: float) -> str:
    """The warmup's saves: the node settling after the starts (not judged, shown)."""
    return (
        f"         while settling (the first {warmup:.0f} s after the starts, not measured): "
        f"{len(step.settling)} saves, p50 {step.percentile(0.5, step.settling):.1f} ms, "
        f"p99 {step.percentile(0.99, step.settling):.1f} ms"
    )


def report(step: Step) -> str:
    beats = step.beats
    return (
        f"{step.candidates:>6} candidates: {step.rate:7.1f} saves/s, "
        f"p50 {step.percentile(0.5):6.1f} ms, p99 {step.percentile(0.99):7.1f} ms, "
        f"{step.failures} failed; {len(beats) / step.seconds:7.1f} heartbeats/s, "
        f"p50 {step.percentile(0.5, beats):6.1f} ms, p99 {step.percentile(0.99, beats):7.1f} ms, "
        f"{step.beat_failures} failed; {step.unechoed} saves without their echo"
    )


def cpu_report(step: Step) -> str:
    ours = sum(step.cores.values())
    requests = (len(step.latencies) + len(step.beats)) / step.seconds
    per_request = " + ".join(
        f"{name} {cores / max(requests, 1e-9) * 1000:.2f}" for name, cores in step.cores.items()
    )
    counters = ", ".join(f"{name} {count}" for name, count in step.database.items())
    return (
        f"         CPU: ours {ours:.2f} cores, other processes on the machine "
        f"{max(0.0, step.busy_cores - ours):.2f} cores; per request (ms): {per_request}\n"
        f"         PostgreSQL during the step: {counters}"
    )


def memory_report(memory: dict[str, list[float]]) -> str:
    """The largest processes of each part (MiB resident), and their count."""
    shown = "; ".join(
        f"{part} ({len(sizes)}): "
        + ", ".join(f"{size:.0f}" for size in sizes[:4])
        + (", ..." if len(sizes) > 4 else "")
        for part, sizes in memory.items()
    )
    return f"         memory at the end of the step, MiB resident per process: {shown}"


async def drive(
    args: argparse.Namespace, server: WebServer, tokens: list[str], cluster: SittingCluster
) -> list[Step]:
    """Run one step (or the sweep), starting candidates as they are needed."""
    levels = [args.candidates]
    if args.sweep:
        levels = list(range(args.sweep_from, args.sweep_to + 1, args.sweep_step))
    candidates: list[Candidate] = []
    steps = []
    meter = CpuMeter(server, cluster)
    for level in levels:
        while len(candidates) < level:
            n = len(candidates)
            if n >= len(tokens):
                tokens += seed_sitting(
                    cluster.url("sitting"), level - n, migrate_first=False, first=n
                )
            candidates.append(Candidate(n, tokens[n], random.Random(args.seed * 100_003 + n)))
        took = await start_all(candidates, server.port, args.reloads)
        print(f"started attempts up to {level} candidates in {took:.1f} s", flush=True)
        step = await run_step(
            candidates,
            server.port,
            args.warmup,
            args.duration,
            meter,
            args.heartbeat,
        )
        print(report(step), flush=True)
        print(settling_report(step, args.warmup), flush=True)
        print(cpu_report(step), flush=True)
        print(memory_report(meter.memory()), flush=True)
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"         load average at the end of the step (1, 5, 15 min): {load}", flush=True)
        steps.append(step)
        if args.sweep and not step.met:
            break
    return steps


def _loop_factory() -> Any:
    """uvloop's event loop when it is installed (the client then costs less CPU), else
    asyncio's own; the run says which."""
    try:
        import uvloop  # type: ignore[import-not-found]
    except ImportError:
        print("client: asyncio's event loop (pip install uvloop for a lighter client)")
        return None
    print("client: uvloop's event loop")
    return uvloop.new_event_loop


def main() -> None:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=5000)
    parser.add_argument("--duration", type=float, default=120, help="measured seconds per step")
    # A node settles for about a minute after thousands of attempts start at once (each
    # process works out each attempt's parts at its first save; the starts' writes are
    # vacuumed): the capacity measured is the sitting's, after that (docs/operations.md).
    parser.add_argument(
        "--warmup",
        type=float,
        default=90,
        help="seconds after the starts before measuring (their saves' latency is shown)",
    )
    # Threads keep enough saves in flight while each waits for its commit's WAL flush
    # (docs/operations.md, "5,000 candidates on one 2-core machine").
    parser.add_argument("--workers", type=int, default=cores + 1)
    parser.add_argument("--server", choices=sorted(SERVERS), default="granian")
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="gthread")
    parser.add_argument(
        "--threads", type=int, default=8, help="per worker (gthread; granian's blocking threads)"
    )
    parser.add_argument(
        "--grader-workers",
        type=int,
        default=2,
        help="grading processes per web worker (EXAM_ENGINE_GRADER_WORKERS; docs: 2)",
    )
    parser.add_argument(
        "--heartbeat",
        type=float,
        default=float(Config.HEARTBEAT_SECONDS),
        help="seconds without an answer before the page asks for the clock (0: no heartbeats;"
        " default: the page's, HEARTBEAT_SECONDS)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the server (EXAM_ENGINE_NAME), e.g. --set DATABASE_POOL_SIZE=10",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reloads",
        type=int,
        default=0,
        help="unmeasured reloads of each attempt at its start (saves need no warm cache)",
    )
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    parser.add_argument(
        "--fast-disk", action="store_true", help="PostgreSQL with fsync off (as the tests run it)"
    )
    parser.add_argument("--sweep", action="store_true", help="step N up until p99 > 200 ms")
    parser.add_argument("--sweep-from", type=int, default=100)
    parser.add_argument("--sweep-to", type=int, default=3000)
    parser.add_argument("--sweep-step", type=int, default=100)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="exam-engine-bench-"))
    cluster = SittingCluster(durable=not args.fast_disk)
    server = SERVERS[args.server](
        cluster.url("sitting"),
        folder / f"{args.server}.log",
        workers=args.workers,
        worker_class=args.worker_class,
        threads=args.threads,
        grader_workers=args.grader_workers,
        settings={
            f"EXAM_ENGINE_{pair.split('=', 1)[0]}": pair.split("=", 1)[1] for pair in args.set
        },
    )
    try:
        cluster.start()
        cluster.sql("CREATE DATABASE sitting")
        tokens = seed_sitting(cluster.url("sitting"), args.candidates)
        server.start()
        kind = args.worker_class if args.server == "gunicorn" else "process"
        print(
            f"{args.server}: {args.workers} {kind} workers x {args.threads} "
            f"thread(s), {args.grader_workers} grading processes each, on {cores} cores; "
            "PostgreSQL "
            f"{'fsync off' if args.fast_disk else 'fsync on'}, synchronous_commit on",
            flush=True,
        )
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            steps = runner.run(drive(args, server, tokens, cluster))
        clients = args.workers * args.threads
        ceiling = pgbench(cluster, clients, args.pgbench_seconds)
        shutil.rmtree(folder, ignore_errors=True)
    finally:
        server.stop()
        cluster.stop()
        if folder.exists():
            print(f"the server's log: {folder / f'{args.server}.log'}", file=sys.stderr)
    print(f"\npgbench one-row UPDATE, {clients} clients: {ceiling:.0f} tps (the ceiling)")
    for step in steps:
        print(f"{report(step)}; ours/pgbench {step.rate / ceiling:.4f}")
    good = [s for s in steps if s.met]
    if args.sweep:
        best = max(good, key=lambda s: s.candidates) if good else None
        print(
            f"most candidates with p99 < 200 ms: {best.candidates if best else 'none'}"
            + (f" ({best.rate:.1f} saves/s, {best.rate / ceiling:.4f} of pgbench)" if best else "")
        )
    else:
        print(
            f"target p99 < 200 ms (saves, heartbeats) and no errors at {args.candidates} "
            f"candidates: {'met' if steps[0].met else 'NOT met'}"
        )
    print(
        f"median latency over all steps: "
        f"{statistics.median([x for s in steps for x in s.latencies]) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
