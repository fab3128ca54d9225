"""The selection committee's pages: exams, the live dashboard, the ranking and its export."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _
from sqlalchemy import func, select

from exam_engine import clock
from exam_engine.auth.guards import role_required
from exam_engine.errors import NotFound
from exam_engine.extensions import db
from exam_engine.models import Attempt, AttemptStatus, Exam, Invitation, Role
from exam_engine.services import attempts as attempt_service
from exam_engine.services import integrity
from exam_engine.services.ranking import rank_exam
from exam_engine.services.scoring import grade_pending

bp = Blueprint("committee", __name__, url_prefix="/committee")


def _exam(slug: str) -> Exam:
    exam = db.session.scalars(select(Exam).where(Exam.slug == slug)).first()
    if exam is None:
        raise NotFound()
    return exam


def _catch_up() -> None:
    """Close attempts whose time ran out and grade what is waiting, before showing numbers."""
    now = clock.now()
    attempt_service.finalize_due(now)
    grade_pending(now)
    db.session.commit()


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
    exam = _exam(slug)
    _catch_up()
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


@bp.get("/exams/<slug>/ranking")
@role_required(Role.COMMITTEE)
def ranking(slug: str) -> str:
    """The ranking: totals, sub-scores per topic, ties and the cut-off line at k."""
    exam = _exam(slug)
    _catch_up()
    rows, topics = rank_exam(exam)
    return render_template("committee/ranking.html", exam=exam, rows=rows, topics=topics)


@bp.get("/exams/<slug>/ranking.csv")
@role_required(Role.COMMITTEE)
def ranking_csv(slug: str) -> Response:
    """The ranking as CSV (UTF-8 with a BOM, so spreadsheet programs read Korean names)."""
    exam = _exam(slug)
    _catch_up()
    rows, topics = rank_exam(exam)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("rank"),
            _("tied"),
            _("email"),
            _("name"),
            _("total"),
            _("max"),
            *topics,
            _("within cohort"),
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.rank,
                int(row.tied),
                row.candidate.email,
                row.candidate.name,
                f"{row.total:g}",
                f"{row.max_total:g}",
                *[f"{row.by_topic[t]:g}" for t in topics],
                int(row.within_cohort),
            ]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{exam.slug}-ranking.csv"'},
    )


from exam_engine.committee import attempts as _attempt_views  # noqa: E402,F401  (routes on bp)
