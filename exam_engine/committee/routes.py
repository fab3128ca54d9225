"""The selection committee's pages: exams and the live dashboard.

The ranking, attempt, review and export pages live in sibling modules on the same blueprint.
No committee GET writes anything: pages show the last stored state (attempts still being graded
as "grading", attempts past their deadline as ended, the last stored analysis) and never wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from exam_engine import clock
from exam_engine.auth.guards import require_exam, role_required
from exam_engine.committee.forms import MemberForm
from exam_engine.errors import NotFound
from exam_engine.extensions import db
from exam_engine.models import Attempt, AttemptStatus, Exam, ExamStatus, Invitation, Role, User
from exam_engine.services import attempts as attempt_service
from exam_engine.services import integrity, membership
from exam_engine.services.review import display_name

bp = Blueprint("committee", __name__, url_prefix="/committee")
PAGE_SIZE = 100


def exam_by_slug(slug: str) -> Exam:
    """The exam, if the signed-in member sits on its committee (admins: any); else 404."""
    exam = db.session.scalars(select(Exam).where(Exam.slug == slug)).first()
    if exam is None:
        raise NotFound()
    return require_exam(exam)


def committee_attempt(attempt_id: int) -> Attempt:
    """An attempt of an exam the signed-in member sits on the committee of; else 404."""
    attempt = attempt_service.get_attempt(attempt_id)
    require_exam(attempt.exam)
    return attempt


def page_number() -> int:
    """The ``page`` query argument, 1 or more."""
    return max(1, request.args.get("page", 1, type=int) or 1)


@dataclass
class Progress:
    """How far the sitting and its grading have got, counted (never written) at ``now``."""

    started: int
    ended: int
    graded: int

    @property
    def grading(self) -> int:
        """Ended attempts whose grades are not stored yet."""
        return self.ended - self.graded


def ended_clause(exam: Exam, now: datetime) -> ColumnElement[bool]:
    """SQL truth of "this attempt has ended": closed, or open past its deadline and grace."""
    past = now - timedelta(seconds=exam.grace_seconds)
    return or_(Attempt.status != AttemptStatus.OPEN, Attempt.deadline_at < past)


def progress_of(exam: Exam, now: datetime) -> Progress:
    """Started, ended and graded attempts, in one statement."""
    ended = ended_clause(exam, now)
    started, finished, graded = db.session.execute(
        select(
            func.count(Attempt.id),
            func.coalesce(func.sum(case((ended, 1), else_=0)), 0),
            func.count(Attempt.graded_at),
        ).where(Attempt.exam_id == exam.id)
    ).one()
    return Progress(int(started), int(finished), int(graded))


def has_ended(attempt: Attempt, now: datetime) -> bool:
    """Whether an attempt has ended, stored or not (the scheduler stores it soon)."""
    return attempt.status != AttemptStatus.OPEN or attempt.past_grace(now)


@bp.app_template_global()
def candidate_label(attempt: Attempt) -> str:
    """A candidate's name, or a pseudonym while the exam is in blind review."""
    return display_name(attempt.exam, attempt.id, attempt.candidate.name, attempt.candidate.email)


@bp.get("/")
@role_required(Role.COMMITTEE)
def exams() -> str:
    """The exams whose committee the member sits on (admins: every exam), newest first.

    Administrators also see each exam's members and assign or remove them here.
    """
    stmt = select(Exam).order_by(Exam.opens_at.desc())
    visible = membership.visible_exam_ids(current_user)
    if visible is not None:
        stmt = stmt.where(Exam.id.in_(visible))
    found = list(db.session.scalars(stmt))
    now = clock.now()
    # Open exams first (closing soonest first), then upcoming (soonest), then closed (newest).
    order = {ExamStatus.OPEN: 0, ExamStatus.UPCOMING: 1, ExamStatus.CLOSED: 2}
    found.sort(
        key=lambda e: (
            order[e.status(now)],
            {
                ExamStatus.OPEN: e.closes_at.timestamp(),
                ExamStatus.UPCOMING: e.opens_at.timestamp(),
                ExamStatus.CLOSED: -e.closes_at.timestamp(),
            }[e.status(now)],
        )
    )
    is_admin = current_user.role == Role.ADMIN
    return render_template(
        "committee/exams.html",
        exams=found,
        statuses={e.id: e.status(now).value for e in found},
        is_admin=is_admin,
        members=membership.members_of([e.id for e in found]) if is_admin else {},
        committee=membership.committee_users() if is_admin else [],
        member_form=MemberForm(formdata=None),
    )


@bp.post("/exams/<slug>/members")
@role_required(Role.ADMIN)
def members(slug: str) -> Response:
    """Assign a committee account to this exam, or take it off (administrators; audited)."""
    exam = exam_by_slug(slug)
    form = MemberForm()
    user = db.session.scalars(
        select(User).where(func.lower(User.email) == (form.email.data or "").strip().lower())
    ).first()
    if not form.validate() or user is None or user.role != Role.COMMITTEE:
        flash(_("Choose a committee account."), "error")
    elif form.remove.data:
        membership.remove_member(exam, user, current_user, clock.now())
        db.session.commit()
        flash(_("%(email)s no longer sees this exam.", email=user.email), "info")
    else:
        membership.add_member(exam, user, current_user, clock.now())
        db.session.commit()
        flash(_("%(email)s now sees this exam.", email=user.email), "info")
    return redirect(url_for("committee.exams") + f"#exam-{exam.id}")


@bp.get("/exams/<slug>")
@role_required(Role.COMMITTEE)
def dashboard(slug: str) -> str:
    """Invited, started, ended and graded counts, and a page of attempts with their state."""
    exam = exam_by_slug(slug)
    now = clock.now()
    page = page_number()
    invited = db.session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.exam_id == exam.id)
    )
    progress = progress_of(exam, now)
    attempts = db.session.scalars(
        select(Attempt)
        .where(Attempt.exam_id == exam.id)
        .options(joinedload(Attempt.candidate))
        .order_by(Attempt.started_at, Attempt.id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return render_template(
        "committee/dashboard.html",
        exam=exam,
        invited=invited or 0,
        progress=progress,
        attempts=attempts,
        ended={a.id: has_ended(a, now) for a in attempts},
        seconds_left={a.id: attempt_service.seconds_left(a, now) for a in attempts},
        events=integrity.counts_by_attempt([a.id for a in attempts]),
        page=page,
        pages=max(1, -(-progress.started // PAGE_SIZE)),
    )
