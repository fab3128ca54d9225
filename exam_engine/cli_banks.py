"""``exam-engine banks ...``: validate, import and test question banks."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from exam_engine.extensions import db


def _banks_path(path: str | None) -> Path:
    """The folder given, or the app's configured banks, or the repository's question_banks/."""
    if path:
        return Path(path)
    if current_app:
        return Path(current_app.config["QUESTION_BANKS_PATH"])
    return Path(__file__).resolve().parent.parent / "question_banks"


@click.group("banks")
def banks_group() -> None:
    """Validate question banks and load them into the database."""


@banks_group.command("validate")
@click.argument("path", required=False)
def banks_validate(path: str | None) -> None:
    """Check every question file; exit 1 naming file, question and field on any problem."""
    from exam_engine import banks

    target = _banks_path(path)
    if not target.exists():
        raise click.ClickException(f"{target}: no such file or folder")
    problems = banks.validate_path(target)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) found", err=True)
        sys.exit(1)
    click.echo(f"{target}: all questions valid")


@banks_group.command("import")
@click.argument("path", required=False)
@with_appcontext
def banks_import(path: str | None) -> None:
    """Load banks into the database as new question versions."""
    from exam_engine.services.questions import import_banks

    try:
        report = import_banks(_banks_path(path))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(
        f"{report.banks} bank(s): {report.new_questions} new question(s), "
        f"{report.new_versions} new version(s), {report.unchanged} unchanged"
    )
