"""``exam-engine run`` with no broker: the development server and an embedded worker, so a
fresh clone grades submissions with no broker server (the file broker in a folder)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from flask import Flask

from exam_engine.extensions import db
from exam_engine.models import Attempt
from tests.conftest import make_app
from tests.durability.candidates import Candidate
from tests.durability.servers import ROOT, children_of, free_port
from tests.factories import make_exam, make_invitation
from tests.workers import wait_for


def test_run_serves_and_its_embedded_worker_grades(databases: object, tmp_path: Path) -> None:
    url = databases.fresh("sqlite")  # type: ignore[attr-defined]
    app: Flask = make_app(url)
    with app.app_context():
        token = make_invitation(make_exam(duration_minutes=60)).token
        db.session.remove()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXAM_ENGINE_")}
    env.update(
        {
            "EXAM_ENGINE_DATABASE_URL": url,
            "EXAM_ENGINE_SECRET_KEY": "embedded-test",
            "EXAM_ENGINE_EMBEDDED_BROKER_PATH": str(tmp_path / "queue"),
            "EXAM_ENGINE_SWEEP_SECONDS": "1",
        }
    )
    log = (tmp_path / "run.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "exam_engine.cli", "run", "--port", str(port), "--no-reload"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        person = Candidate(port, token, 1)
        wait_for(lambda: _answers(person), timeout=60)
        for seq, part in enumerate(person.parts, start=1):
            status, body = person.save(part, "x+1", seq)
            assert status == 200, body
        status, _, body = person.request(
            "POST",
            f"/api/attempts/{person.attempt}/submit",
            headers={"X-CSRFToken": person.csrf, "Content-Type": "application/json"},
        )
        assert status == 200, body

        def graded() -> bool:
            with app.app_context():
                attempt = db.session.get(Attempt, person.attempt)
                done = attempt is not None and attempt.graded_at is not None
                db.session.remove()
                return done

        wait_for(graded, timeout=120)
        assert any((tmp_path / "queue").iterdir()), "the file broker lives in the given folder"
        worker_pids = children_of(server.pid)
        assert worker_pids, "the embedded worker is a child of the server"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    # The worker went with the server.
    wait_for(lambda: not any(_alive(pid) for pid in worker_pids), timeout=20)
    # Readable lines, not JSON, under the development server: its requests, and each job of
    # its worker once.
    text = (tmp_path / "run.log").read_text(errors="replace")
    assert f"exam_engine.requests: POST /api/attempts/{person.attempt}/submit 200" in text
    assert text.count(f"graded attempt {person.attempt}") == 1
    assert '"logger": "exam_engine' not in text
    assert "WARNING/" not in text, text  # no warning from the worker (Celery's format)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting to be reaped does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2 :].split()[0] != "Z"


def _answers(person: Candidate) -> bool:
    try:
        person.start()
    except OSError:
        return False
    return True
