"""The exam-engine command line, against real databases."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from exam_engine.extensions import db
from exam_engine.models import Exam, Invitation, User
from tests.conftest import BANKS, Databases, make_app

EXAM_YAML = """
slug: spring
title: Spring screening
opens_at: {opens}
closes_at: {closes}
timezone: Asia/Seoul
duration_minutes: 60
cohort_size: 3
sections:
  - {{bank: fellowship, topic: calculus, draw: 2}}
"""


def test_exams_invites_and_users(app: Flask, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    exam_file = tmp_path / "exam.yaml"
    exam_file.write_text(
        EXAM_YAML.format(opens=now.isoformat(), closes=(now + timedelta(days=2)).isoformat())
    )
    result = runner.invoke(args=["exams", "create", str(exam_file)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "spring"
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("email,name,time_factor\na@example.org,A,1.25\nb@example.org,B,1\n")
    result = runner.invoke(args=["invites", "create", "--exam", "spring", "--csv", str(csv_file)])
    assert result.exit_code == 0, result.output
    assert result.output.count("/i/") == 2
    factors = db.session.scalars(select(Invitation.time_factor).order_by(Invitation.id)).all()
    assert factors == [1.25, 1.0]
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "c@example.org",
            "--role",
            "committee",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "c@example.org")) is not None


def test_bad_exam_file_names_the_field(app: Flask, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    exam_file = tmp_path / "exam.yaml"
    exam_file.write_text(
        "slug: x\ntitle: X\nopens_at: tomorrow\ncloses_at: 2030-01-01\n"
        "duration_minutes: 60\nsections: []\n"
    )
    result = runner.invoke(args=["exams", "create", str(exam_file)])
    assert result.exit_code == 1 and "opens_at" in result.output
    exam_file.write_text(": : not yaml [")
    assert runner.invoke(args=["exams", "create", str(exam_file)]).exit_code == 1
    assert db.session.scalar(select(func.count()).select_from(Exam)) == 0


def test_demo_fills_an_empty_database_once(databases: Databases, engine: str) -> None:
    from flask_migrate import upgrade

    app = make_app(databases.empty(engine))
    with app.app_context():
        upgrade()
        runner = app.test_cli_runner()
        result = runner.invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        assert result.output.count("/i/") == 5 and "committee@example.org" in result.output
        assert "the database already has data" in runner.invoke(args=["demo"]).output
        assert db.session.scalar(select(func.count()).select_from(Exam)) == 1
        db.session.remove()
        db.engine.dispose()


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "exam-engine"
    return subprocess.run(
        [str(exe), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": str(exe.parent), "HOME": "/tmp"},
    )


def test_banks_validate_command(tmp_path: Path) -> None:
    ok = _cli("banks", "validate", str(BANKS))
    assert ok.returncode == 0, ok.stderr
    broken = tmp_path / "broken.yaml"
    source = next(BANKS.rglob("*.yaml"))
    text = next(p for p in BANKS.rglob("*.yaml") if p.name != "bank.yaml").read_text()
    broken.write_text(text.replace("topic:", "topik:", 1))
    bad = _cli("banks", "validate", str(broken))
    assert bad.returncode == 1 and "broken.yaml" in bad.stderr and "topic" in bad.stderr
    assert source.exists()


def test_grade_batch_command() -> None:
    lines = [
        {"id": 1, "student": "x^2-1", "teacher": "(x-1)*(x+1)", "test": "AlgEquiv"},
        "this is not json",
        {"id": 3, "student": "x^2", "teacher": "x^3"},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    result = _cli("grade-batch", "--no-cache", stdin=stdin)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["correct"] for o in out] == [True, False, False]
    assert out[0]["id"] == 1 and out[2]["id"] == 3
    assert out[1]["error"] and out[0]["error"] is None


def test_attempts_finalize_closes_and_grades_abandoned_attempts(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    from exam_engine.models import Attempt, AttemptStatus
    from exam_engine.services.attempts import start_attempt
    from tests.factories import make_exam, make_invitation

    long_ago = datetime.now(UTC) - timedelta(hours=3)
    exam = make_exam(now=long_ago)
    gone = start_attempt(make_invitation(exam, "gone@example.org"), long_ago)
    here = start_attempt(make_invitation(exam, "here@example.org"), datetime.now(UTC))
    db.session.commit()
    result = runner.invoke(args=["attempts", "finalize"])
    assert result.exit_code == 0 and "closed 1 attempt(s), graded 1" in result.output
    db.session.expire_all()
    assert db.session.get(Attempt, gone.id).status == AttemptStatus.EXPIRED
    assert db.session.get(Attempt, gone.id).graded_at is not None
    assert db.session.get(Attempt, here.id).status == AttemptStatus.OPEN
