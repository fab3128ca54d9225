"""The ranking page and blind review: the last stored analysis, a page at a time."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from exam_engine import clock
from exam_engine.auth.guards import role_required
from exam_engine.committee.forms import ConfirmForm
from exam_engine.committee.routes import PAGE_SIZE, bp, exam_by_slug, page_number, progress_of
from exam_engine.committee.snapshot import analysis_state, plot
from exam_engine.extensions import db
from exam_engine.models import Decision, Exam, Role
from exam_engine.services import review
from exam_engine.services.topics import titles_for_exam

CUTOFF_MARGIN = 5  # rows shown either side of the cut-off when it is not on the page


def decisions_for(attempt_ids: list[int]) -> dict[int, Decision]:
    """The decisions of these attempts, by attempt id (one statement)."""
    if not attempt_ids:
        return {}
    stmt = select(Decision).where(Decision.attempt_id.in_(attempt_ids))
    return {d.attempt_id: d for d in db.session.scalars(stmt)}


def label_of(exam: Exam, row: dict[str, Any]) -> str:
    """A snapshot row's candidate as the committee may see them now."""
    return review.display_name(exam, row["attempt_id"], row["name"] or "", row["email"])


def search(exam: Exam, rows: list[dict[str, Any]], query: str) -> list[dict[str, Any]]:
    """Rows whose shown name, e-mail (unless blind) or number contains ``query``."""
    needle = query.strip().lower().lstrip("#")
    return [
        r
        for r in rows
        if needle in label_of(exam, r).lower()
        or needle == str(r["attempt_id"])
        or (not exam.blind and needle in r["email"].lower())
    ]


@bp.get("/exams/<slug>/ranking")
@role_required(Role.COMMITTEE)
def ranking(slug: str) -> str:
    """The ranking: comparable scores, sub-scores per topic, ties, the cut-off line, how sure
    the line is (the panel) and each candidate's rank certainty."""
    exam = exam_by_slug(slug)
    state = analysis_state(exam)
    rows: list[dict[str, Any]] = state.snapshot["rows"] if state.snapshot else []
    query = request.args.get("q", "").strip()
    page = page_number()
    shown = search(exam, rows, query) if query else rows
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    page_rows = shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    near: list[dict[str, Any]] = []
    cut = [i for i, r in enumerate(rows) if r["within_cohort"]]
    if cut and not query:
        last = cut[-1]
        near = rows[max(0, last - CUTOFF_MARGIN) : last + CUTOFF_MARGIN + 1]
        if any(r is near[0] for r in page_rows):
            near = []
    decisions = decisions_for([r["attempt_id"] for r in page_rows + near])
    outlook = (state.snapshot or {}).get("outlook") or {}
    wanted = set(outlook.get("contenders", [])[:30])
    by_id = {r["attempt_id"]: r for r in rows if r["attempt_id"] in wanted}
    locale = str(get_locale() or "en")
    return render_template(
        "committee/ranking.html",
        exam=exam,
        state=state,
        snap=state.snapshot,
        rows=page_rows,
        near=near,
        n_rows=len(rows),
        n_shown=len(shown),
        query=query,
        page=page,
        pages=pages,
        page_size=PAGE_SIZE,
        decisions=decisions,
        by_id=by_id,
        label_of=label_of,
        progress=progress_of(exam, clock.now()),
        form=ConfirmForm(),
        topics=titles_for_exam(exam),
        plots={
            "distribution": plot(state, "distribution", locale),
            "bands": plot(state, "bands_blind" if exam.blind else "bands", locale),
        },
    )


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
