"""The ``exam-engine`` command line: a Flask CLI group over :func:`create_app` (API.md)."""

from __future__ import annotations

import csv
import sys
from typing import Any

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from exam_engine.cli_banks import banks_group
from exam_engine.cli_committee import committee_group
from exam_engine.cli_worker import run, worker
from exam_engine.extensions import db


def main() -> None:
    """Entry point of the ``exam-engine`` console script."""
    from exam_engine import create_app

    group = FlaskGroup(create_app=create_app, help="exam-engine: screening exams.")
    # Commands live on the group itself too, so the pure ones (banks validate, grade-batch)
    # run without building the app or needing a secret key.
    for command in COMMANDS:
        group.add_command(command)
    group(prog_name="exam-engine")


def _base_url() -> str:
    return str(current_app.config.get("BASE_URL", "http://127.0.0.1:5000")).rstrip("/")


@click.group("exams")
def exams_group() -> None:
    """Create and update exams."""


@exams_group.command("create")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@with_appcontext
def exams_create(file: click.File) -> None:
    """Create or update an exam from a YAML file; prints its slug."""
    from exam_engine.banks.source import SourceError, read_yaml
    from exam_engine.errors import DomainError
    from exam_engine.services.exams import save_exam

    try:
        data = read_yaml(file.read()).data  # type: ignore[attr-defined]  # bounded like banks
        exam = save_exam(data)
    except (SourceError, DomainError) as exc:
        raise click.ClickException(f"{getattr(file, 'name', 'file')}: {exc}") from exc
    db.session.commit()
    click.echo(exam.slug)


@exams_group.command("export")
@click.argument("slug")
@click.argument("out", type=click.File("w", encoding="utf-8"), default="-")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "json"]),
    help="yaml: the definition `exams create` reads; json: the whole exam with its attempts "
    "(for `exams import`). Default: yaml to stdout or to a .yaml/.yml file, else json.",
)
@with_appcontext
def exams_export(slug: str, out: click.File, fmt: str | None) -> None:
    """Write an exam's definition (YAML) or the whole exam (JSON) to OUT (default: stdout)."""
    import json

    from sqlalchemy import select

    from exam_engine.models import Exam
    from exam_engine.services.exam_export import export_exam
    from exam_engine.services.exam_spec import to_yaml

    exam = db.session.scalars(select(Exam).where(Exam.slug == slug)).first()
    if exam is None:
        raise click.ClickException(f"no exam with slug {slug!r}")
    name = str(getattr(out, "name", "-"))
    if fmt is None:  # a file is the whole exam (as before) unless it is named .yaml
        fmt = "yaml" if name in ("-", "<stdout>") or name.endswith((".yaml", ".yml")) else "json"
    if fmt == "yaml":
        out.write(to_yaml(exam))  # type: ignore[attr-defined]
    else:
        json.dump(export_exam(exam), out, ensure_ascii=False, indent=1)  # type: ignore[arg-type]


@exams_group.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--slug", help="import under this slug instead of the exported one")
@with_appcontext
def exams_import(file: click.File, slug: str | None) -> None:
    """Read an exam written by ``exams export``; prints its slug."""
    import json

    from exam_engine.errors import DomainError
    from exam_engine.services.exam_import import import_exam

    try:
        exam = import_exam(json.load(file), slug)  # type: ignore[arg-type]
    except (json.JSONDecodeError, DomainError) as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(exam.slug)


@click.group("invites")
def invites_group() -> None:
    """Invite candidates."""


@invites_group.command("create")
@click.option("--exam", "slug", required=True, help="the exam's slug")
@click.option("--email", help="one candidate's email")
@click.option(
    "--csv",
    "csv_file",
    type=click.File("r", encoding="utf-8-sig"),
    help="a CSV with columns email[,name[,time_factor]]",
)
@click.option("--send", is_flag=True, help="also e-mail each candidate their invitation")
@with_appcontext
def invites_create(
    slug: str, email: str | None, csv_file: click.File | None, send: bool = False
) -> None:
    """Print one invitation URL per candidate (and e-mail it with --send)."""
    from sqlalchemy import select

    from exam_engine.errors import DomainError
    from exam_engine.models import Exam
    from exam_engine.services.exams import invite
    from exam_engine.services.invite_csv import invite_rows, read_csv, summary

    if bool(email) == bool(csv_file):
        raise click.UsageError("give exactly one of --email and --csv")
    exam = db.session.scalars(select(Exam).where(Exam.slug == slug)).first()
    if exam is None:
        raise click.ClickException(f"no exam with slug {slug!r}")
    try:
        if email:  # one candidate: inviting again prints the same link
            invited = [invite(exam, email)]
        else:
            report = invite_rows(exam, read_csv(csv_file.read()))  # type: ignore[union-attr]
            invited = report.invited
    except (DomainError, csv.Error) as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    for invitation in invited:
        click.echo(f"{invitation.candidate.email}\t{_base_url()}/i/{invitation.token}")
    if send:
        _send_invitations(invited)
    if email:
        return
    for problem in [*report.duplicates, *report.errors]:
        click.echo(f"line {problem.line}: {problem.message()}", err=True)
    click.echo(summary(report), err=True)
    if report.errors:
        sys.exit(1)


