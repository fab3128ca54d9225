"""``exam-engine banks test|export|import-zip|import-moodle`` against real databases."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from exam_engine.extensions import db
from exam_engine.models import Question, QuestionVersion
from tests.conftest import BANKS

FIXTURE = Path(__file__).resolve().parents[1] / "banks" / "fixtures" / "stack_small.xml"


def banks_copy(app: Flask, tmp_path: Path) -> Path:
    target = tmp_path / "banks"
    shutil.copytree(BANKS, target)
    app.config["QUESTION_BANKS_PATH"] = str(target)
    return target


def test_banks_test_passes_on_the_sample_bank(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["banks", "test", str(BANKS), "--variants", "3"])
    assert result.exit_code == 0, result.output
    assert "107 question(s) pass their tests on 3 variant(s)" in result.output


def test_banks_test_reports_each_failure(app: Flask, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = banks_copy(app, tmp_path)
    path = root / "fellowship" / "calculus" / "chain-rule.yaml"
    path.write_text(path.read_text().replace("expected: 0.5", "expected: 1"))
    result = runner.invoke(args=["banks", "test", "--variants", "2"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "chain-rule.yaml" in line]
    assert len(lines) == 2  # one per seed
    assert (
        "fellowship/calculus/chain-rule.yaml: chain-rule: tests[2] (inner derivative halved)"
        in lines[0]
    )
    assert "seed 0, part deriv, response '" in lines[0] and "expected 1, got 0.5" in lines[0]
    assert "note 'deriv-rule1'" in lines[0]


def test_export_then_import_zip(app: Flask, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = banks_copy(app, tmp_path)
    out = tmp_path / "fellowship.zip"
    result = runner.invoke(args=["banks", "export", "fellowship", str(out)])
    assert result.exit_code == 0, result.output
    names = zipfile.ZipFile(out).namelist()
    assert "fellowship/bank.yaml" in names and "fellowship/calculus/chain-rule.yaml" in names
    # Change one question inside the archive and import it: one new version.
    edited = tmp_path / "edited.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(edited, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name.endswith("chain-rule.yaml"):
                data = data.replace(b"en: Chain rule", b"en: Chain rule (zip)")
            dst.writestr(name, data)
    result = runner.invoke(args=["banks", "import-zip", str(edited)])
    assert result.exit_code == 0, result.output
    assert "0 new question(s), 1 new version(s)" in result.output
    assert "Chain rule (zip)" in (root / "fellowship" / "calculus" / "chain-rule.yaml").read_text()


def test_import_zip_refuses_an_invalid_bank_and_writes_nothing(
    app: Flask, runner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    root = banks_copy(app, tmp_path)
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("fellowship/bank.yaml", (root / "fellowship" / "bank.yaml").read_text())
        archive.writestr("fellowship/calculus/chain-rule.yaml", "id: chain-rule\ntitle: x\n")
    before = (root / "fellowship" / "calculus" / "chain-rule.yaml").read_text()
    result = runner.invoke(args=["banks", "import-zip", str(bad)])
    assert result.exit_code == 1
    assert "calculus/chain-rule.yaml" in result.output and "nothing was imported" in result.output
    assert (root / "fellowship" / "calculus" / "chain-rule.yaml").read_text() == before
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("../../evil.yaml", "x")
    result = runner.invoke(args=["banks", "import-zip", str(evil)])
    assert result.exit_code == 1 and not (tmp_path / "evil.yaml").exists()


def test_import_moodle_reports_what_was_skipped(app: Flask, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = banks_copy(app, tmp_path)
    result = runner.invoke(
        args=["banks", "import-moodle", str(FIXTURE), "--bank", "fellowship", "--topic", "calculus"]
    )
    assert result.exit_code == 0, result.output
    assert "Differentiate a power: imported as differentiate-a-power" in result.output
    assert "Explain a proof: skipped" in result.output
    assert "type 'notes' is not supported" in result.output
    assert "1 of 3 question(s) imported" in result.output
    assert (root / "fellowship" / "calculus" / "differentiate-a-power.yaml").is_file()
    question = db.session.scalars(
        select(Question).where(Question.slug == "differentiate-a-power")
    ).one()
    assert db.session.scalars(
        select(QuestionVersion).where(QuestionVersion.question_id == question.id)
    ).one()
    bad_topic = runner.invoke(
        args=["banks", "import-moodle", str(FIXTURE), "--bank", "fellowship", "--topic", "x"]
    )
    assert bad_topic.exit_code == 2
