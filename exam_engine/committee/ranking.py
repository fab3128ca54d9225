"""The ranking page and blind review."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from exam_engine import clock
from exam_engine import psychometrics as pm
from exam_engine.auth.guards import role_required
from exam_engine.committee.forms import ConfirmForm
from exam_engine.committee.routes import bp, catch_up, exam_by_slug
from exam_engine.extensions import db
from exam_engine.models import Role
from exam_engine.services import review
from exam_engine.services.analysis import ExamAnalysis, analyse_exam


@bp.get("/exams/<slug>/ranking")
@role_required(Role.COMMITTEE)
def ranking(slug: str) -> str:
    """The ranking: totals, sub-scores per topic, ties, the cut-off line and rank certainty."""
    exam = exam_by_slug(slug)
    catch_up()
    result = analyse_exam(exam)
    return render_template(
        "committee/ranking.html", exam=exam, result=result, form=ConfirmForm(), plots=plots(result)
    )


def plots(result: ExamAnalysis) -> dict[str, str] | None:
    """The ranking's plots as SVG, labelled in the reader's language."""
    rows = result.ranking.rows
    if not rows:
        return None
    k = min(result.ranking_k, len(rows))
    drawn = {
        "distribution": pm.score_distribution_svg(
            [r.total for r in rows],
            max_total=max(r.max_total for r in rows) or 1.0,
            cutoff=rows[k - 1].total,
            title=_("Score distribution"),
            xlabel=_("Total mark"),
            ylabel=_("Candidates"),
            cutoff_label=_("cut-off"),
        )
    }
    analysis = result.analysis
    banded = [a for a in analysis.candidates if a.rank_low is not None] if analysis else []
    if banded:
        drawn["bands"] = pm.rank_bands_svg(
            [
                f"#{a.candidate_id}" if result.blind else result.names[int(a.candidate_id)]
                for a in banded
            ],
            [a.rank for a in banded],
            [a.rank_low or a.rank for a in banded],
            [a.rank_high or a.rank for a in banded],
            k,
            title=_("Rank with its 90% band"),
            xlabel=_("Rank"),
        )
    return drawn


@bp.post("/exams/<slug>/blind")
@role_required(Role.COMMITTEE)
def blind(slug: str) -> Response:
    """Turn blind review on (names hidden) or off (the reveal); both are audited."""
    exam = exam_by_slug(slug)
    ConfirmForm().validate()
    review.set_blind(exam, not exam.blind, current_user, clock.now())
    db.session.commit()
    flash(_("Names are hidden.") if exam.blind else _("Names are revealed."), "info")
    return redirect(url_for("committee.ranking", slug=exam.slug))
