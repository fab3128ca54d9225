"""`exams export` (the YAML definition, or the whole exam as JSON) and CSV invitations reported
line by line, from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from flask import Flask
from sqlalchemy import select

from exam_engine.extensions import db
from exam_engine.models import Exam
from exam_engine.services import exam_spec
from tests.factories import make_exam, make_invitation


def test_export_gives_the_file_that_creates_the_exam(app: Flask, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    exam = make_exam(title={"en": "Screening", "ko": "선발"}, timezone="Asia/Seoul")
    result = runner.invoke(args=["exams", "export", exam.slug])
    assert result.exit_code == 0, result.output
    spec = yaml.safe_load(result.stdout)
    assert spec == exam_spec.to_spec(exam) and spec["title"]["ko"] == "선발"
    copy = tmp_path / "copy.yaml"
    copy.write_text(result.stdout.replace(f"slug: {exam.slug}", "slug: copy"), encoding="utf-8")
    made = runner.invoke(args=["exams", "create", str(copy)])
    assert made.exit_code == 0, made.output
    twin = db.session.scalars(select(Exam).where(Exam.slug == "copy")).one()
    assert exam_spec.to_spec(twin) == {**spec, "slug": "copy"}
    # A file (or --format json) is still the whole exam, for `exams import`; .yaml is not.
    whole = tmp_path / "whole.txt"
    assert runner.invoke(args=["exams", "export", exam.slug, str(whole)]).exit_code == 0
    assert json.loads(whole.read_text())["format"] == "exam-engine/exam-export"
    for name, option in [("def.yaml", []), ("def.txt", ["--format", "yaml"])]:
        runner.invoke(args=["exams", "export", exam.slug, str(tmp_path / name), *option])
        assert yaml.safe_load((tmp_path / name).read_text()) == spec
    assert runner.invoke(args=["exams", "export", "nope"]).exit_code == 1


def test_csv_invitations_report_every_line(app: Flask, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    exam = make_exam()
    make_invitation(exam, "old@example.org")
    people = tmp_path / "people.csv"
    people.write_text(
        'email,name\na@example.org,"Ada\nLovelace"\nbad,B\nold@example.org,O\nA@example.org,A\n'
    )
    result = runner.invoke(args=["invites", "create", "--exam", exam.slug, "--csv", str(people)])
    assert result.exit_code == 1  # some rows were wrong; the good one is invited all the same
    assert result.stdout.count("/i/") == 1 and result.stdout.startswith("a@example.org\t")
    assert "line 3: bad is not an e-mail address" in result.stderr
    assert "line 4: old@example.org is already invited" in result.stderr
    assert "line 5: a@example.org appears again (first on line 2)" in result.stderr
    assert "1 invited, 2 duplicates skipped, 1 row with errors" in result.stderr
    one = runner.invoke(
        args=["invites", "create", "--exam", exam.slug, "--email", "old@example.org"]
    )
    assert one.exit_code == 0 and one.stdout.count("/i/") == 1  # the same link again
