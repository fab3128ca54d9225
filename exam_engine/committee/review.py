"""Item analysis with drop / full-marks decisions, regrading as a reviewed job, integrity."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from exam_engine import clock
from exam_engine.auth.guards import role_required
from exam_engine.committee.forms import ConfirmForm, ItemForm, RegradeForm
from exam_engine.committee.routes import PAGE_SIZE, bp, exam_by_slug, page_number
from exam_engine.committee.snapshot import analysis_state, plot
from exam_engine.errors import NotFound
from exam_engine.extensions import db
from exam_engine.models import Attempt, ItemAction, ItemAdjustment, Job, JobKind, Question, Role
from exam_engine.services import integrity, review
from exam_engine.services import jobs as job_service
from exam_engine.services.regrade import RegradeRefused, apply_plan
from exam_engine.services.topics import titles_for_exam

PAIRS_SHOWN = 100  # flagged pairs listed, most shared answers first (the count is whole)
PLAN_ROWS = 500  # changed marks listed on the page (the count is always whole)
REFUSALS = {
    "changed": lambda: _(
        "Not applied: marks changed since this dry run was made (grading, an override, "
        "an item adjustment or another regrade). Run the dry run again and review it."
    ),
    "applied": lambda: _("Not applied: this regrade was applied already."),
    "unfinished": lambda: _("Not applied: this dry run has not finished."),
}


@bp.route("/exams/<slug>/items", methods=["GET", "POST"])
@role_required(Role.COMMITTEE)
def items(slug: str) -> str | Response:
    """Moodle's item statistics per question, weak items flagged, and the committee's remedy."""
    exam = exam_by_slug(slug)
    form = ItemForm()
    if request.method == "POST" and form.validate():
        question = db.session.get(Question, int(form.question_id.data or 0))
        if question is None:
            raise NotFound()
        action = ItemAction(form.action.data) if form.action.data else None
        review.adjust_item(
            exam, question, action, form.reason.data or "", current_user, clock.now()
        )
        db.session.commit()
        flash(_("The ranking and the statistics follow this change once updated."), "info")
        return redirect(url_for("committee.items", slug=exam.slug))
    state = analysis_state(exam)
    adjustments = {
        a.question_id: a.action.value
        for a in db.session.scalars(select(ItemAdjustment).where(ItemAdjustment.exam_id == exam.id))
    }
    return render_template(
        "committee/items.html",
        exam=exam,
        state=state,
        snap=state.snapshot,
        adjustments=adjustments,
        form=form,
        topics=titles_for_exam(exam),
        plot=plot(state, "items", str(get_locale() or "en")),
    )


@bp.get("/exams/<slug>/regrade")
@role_required(Role.COMMITTEE)
def regrade(slug: str) -> str:
    """The newest dry run: its progress, or the stored plan to review and apply."""
    exam = exam_by_slug(slug)
    job = job_service.latest(exam.id, JobKind.REGRADE)
    return render_template(
        "committee/regrade.html",
        exam=exam,
        form=RegradeForm(),
        apply_form=ConfirmForm(),
        job=job,
        plan=job.result if job is not None else None,
        outdated=job is not None
        and job.revision is not None
        and job.revision != job_service.revision_of(exam.id),
        plan_rows=PLAN_ROWS,
    )


@bp.post("/exams/<slug>/regrade")
@role_required(Role.COMMITTEE)
def regrade_start(slug: str) -> str | Response:
    """Start a dry run in the background; the page shows its progress, then its plan."""
    exam = exam_by_slug(slug)
    form = RegradeForm()
    if form.validate():
        job_service.create_job(
            JobKind.REGRADE, exam.id, clock.now(), {"policy": form.policy.data}, current_user.id
        )
        db.session.commit()
        flash(_("The dry run has started; this page shows its progress."), "info")
    return redirect(url_for("committee.regrade", slug=exam.slug))


@bp.post("/exams/<slug>/regrade/<int:job_id>/apply")
@role_required(Role.COMMITTEE)
def regrade_apply(slug: str, job_id: int) -> Response:
    """Apply exactly the stored plan, or refuse when marks changed since it was made."""
    exam = exam_by_slug(slug)
    job = db.session.get(Job, job_id)
    if (
        job is None
        or job.exam_id != exam.id
        or job.kind != JobKind.REGRADE
        or not ConfirmForm().validate()
    ):
        raise NotFound()
    try:
        changed = apply_plan(exam, job, current_user, clock.now())
    except RegradeRefused as refused:
        db.session.rollback()
        flash(REFUSALS.get(refused.reason, REFUSALS["changed"])(), "error")
        return redirect(url_for("committee.regrade", slug=exam.slug))
    db.session.commit()
    flash(
        ngettext(
            "Regrade applied: %(num)d mark changed.",
            "Regrade applied: %(num)d marks changed.",
            changed,
        ),
        "info",
    )
    return redirect(url_for("committee.ranking", slug=exam.slug))


@bp.get("/exams/<slug>/integrity")
@role_required(Role.COMMITTEE)
def integrity_view(slug: str) -> str:
    """Pairs sharing unusual identical wrong answers, and each candidate's sitting events."""
    exam = exam_by_slug(slug)
    state = analysis_state(exam)
    page = page_number()
    attempts = db.session.scalars(
        select(Attempt)
        .where(Attempt.exam_id == exam.id)
        .options(joinedload(Attempt.candidate))
        .order_by(Attempt.id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    total = db.session.scalar(
        select(db.func.count()).select_from(Attempt).where(Attempt.exam_id == exam.id)
    )
    snap = state.snapshot or {}
    names = {r["attempt_id"]: r for r in snap.get("rows", [])}
    return render_template(
        "committee/integrity.html",
        exam=exam,
        state=state,
        attempts=attempts,
        events=integrity.counts_by_attempt([a.id for a in attempts]),
        pairs=snap.get("pairs", [])[:PAIRS_SHOWN],
        n_pairs=len(snap.get("pairs", [])),
        names=names,
        page=page,
        pages=max(1, -(-(total or 0) // PAGE_SIZE)),
    )
