"""Issue #4, point 11: no acknowledged answer is lost under load, a killed worker or a
PostgreSQL restart, on gunicorn and on granian with several workers and a real PostgreSQL.

Every candidate is a thread speaking HTTP to 127.0.0.1; every save it sends and every 200 it
gets goes into a ledger, which is compared with the database at the end.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable

import pytest

from tests.durability.candidates import Ledger, Outcome, lost_answers, run_sitting
from tests.durability.conftest import WORKERS, Sitting

pytestmark = pytest.mark.slow

SAVES = 12  # per candidate: every part at least once, some twice


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> float:
    """Poll ``condition`` until it holds; returns when it did (monotonic) or fails the test."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return time.monotonic()
        time.sleep(0.02)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def finish(threads: list[threading.Thread], stop: threading.Event, seconds: float) -> list[str]:
    """Let the candidates finish (or stop them); returns the names of any still running."""
    deadline = time.monotonic() + seconds
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    stop.set()
    for thread in threads:
        thread.join(5)
    return [thread.name for thread in threads if thread.is_alive()]


def failed(outcome: Outcome) -> bool:
    """No answer at all, or a server error: what the page retries."""
    return outcome.status is None or outcome.status >= 500


def check(sitting: Sitting, ledger: Ledger, stuck: list[str]) -> None:
    """The assertions every scenario ends with."""
    assert not stuck, f"candidates still saving at the end: {stuck}"
    assert not ledger.errors, "\n".join(ledger.errors[:20]) + "\n" + sitting.log_tail()
    lost = lost_answers(sitting.cluster.conninfo(sitting.database), ledger)
    assert not lost, f"{len(lost)} acknowledged answers lost:\n" + "\n".join(lost[:20])


def test_fifty_concurrent_candidates_lose_no_acknowledged_answer(sitting: Sitting) -> None:
    ledger, stop = Ledger(), threading.Event()
    threads = run_sitting(
        sitting.server.port, sitting.take(50), ledger, saves=SAVES, stop=stop, seconds=90
    )
    stuck = finish(threads, stop, 100)
    check(sitting, ledger, stuck)
    assert len(ledger.acked) == 50 * SAVES, "every save should have been acknowledged"


def test_worker_killed_mid_save_loses_no_acknowledged_answer(sitting: Sitting) -> None:
    ledger, stop = Ledger(), threading.Event()
    server = sitting.server
    threads = run_sitting(
        server.port, sitting.take(30), ledger, saves=10_000, stop=stop, seconds=60
    )
    try:
        wait_for(lambda: len(ledger.acked) >= 100, 30, "the first 100 acknowledged saves")
        kills = []
        # A worker may happen to sit between requests: kill again (at most 3 times) until a
        # save was really cut off in the middle.
        while len(kills) < 3 and ledger.count(failed) == 0:
            victim = sorted(server.worker_pids())[len(kills) % WORKERS]
            in_flight = ledger.in_flight
            os.kill(victim, signal.SIGKILL)
            kills.append((victim, in_flight))
            wait_for(
                lambda v=victim: (
                    v not in server.worker_pids() and len(server.worker_pids()) == WORKERS
                ),
                30,
                f"the master to replace worker {victim}",
            )
            acked = len(ledger.acked)
            wait_for(
                lambda a=acked: len(ledger.acked) >= a + 60,
                30,
                "saves to go on after the replacement",
            )
    finally:
        stuck = finish(threads, stop, 0)
    check(sitting, ledger, stuck)
    assert server.process is not None and server.process.poll() is None, "master died"
    assert ledger.count(failed) >= 1, (
        f"no save was cut off by killing workers {kills}: the fault was not exercised"
    )
    print(
        f"worker kill: {len(kills)} kill(s) {kills}, {ledger.count(failed)} saves cut off "
        f"and retried, {len(ledger.acked)} acknowledged"
    )


def test_postgresql_restart_loses_no_acknowledged_answer_and_saving_recovers(
    sitting: Sitting,
) -> None:
    ledger, stop = Ledger(), threading.Event()
    server = sitting.server
    workers_before = server.worker_pids()
    threads = run_sitting(
        server.port, sitting.take(30), ledger, saves=10_000, stop=stop, seconds=80
    )
    try:
        wait_for(lambda: len(ledger.acked) >= 100, 30, "the first 100 acknowledged saves")
        sitting.cluster.stop_server("immediate")  # a crash: open transactions die mid-way
        down = time.monotonic()
        try:
            wait_for(
                lambda: ledger.count(lambda o: failed(o) and o.started > down) >= 20,
                15,
                "saves to fail while PostgreSQL is down",
            )
        finally:  # never leave the module's server down for the tests after this one
            coming_up = time.monotonic()
            sitting.cluster.start_server()
        up = time.monotonic()
        attempts = {attempt for attempt, _, _ in ledger.acked}

        def all_saving_again() -> bool:
            with ledger.lock:
                saved = {o.attempt for o in ledger.outcomes if o.status == 200 and o.started > up}
            return attempts <= saved

        # Without restarting the web server: the pool notices its dead connections (pool_pre_ping).
        # How soon is printed below, not asserted: the wait only keeps a hang from lasting.
        recovered = wait_for(all_saving_again, 30, "every candidate to save again") - up
        acked = len(ledger.acked)
        wait_for(lambda: len(ledger.acked) >= acked + 100, 20, "saving to go on")
    finally:
        stuck = finish(threads, stop, 0)
    check(sitting, ledger, stuck)
    phantom = ledger.count(lambda o: o.status == 200 and o.started > down and o.ended < coming_up)
    assert phantom == 0, f"{phantom} saves answered 200 while PostgreSQL was down"
    assert server.worker_pids() == workers_before, f"{server.name}'s workers were restarted"
    print(
        f"PostgreSQL restart: every candidate saving again {recovered:.2f} s after it was up; "
        f"{ledger.count(failed)} saves failed and were retried"
    )


def test_the_check_notices_a_lost_answer(sitting: Sitting) -> None:
    """The comparison above can fail: a 200 the database does not hold is reported."""
    ledger, stop = Ledger(), threading.Event()
    threads = run_sitting(
        sitting.server.port, sitting.take(1), ledger, saves=2, stop=stop, seconds=30
    )
    check(sitting, ledger, finish(threads, stop, 30))
    (attempt, part, seq), value = next(iter(ledger.acked.items()))
    ledger.acked[(attempt, part, seq + 50)] = ledger.sent[(attempt, part, seq + 50)] = value
    lost = lost_answers(sitting.cluster.conninfo(sitting.database), ledger)
    assert len(lost) == 2, lost  # not in response_history, and stored seq lower
