"""Issue #11, point 1: one writer at a time per attempt, under real concurrency.

granian, the recommended server, with several worker processes of several threads each serves a
real database (SQLite file or PostgreSQL);
threads speak HTTP to it and fire starts, saves and submits together (a barrier releases
them at once). Nothing may answer 500; the receipt must be the fingerprint of exactly the
answers stored; no answer may be stored after ``submitted_at``; every acknowledged save must be
in what the receipt covers.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine

from exam_engine.models import AttemptStatus
from tests.conftest import ENGINES, Databases, make_app
from tests.durability.candidates import Candidate
from tests.durability.servers import Granian, WebServer

pytestmark = pytest.mark.slow

WORKERS = 3
THREADS = 4  # per worker: racing requests meet in one process's threads as well as across processes
TRIALS = 4


@dataclass
class Server:
    """The web server on one engine's database, and invitations no test has used yet."""

    engine: str
    url: str
    web: WebServer
    tokens: list[str]
    database: Engine

    def take(self) -> str:
        return self.tokens.pop()


@pytest.fixture(scope="module", params=ENGINES)
def server(
    request: pytest.FixtureRequest,
    databases: Databases,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    from exam_engine.extensions import db
    from tests.factories import make_exam, make_invitation

    url = databases.fresh(str(request.param))
    app = make_app(url)
    with app.app_context():
        exam = make_exam()
        tokens = [make_invitation(exam, f"racer{n}@example.org").token for n in range(40)]
        db.session.remove()
        db.engine.dispose()
    log = tmp_path_factory.mktemp("granian") / "granian.log"
    web = Granian(url, log, workers=WORKERS, threads=THREADS)
    request.addfinalizer(web.stop)
    web.start()
    database = create_engine(url)
    yield Server(str(request.param), url, web, tokens, database)
    database.dispose()


def together(actions: list[Callable[[], Any]]) -> list[Any]:
    """Run every action in its own thread, released at the same moment; their results (an
    exception is a result too, so that a failing thread is never lost)."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(n: int) -> None:
        barrier.wait()
        try:
            results[n] = actions[n]()
        except Exception as exc:  # noqa: BLE001 - reported by the assertions
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(t.is_alive() for t in threads), "a request did not finish in 120 s"
    return results


def log_tail(server: Server) -> str:
    return "\n".join(Path(server.web.log_path).read_text(errors="replace").splitlines()[-30:])


def browser(server: Server, token: str, number: int) -> Candidate:
    """A browser with its own session that has opened the invitation page."""
    return Candidate(server.web.port, token, number, timeout=60)


def submit(candidate: Candidate) -> tuple[int, dict[str, Any]]:
    status, _, body = candidate.request(
        "POST", f"/api/attempts/{candidate.attempt}/submit", b"", {"X-CSRFToken": candidate.csrf}
    )
    return status, json.loads(body) if body.startswith(b"{") else {}


def stored_state(server: Server, attempt: int) -> tuple[dict[str, Any], dict[str, tuple]]:
    """The attempt's row and its stored answers, read straight from the database (through
    the models' tables, so that times come back aware on both engines)."""
    from exam_engine.models import Attempt, Response

    attempts, responses = Attempt.__table__.c, Response.__table__.c
    with server.database.connect() as conn:
        row = conn.execute(
            select(attempts.status, attempts.submitted_at, attempts.receipt).where(
                attempts.id == attempt
            )
        ).one()
        answers = {
            part: (seq, value, saved_at)
            for part, seq, value, saved_at in conn.execute(
                select(
                    responses.part_key, responses.seq, responses.value, responses.saved_at
                ).where(responses.attempt_id == attempt)
            )
        }
    return dict(row._mapping), answers


def fingerprint(attempt: int, answers: dict[str, tuple]) -> str:
    """The receipt as docs/api.md defines it: SHA-256 of the attempt id and final answers."""
    payload = json.dumps(
        {"attempt": attempt, "answers": {k: v[1] for k, v in sorted(answers.items())}},
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def test_parallel_starts_give_one_attempt_and_no_error(server: Server) -> None:
    token = server.take()
    browsers = [browser(server, token, n) for n in range(8)]
    for b in browsers:
        status, _, page = b.request("GET", f"/i/{token}")
        assert status == 200
        b.csrf = page.split(b'name="csrf-token" content="')[1].split(b'"')[0].decode()

    def start(b: Candidate) -> Callable[[], tuple[int, str]]:
        def go() -> tuple[int, str]:
            status, headers, _ = b.request(
                "POST",
                f"/i/{token}/start",
                f"csrf_token={b.csrf}".encode(),
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
            return status, headers.get("location", "")

        return go

    results = together([start(b) for b in browsers])
    assert all(isinstance(r, tuple) and r[0] == 302 for r in results), (
        f"{results}\n{log_tail(server)}"
    )
    assert len({location for _, location in results}) == 1, results
    with server.database.connect() as conn:
        count = conn.execute(
            text(
                "SELECT count(*) FROM attempts JOIN invitations ON invitations.id = "
                "attempts.invitation_id WHERE invitations.token = :t"
            ),
            {"t": token},
        ).scalar_one()
    assert count == 1


def test_parallel_submits_give_one_receipt(server: Server) -> None:
    candidate = browser(server, server.take(), 0)
    candidate.start()
    assert candidate.save(candidate.parts[0], "2*x", 1)[0] == 200
    results = together([lambda: submit(candidate) for _ in range(8)])
    assert all(isinstance(r, tuple) and r[0] == 200 for r in results), (
        f"{results}\n{log_tail(server)}"
    )
    receipts = {body["receipt"] for _, body in results}
    row, answers = stored_state(server, candidate.attempt)
    assert receipts == {row["receipt"]} == {fingerprint(candidate.attempt, answers)}


@pytest.mark.parametrize("trial", range(TRIALS))
def test_saves_racing_the_submit_match_the_receipt(server: Server, trial: int) -> None:
    """Two tabs save every part over and over while two submits are fired in the middle."""
    tabs = [browser(server, server.take(), 0)]
    tabs[0].start()
    second = Candidate(server.web.port, tabs[0].token, 1, timeout=60)
    second.cookie, second.csrf, second.attempt = tabs[0].cookie, tabs[0].csrf, tabs[0].attempt
    tabs.append(second)
    parts = tabs[0].parts
    acked: list[tuple[str, int, str]] = []
    statuses: list[int | None] = []
    guard = threading.Lock()

    def saver(tab: Candidate, offset: int) -> Callable[[], None]:
        def go() -> None:
            for seq in range(1, 9):
                for part in parts:
                    value = f"{seq + offset}*x+{trial}"
                    status, _ = tab.save(part, value, seq * 2 + offset)
                    with guard:
                        statuses.append(status)
                        if status == 200:
                            acked.append((part, seq * 2 + offset, value))

        return go

    def submitter() -> tuple[int, dict[str, Any]]:
        threading.Event().wait(0.05 * (trial + 1))  # somewhere among the saves
        return submit(tabs[0])

    results = together([saver(tabs[0], 0), saver(tabs[1], 1), submitter, submitter])
    submits = results[2:]
    assert all(isinstance(r, tuple) and r[0] == 200 for r in submits), (
        f"{submits}\n{log_tail(server)}"
    )
    assert not [s for s in statuses if s is None or s >= 500], f"{statuses}\n{log_tail(server)}"
    assert set(statuses) <= {200, 409}, statuses
    row, answers = stored_state(server, tabs[0].attempt)
    receipts = {body["receipt"] for _, body in submits}
    assert receipts == {row["receipt"]} == {fingerprint(tabs[0].attempt, answers)}
    assert row["status"] == AttemptStatus.SUBMITTED
    submitted_at = row["submitted_at"]
    late = {k: v for k, v in answers.items() if v[2] > submitted_at}
    assert not late, f"stored after submitted_at {submitted_at}: {late}"
    # Every acknowledged save is covered: the part's stored seq is at least the acknowledged one.
    for part, seq, _value in acked:
        assert answers[part][0] >= seq, (part, seq, answers[part])
