"""The selection committee's pages: exams and the live dashboard.

The ranking, attempt, review and export pages live in sibling modules on the same blueprint.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from exam_engine import clock
from exam_engine.auth.guards import role_required
from exam_engine.errors import NotFound
from exam_engine.extensions import db
from exam_engine.models import Attempt, AttemptStatus, Exam, Invitation, Role
from exam_engine.services import attempts as attempt_service
from exam_engine.services import integrity
from exam_engine.services.review import display_name
from exam_engine.services.scoring import grade_pending

bp = Blueprint("committee", __name__, url_prefix="/committee")


def exam_by_slug(slug: str) -> Exam:
    """The exam, or 404."""
    exam = db.session.scalars(select(Exam).where(Exam.slug == slug)).first()
    if exam is None:
        raise NotFound()
    return exam


def catch_up() -> None:
    """Close attempts whose time ran out and grade what is waiting, before showing numbers."""
    now = clock.now()
    attempt_service.finalize_due(now)
    grade_pending(now)
    db.session.commit()


@bp.app_template_global()
def candidate_label(attempt: Attempt) -> str:
    """A candidate's name, or a pseudonym while the exam is in blind review."""
    return display_name(attempt.exam, attempt.id, attempt.candidate.name, attempt.candidate.email)


@bp.get("/")
@role_required(Role.COMMITTEE)
def exams() -> str:
    """Every exam, newest first."""
    found = db.session.scalars(select(Exam).order_by(Exam.opens_at.desc())).all()
    return render_template("committee/exams.html", exams=found)


@bp.get("/exams/<slug>")
@role_required(Role.COMMITTEE)
def dashboard(slug: str) -> str:
    """Invited, started and submitted counts, and each attempt's state and time left."""
    exam = exam_by_slug(slug)
    catch_up()
    invited = db.session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.exam_id == exam.id)
    )
    attempts = db.session.scalars(
        select(Attempt).where(Attempt.exam_id == exam.id).order_by(Attempt.started_at)
    ).all()
    counts = {
        "invited": invited or 0,
        "started": len(attempts),
        "submitted": sum(a.status != AttemptStatus.OPEN for a in attempts),
    }
    now = clock.now()
    return render_template(
        "committee/dashboard.html",
        exam=exam,
        counts=counts,
        attempts=attempts,
        seconds_left={a.id: attempt_service.seconds_left(a, now) for a in attempts},
        events=integrity.counts_by_attempt([a.id for a in attempts]),
    )
