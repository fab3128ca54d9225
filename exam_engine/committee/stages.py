"""Two-stage selection: invite the shortlist to a second exam, and see both stages side by side."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from exam_engine import clock
from exam_engine.auth.guards import role_required
from exam_engine.committee.forms import StageForm
from exam_engine.committee.routes import bp, exam_by_slug
from exam_engine.committee.snapshot import analysis_state
from exam_engine.extensions import db
from exam_engine.models import DecisionKind, Exam, Role
from exam_engine.services import membership, stages


def _form(exam: Exam) -> StageForm:
    """The form, offering every other exam this member sits on the committee of."""
    form = StageForm()
    stmt = select(Exam).where(Exam.id != exam.id).order_by(Exam.opens_at.desc())
    visible = membership.visible_exam_ids(current_user)
    if visible is not None:
        stmt = stmt.where(Exam.id.in_(visible))
    form.second.choices = [(e.slug, e.title) for e in db.session.scalars(stmt)]
    return form


@bp.get("/exams/<slug>/stages")
@role_required(Role.COMMITTEE)
def stages_view(slug: str) -> str:
    """The shortlist's second stage: the invite form, and both stages side by side."""
    exam = exam_by_slug(slug)
    seconds = stages.second_stages(exam)
    wanted = request.args.get("second")
    second = next((s for s in seconds if s.slug == wanted), seconds[-1] if seconds else None)
    if second is not None and not membership.can_see(current_user, second.id):
        second = None  # a stage this member is not on the committee of stays hidden
    snapshot = analysis_state(exam).snapshot or {}
    ranks = {r.get("attempt_id"): r.get("rank") for r in snapshot.get("rows", [])}
    rows = stages.side_by_side(exam, second, clock.now()) if second is not None else []
    rows.sort(key=lambda r: (ranks.get(r.attempt.id) or 10**9, -(r.share or 0.0)))
    return render_template(
        "committee/stages.html",
        exam=exam,
        form=_form(exam),
        seconds=[s for s in seconds if membership.can_see(current_user, s.id)],
        second=second,
        rows=rows,
        ranks=ranks,
        shortlisted=len(stages.shortlisted(exam, (DecisionKind.SHORTLIST,))),
    )


@bp.post("/exams/<slug>/stages")
@role_required(Role.COMMITTEE)
def stages_invite(slug: str) -> Response:
    """Invite the shortlisted to the chosen second exam (audited); says what happened."""
    exam = exam_by_slug(slug)
    form = _form(exam)
    if not form.validate():
        flash(_("Choose the second-stage exam."), "error")
        return redirect(url_for("committee.stages_view", slug=exam.slug))
    second = exam_by_slug(form.second.data or "")
    kinds = (DecisionKind.SHORTLIST,) + ((DecisionKind.OFFER,) if form.include_offers.data else ())
    report = stages.invite_shortlisted(exam, second, current_user, clock.now(), kinds)
    db.session.commit()
    flash(
        _(
            "%(invited)d invited to %(title)s, %(already)d already invited, "
            "of %(total)d chosen candidates.",
            invited=report.invited,
            already=report.already,
            total=report.shortlisted,
            title=second.title,
        ),
        "info",
    )
    return redirect(url_for("committee.stages_view", slug=exam.slug, second=second.slug))
