"""Item analysis with drop / full-marks decisions, and regrading with a dry run first."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from exam_engine import clock
from exam_engine import psychometrics as pm
from exam_engine.auth.guards import role_required
from exam_engine.committee.forms import ItemForm, RegradeForm
from exam_engine.committee.routes import bp, catch_up, exam_by_slug
from exam_engine.errors import NotFound
from exam_engine.extensions import db
from exam_engine.models import Attempt, ItemAction, Question, Role
from exam_engine.services import integrity, review
from exam_engine.services.analysis import analyse_exam
from exam_engine.services.regrade import apply_regrade, plan_regrade
from exam_engine.services.similarity import flagged_pairs


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
        flash(_("The ranking now follows this change."), "info")
        return redirect(url_for("committee.items", slug=exam.slug))
    catch_up()
    result = analyse_exam(exam)
    test = result.analysis.test if result.analysis else None
    plot = None
    usable = [i for i in result.questions if i.stats is not None]
    if usable:
        plot = pm.item_map_svg(
            [i.question.slug for i in usable],
            [i.stats.facility for i in usable if i.stats],
            [i.stats.discrimination_index for i in usable if i.stats],
            title=_("Items: facility and discrimination"),
            xlabel=_("Facility index"),
            ylabel=_("Discrimination index"),
        )
    return render_template(
        "committee/items.html", exam=exam, result=result, test=test, form=form, plot=plot
    )


@bp.route("/exams/<slug>/regrade", methods=["GET", "POST"])
@role_required(Role.COMMITTEE)
def regrade(slug: str) -> str | Response:
    """A dry run lists changed marks and rank moves; applying it is a second, audited step."""
    exam = exam_by_slug(slug)
    catch_up()
    form = RegradeForm()
    plan = None
    if request.method == "POST" and form.validate():
        plan = plan_regrade(exam, form.policy.data or "shown")
        if form.confirm.data == "apply":
            changed = apply_regrade(exam, plan, current_user, clock.now())
            db.session.commit()
            flash(_("Regrade applied: %(n)d marks changed.", n=changed), "info")
            return redirect(url_for("committee.ranking", slug=exam.slug))
    return render_template("committee/regrade.html", exam=exam, form=form, plan=plan)


@bp.get("/exams/<slug>/integrity")
@role_required(Role.COMMITTEE)
def integrity_view(slug: str) -> str:
    """Each candidate's sitting events, and pairs sharing unusual identical wrong answers."""
    exam = exam_by_slug(slug)
    catch_up()
    attempts = db.session.scalars(
        select(Attempt).where(Attempt.exam_id == exam.id).order_by(Attempt.id)
    ).all()
    return render_template(
        "committee/integrity.html",
        exam=exam,
        attempts={a.id: a for a in attempts},
        events=integrity.counts_by_attempt([a.id for a in attempts]),
        pairs=flagged_pairs(exam),
    )
