"""The authoring services: saving versions, and the author-test gate for an exam's pools."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from flask import Flask

from exam_engine.banks import BankError
from exam_engine.extensions import db
from exam_engine.models import Exam, ExamSection
from exam_engine.services import authoring
from exam_engine.services.exams import ExamNotReady
from tests.conftest import BANKS
from tests.factories import make_exam


@pytest.fixture
def bank(app: Flask, tmp_path: Path) -> Path:
    shutil.copytree(BANKS, tmp_path / "banks")
    app.config["QUESTION_BANKS_PATH"] = str(tmp_path / "banks")
    return tmp_path / "banks" / "fellowship"


def chain_rule(bank: Path) -> tuple[dict, str]:  # type: ignore[type-arg]
    stored = authoring.find_file(bank, "chain-rule")
    assert stored is not None
    return stored.data, stored.content_hash


def test_exam_whose_questions_pass_has_no_failures(app: Flask) -> None:
    exam = make_exam()
    assert authoring.exam_test_failures(exam, range(3)) == []


def test_a_failing_question_in_a_pool_is_reported(app: Flask, bank: Path) -> None:
    data, base = chain_rule(bank)
    data["tests"][1]["expected"] = 1  # "no inner derivative" now claims full marks
    authoring.save_question(bank, data, base)
    db.session.commit()
    with pytest.raises(ExamNotReady, match="chain-rule: tests\\[1\\]"):
        make_exam()  # draws from calculus, among others: it cannot be opened
    db.session.rollback()
    section = ExamSection(
        position=1, bank_slug="fellowship", topic="calculus", tags=[], draw_count=1
    )
    failures = authoring.exam_test_failures(Exam(sections=[section]), range(2))
    assert {(f.question, f.test, f.seed) for f in failures} == {
        ("chain-rule", 1, 0),
        ("chain-rule", 1, 1),
    }
    other = make_exam(
        "algebra-only",
        sections=[{"title": "LA", "bank": "fellowship", "topic": "linear-algebra", "draw": 1}],
    )
    assert authoring.exam_test_failures(other, range(2)) == []


def test_save_is_atomic_and_refuses_invalid_data(app: Flask, bank: Path) -> None:
    data, base = chain_rule(bank)
    path = bank / "calculus" / "chain-rule.yaml"
    before = path.read_text()
    data["parts"][0]["input"] = "formula"
    with pytest.raises(BankError) as caught:
        authoring.save_question(bank, data, base)
    assert caught.value.problems[0].field == "parts[0].input"
    assert path.read_text() == before
    assert not list(bank.glob("calculus/.*.tmp"))


def test_changing_the_topic_moves_the_file(app: Flask, bank: Path) -> None:
    data, base = chain_rule(bank)
    data["topic"] = "optimisation"
    result = authoring.save_question(bank, data, base)
    assert result.path == bank / "optimisation" / "chain-rule.yaml" and result.new_version
    assert not (bank / "calculus" / "chain-rule.yaml").exists()
    assert yaml.safe_load(result.path.read_text()) == data


def test_unchanged_save_keeps_the_file_and_the_version(app: Flask, bank: Path) -> None:
    data, base = chain_rule(bank)
    path = bank / "calculus" / "chain-rule.yaml"
    before = path.stat().st_mtime_ns
    result = authoring.save_question(bank, data, base)
    assert not result.changed_file and not result.new_version
    assert path.stat().st_mtime_ns == before


HOLD_LOCK = """
import sys, time
from pathlib import Path
from exam_engine.services.authoring import _bank_lock
bank, marks = Path(sys.argv[1]), Path(sys.argv[2])
with _bank_lock(bank):
    (marks / "held").touch()
    time.sleep(0.5)
    (marks / "released").touch()
"""


def test_saves_to_one_bank_wait_for_each_other_across_processes(tmp_path: Path) -> None:
    """The bank's lock is held on its folder: another process waits for it, and no lock file
    is left behind."""
    bank = tmp_path / "bank"
    bank.mkdir()
    marks = tmp_path / "marks"
    marks.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(bank), str(marks)])
    try:
        deadline = time.monotonic() + 60
        while not (marks / "held").exists():
            assert holder.poll() is None and time.monotonic() < deadline, "the holder never locked"
            time.sleep(0.01)
        with authoring._bank_lock(bank):
            assert (marks / "released").exists()  # we got the lock only once the other let go
    finally:
        assert holder.wait(timeout=60) == 0
    assert list(bank.iterdir()) == []
