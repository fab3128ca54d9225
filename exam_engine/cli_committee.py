"""``exam-engine committee add|remove|list``: who sits on which exam's committee."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from exam_engine.extensions import db


def _exam_and_user(slug: str, email: str) -> tuple[object, object]:
    from exam_engine.models import Exam
    from exam_engine.services.users import find_user

    exam = db.session.scalars(select(Exam).where(Exam.slug == slug)).first()
    if exam is None:
        raise click.ClickException(f"no exam with slug {slug!r}")
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no staff account for {email}")
    return exam, user


@click.group("committee")
def committee_group() -> None:
    """Committee membership per exam (administrators see every exam without it)."""


@committee_group.command("add")
@click.option("--exam", "slug", required=True, help="the exam's slug")
@click.option("--email", required=True, help="a committee account's email")
@with_appcontext
def committee_add(slug: str, email: str) -> None:
    """Let a committee account see and work on one exam."""
    from exam_engine import clock
    from exam_engine.services.membership import MembershipError, add_member

    exam, user = _exam_and_user(slug, email)
    try:
        added = add_member(exam, user, None, clock.now())  # type: ignore[arg-type]
    except MembershipError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"{email} {'added to' if added else 'already on'} the committee of {slug}")


@committee_group.command("remove")
@click.option("--exam", "slug", required=True, help="the exam's slug")
@click.option("--email", required=True, help="a committee account's email")
@with_appcontext
def committee_remove(slug: str, email: str) -> None:
    """Take a committee account off one exam."""
    from exam_engine import clock
    from exam_engine.services.membership import remove_member

    exam, user = _exam_and_user(slug, email)
    removed = remove_member(exam, user, None, clock.now())  # type: ignore[arg-type]
    db.session.commit()
    click.echo(f"{email} {'removed from' if removed else 'was not on'} the committee of {slug}")


@committee_group.command("list")
@click.option("--exam", "slug", required=True, help="the exam's slug")
@with_appcontext
def committee_list(slug: str) -> None:
    """Print the emails of an exam's committee members, one a line."""
    from exam_engine.models import Exam
    from exam_engine.services.membership import members_of

    exam = db.session.scalars(select(Exam).where(Exam.slug == slug)).first()
    if exam is None:
        raise click.ClickException(f"no exam with slug {slug!r}")
    for user in members_of([exam.id])[exam.id]:
        click.echo(user.email)
