"""Grading under faults, on PostgreSQL + Redis + a web server (gunicorn and granian) + real workers.

- a worker's pool process SIGKILLed mid-grading: the task goes back to the queue, and the attempt
  is graded by the replacement process;
- a whole worker SIGKILLed (a machine lost): the scheduler of another worker re-enqueues;
- Redis restarted while grading (its queued messages lost): the sweep re-enqueues, nothing lost;
- one candidate with hostile answers everywhere: their submit is answered without waiting for
  grading, and other candidates save and submit meanwhile.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.conftest import broker
from tests.durability.candidates import Candidate
from tests.durability.servers import SERVERS, SittingCluster, WebServer, seed_sitting
from tests.workers import Worker, wait_for

QUEUE = "grading-faults"
HOSTILE = "e^(e^(e^(e^e)))"


@dataclass
class Stack:
    cluster: SittingCluster
    url: str
    server: WebServer
    tokens: list[str]
    folder: Path
    workers: list[Worker]

    def candidate(self) -> Candidate:
        token, self.tokens = self.tokens[0], self.tokens[1:]
        person = Candidate(self.server.port, token, len(self.tokens))
        person.start()
        return person

    def worker(self, name: str, beat: bool = False, **config: object) -> Worker:
        worker = Worker(self.url, broker().url, QUEUE, self.folder, name, beat, **config).start()
        self.workers.append(worker)
        return worker

    def graded(self, attempt_id: int) -> bool:
        with psycopg.connect(**self.cluster.conninfo("sitting")) as conn:
            row = conn.execute(
                "SELECT graded_at FROM attempts WHERE id = %s", (attempt_id,)
            ).fetchone()
        return row is not None and row[0] is not None


@pytest.fixture(scope="module", params=sorted(SERVERS))
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("grading-faults")
    cluster = SittingCluster()
    cluster.start()
    cluster.sql("CREATE DATABASE sitting")
    tokens = seed_sitting(cluster.url("sitting"), 40)
    server = SERVERS[request.param](
        cluster.url("sitting"), folder / f"{request.param}.log", workers=2, queue=QUEUE
    )
    server.start()
    built = Stack(cluster, cluster.url("sitting"), server, tokens, folder, [])
    try:
        yield built
    finally:
        for worker in built.workers:
            worker.kill()
        server.stop()
        cluster.stop()


@pytest.fixture(autouse=True)
def _stop_workers(stack: Stack) -> Iterator[None]:
    yield
    for worker in stack.workers:
        worker.kill()
    stack.workers.clear()


def answered_and_submitted(stack: Stack, value: str) -> Candidate:
    """A candidate who typed ``value`` into every part and submitted (answered at once)."""
    person = stack.candidate()
    for part in person.parts:
        status, _ = person.save(part, value, 1)
        assert status == 200
    status, _, body = person.request(
        "POST",
        f"/api/attempts/{person.attempt}/submit",
        headers={"X-CSRFToken": person.csrf, "Content-Type": "application/json"},
    )
    assert status == 200, body
    assert json.loads(body)["receipt"]
    return person


def test_pool_process_killed_mid_grading_the_attempt_is_graded_anyway(stack: Stack) -> None:
    person = answered_and_submitted(stack, HOSTILE)
    # Slow grading (each hostile answer runs to the 1 s limit), so there is time to kill it.
    worker = stack.worker("killed", GRADER_TIMEOUT=1, GRADING_ATTEMPT_BUDGET_SECONDS=60)
    wait_for(lambda: "grade_attempt" in worker.text() and "received" in worker.text())
    victims = worker.children()
    assert victims
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    wait_for(lambda: stack.graded(person.attempt), timeout=180)
    assert "WorkerLostError" in worker.text() or "exited" in worker.text()


def test_whole_worker_killed_another_one_grades_after_the_sweep(stack: Stack) -> None:
    person = answered_and_submitted(stack, HOSTILE)
    lost = stack.worker("lost", GRADER_TIMEOUT=1)
    wait_for(lambda: "received" in lost.text())
    lost.kill()  # the message was taken and never acknowledged
    assert not stack.graded(person.attempt)
    stack.worker("rescuer", beat=True, GRADING_REQUEUE_SECONDS=2, GRADER_TIMEOUT=0.5)
    wait_for(lambda: stack.graded(person.attempt), timeout=180)


def test_redis_restarted_during_grading_loses_nothing(stack: Stack) -> None:
    people = [answered_and_submitted(stack, "x+1") for _ in range(6)]
    hostile = answered_and_submitted(stack, HOSTILE)
    worker = stack.worker("steady", beat=True, GRADING_REQUEUE_SECONDS=3, GRADER_TIMEOUT=0.5)
    wait_for(lambda: "received" in worker.text())
    broker().restart()  # every message still queued is gone
    ids = [p.attempt for p in people] + [hostile.attempt]
    wait_for(lambda: all(stack.graded(a) for a in ids), timeout=240)


def test_hostile_candidate_does_not_hold_up_anyone(stack: Stack) -> None:
    """No worker runs: submit answers without grading, and the others carry on."""
    hostile = answered_and_submitted(stack, HOSTILE)
    assert not stack.graded(hostile.attempt)  # the request did not grade
    others = [stack.candidate() for _ in range(5)]
    for person in others:
        for seq, part in enumerate(person.parts, start=1):
            status, body = person.save(part, f"{seq}*x", seq)
            assert status == 200, body
    worker = stack.worker("late", beat=True, GRADER_TIMEOUT=0.5)
    for person in others:
        status, _, _ = person.request(
            "POST",
            f"/api/attempts/{person.attempt}/submit",
            headers={"X-CSRFToken": person.csrf, "Content-Type": "application/json"},
        )
        assert status == 200
    wait_for(lambda: all(stack.graded(p.attempt) for p in [hostile, *others]), timeout=240)
    # The log line follows the commit: wait for it rather than read the log at once.
    wait_for(lambda: len(set(worker.graded())) >= 6, timeout=30)
    assert len(set(worker.graded())) == 6
