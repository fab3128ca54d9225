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


@banks_group.command("test")
@click.argument("path", required=False)
@click.option("--variants", default=10, show_default=True, help="Seeds 0..N-1 per question.")
def banks_test(path: str | None, variants: int) -> None:
    """Run every question's author tests on N variants; exit 1 reporting each failure."""
    from exam_engine.banks.testing import run_path_tests

    target = _banks_path(path)
    if not target.exists():
        raise click.ClickException(f"{target}: no such file or folder")
    if variants < 1:
        raise click.BadParameter("must be at least 1", param_hint="--variants")
    run = run_path_tests(target, range(variants))
    for problem in run.problems:
        click.echo(str(problem), err=True)
    for failure in run.failures:
        click.echo(str(failure), err=True)
    if not run.ok:
        click.echo(
            f"{len(run.failures)} failure(s), {len(run.problems)} problem(s) "
            f"in {run.questions} question(s)",
            err=True,
        )
        sys.exit(1)
    click.echo(f"{target}: {run.questions} question(s) pass their tests on {variants} variant(s)")


@banks_group.command("export")
@click.argument("bank")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
def banks_export(bank: str, out: str) -> None:
    """Write the bank BANK (a name under the banks folder, or a folder) as a zip of YAML."""
    from exam_engine.banks.archive import export_bank

    folder = Path(bank) if Path(bank).is_dir() else _banks_path(None) / bank
    if not (folder / "bank.yaml").is_file():
        raise click.ClickException(f"{folder}: not a bank folder (no bank.yaml)")
    Path(out).write_bytes(export_bank(folder))
    click.echo(f"{folder.name}: written to {out}")


@banks_group.command("import-zip")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def banks_import_zip(file: str) -> None:
    """Check, validate and import a bank zip into the banks folder and the database."""
    from exam_engine.banks import BankError
    from exam_engine.banks.archive import ArchiveError
    from exam_engine.services.authoring import import_archive

    try:
        done = import_archive(_banks_path(None), Path(file).read_bytes())
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    except BankError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("the bank does not validate; nothing was imported") from exc
    db.session.commit()
    r = done.report
    click.echo(
        f"{done.bank}: {done.files} file(s); {r.new_questions} new question(s), "
        f"{r.new_versions} new version(s), {r.unchanged} unchanged"
    )


@banks_group.command("import-moodle")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--bank", required=True, help="The bank to add the questions to.")
@click.option("--topic", required=True, help="Their topic, e.g. calculus.")
@with_appcontext
def banks_import_moodle(file: str, bank: str, topic: str) -> None:
    """Import STACK questions from Moodle XML, reporting what was skipped and why."""
    from exam_engine.banks.model import TOPICS
    from exam_engine.banks.moodle import MoodleError
    from exam_engine.services.authoring import import_moodle

    if topic not in TOPICS:
        raise click.BadParameter(f"use one of {', '.join(TOPICS)}", param_hint="--topic")

    folder = _banks_path(None) / bank
    if not (folder / "bank.yaml").is_file():
        raise click.ClickException(f"{folder}: not a bank folder (no bank.yaml)")
    try:
        outcomes = import_moodle(folder, Path(file).read_bytes(), topic)
    except MoodleError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    for outcome in outcomes:
        status = f"imported as {outcome.question_id}" if outcome.question_id else "skipped"
        click.echo(f"{outcome.name}: {status}")
        for note in outcome.notes:
            click.echo(f"  - {note}")
    imported = sum(o.question_id is not None for o in outcomes)
    click.echo(f"{imported} of {len(outcomes)} question(s) imported")