def _send_invitations(invitations: list[Any]) -> None:
    """E-mail each invitation through the task queue (a worker sends them)."""
    from exam_engine import clock
    from exam_engine.mail import messages, outbox

    now = clock.now()
    made = [messages.invitation(invitation, now) for invitation in invitations]
    db.session.commit()
    queued = outbox.dispatch(made)
    click.echo(f"{queued} invitation e-mail(s) queued; a worker sends them", err=True)


@click.group("users")
def users_group() -> None:
    """Staff accounts."""


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "author", "committee"]))
@click.option("--name", default="")
@click.password_option(
    help="asked for when not given; EXAM_ENGINE_PASSWORD also works", envvar="EXAM_ENGINE_PASSWORD"
)
@with_appcontext
def users_create(email: str, role: str, name: str, password: str) -> None:
    """Create a staff account."""
    from exam_engine.errors import DomainError
    from exam_engine.services.users import create_user

    try:
        create_user(email, password, role, name)
    except (DomainError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"created {role} {email}")


@users_group.command("reset-password")
@click.option("--email", required=True)
@click.password_option(
    help="asked for when not given; EXAM_ENGINE_PASSWORD also works", envvar="EXAM_ENGINE_PASSWORD"
)
@with_appcontext
def users_reset_password(email: str, password: str) -> None:
    """Set a staff account's password; every session of that account ends."""
    from exam_engine.services.users import find_user, set_password

    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no staff account for {email}")
    try:
        set_password(user, password)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"new password set for {user.email}; their sessions have ended")


@click.command("grade-batch")
@click.option("--no-cache", is_flag=True, help="grade every line afresh (for measuring)")
@click.option("--pool", is_flag=True, help="accepted for compatibility: the pool is always used")
def grade_batch(no_cache: bool, pool: bool) -> None:
    """Grade JSON Lines from standard input to standard output, in the same order.

    Every line is graded in the worker pool under its time and memory limits
    (EXAM_ENGINE_GRADER_WORKERS, _TIMEOUT, _MEMORY_MB) and answered as soon as it is graded.
    """
    from exam_engine.grading import get_pool
    from exam_engine.grading.batch import run_batch

    run_batch(sys.stdin, sys.stdout, use_cache=not no_cache, pool=get_pool())


@click.group("attempts")
def attempts_group() -> None:
    """Maintenance of attempts."""


@attempts_group.command("finalize")
@with_appcontext
def attempts_finalize() -> None:
    """Close attempts whose deadline has passed and grade what is owed, in this process.

    The scheduler of ``exam-engine worker --beat`` does this by itself; this is for when no
    worker runs (or to catch up by hand).
    """
    from exam_engine import clock
    from exam_engine.jobs.grading import grade_pending
    from exam_engine.services.attempts import finalize_due

    now = clock.now()
    closed = finalize_due(now)
    db.session.commit()
    budget = float(current_app.config["GRADING_ATTEMPT_BUDGET_SECONDS"])
    graded = grade_pending(now, budget_seconds=budget)
    click.echo(f"closed {len(closed)} attempt(s), graded {graded}")


@click.command("demo")
@click.option("--force", is_flag=True, help="add the demo even if the database has data")
@with_appcontext
def demo(force: bool) -> None:
    """Make an empty database a ready demo and print how to get in."""
    from exam_engine import clock
    from exam_engine.services.demo import build_demo, is_empty

    if not is_empty() and not force:
        click.echo("the database already has data; nothing done (use --force to add the demo)")
        return
    report = build_demo(current_app.config["QUESTION_BANKS_PATH"], clock.now())
    db.session.commit()
    click.echo(f"Exam: {report.exam.title} ({report.exam.slug})")
    click.echo(f"Staff sign-in: {_base_url()}/staff/login")
    for email, role, password in report.staff:
        click.echo(f"  {role:<10} {email:<24} password: {password}")
    click.echo("Candidate invitations:")
    for invitation in report.invitations:
        click.echo(f"  {invitation.candidate.email:<24} {_base_url()}/i/{invitation.token}")


COMMANDS = (
    banks_group,
    exams_group,
    invites_group,
    users_group,
    committee_group,
    grade_batch,
    attempts_group,
    demo,
    worker,
    run,
)


def register(app: object) -> None:
    """Attach every command group to the app's CLI (for ``flask --app exam_engine``)."""
    for command in COMMANDS:
        if command is not run:  # ``flask run`` stays Flask's own
            app.cli.add_command(command)  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
