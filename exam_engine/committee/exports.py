"""Exports, streamed: the ranking and every response as CSV, the whole exam as JSON.

Each export is a generator read in batches, so 10,000 candidates start arriving at once and
memory stays flat. The ranking comes from the last stored analysis, like the ranking page.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flask import Response, stream_with_context
from flask_babel import gettext as _
from sqlalchemy import select

from exam_engine import csvout
from exam_engine.auth.guards import role_required
from exam_engine.committee.ranking import label_of
from exam_engine.committee.routes import bp, exam_by_slug
from exam_engine.committee.snapshot import analysis_state
from exam_engine.extensions import db
from exam_engine.models import Attempt, Candidate, Decision, Grade, Role
from exam_engine.models import Response as Answer
from exam_engine.psychometrics.numbers import plain
from exam_engine.services import exam_export
from exam_engine.services.review import display_name

BATCH = 1000


def _csv(rows: Iterable[list[object]], filename: str) -> Response:
    """Streamed through the one CSV writer (formula cells neutralised, BOM for Korean)."""
    return csvout.download(rows, filename)


def _num(value: float | None) -> str:
    """Numbers by the one rounding rule (:func:`exam_engine.psychometrics.numbers.plain`)."""
    return plain(value)


@bp.get("/exams/<slug>/ranking.csv")
@role_required(Role.COMMITTEE)
def ranking_csv(slug: str) -> Response:
    """The ranking from the last stored analysis: ``rank`` first, then the candidate, ``email``,
    the primary score (percentage of the marks available), totals with their maxima, sub-scores
    with theirs, percentile, the cut-off, P(top k), the bootstrap check and the rank band."""
    exam = exam_by_slug(slug)
    snap = analysis_state(exam).snapshot or {"rows": [], "topics": []}
    decisions = {
        attempt_id: kind.value
        for attempt_id, kind in db.session.execute(
            select(Decision.attempt_id, Decision.kind)
            .join(Attempt, Attempt.id == Decision.attempt_id)
            .where(Attempt.exam_id == exam.id)
        )
    }
    topics = snap["topics"]
    header = [
        "rank",
        _("candidate"),
        "email",
        _("score (percent of marks available)"),
        _("total"),
        _("max"),
        _("tied"),
        _("percentile"),
        *[c for t in topics for c in (t, _("%(topic)s max", topic=t))],
        _("within cohort"),
        _("decided by tie-break"),
        _("P(top k)"),
        _("P(top k) bootstrap check"),
        _("rank band low"),
        _("rank band high"),
        _("ability"),
        _("ability SE"),
        _("certainty"),
        _("decision"),
    ]

    def rows() -> Iterator[list[object]]:
        yield header
        for row in snap["rows"]:
            maxima = row.get("by_topic_max") or [None] * len(row["by_topic"])
            yield [
                row["rank"],
                label_of(exam, row),
                "" if exam.blind else row["email"],
                _num(row.get("score")),
                _num(row["total"]),
                _num(row["max_total"]),
                int(row["tied"]),
                _num(row["percentile"]),
                *[_num(v) for pair in zip(row["by_topic"], maxima, strict=True) for v in pair],
                int(row["within_cohort"]),
                int(bool(row.get("tie_break"))),
                _num(row.get("p_top_k")),
                _num(row["p_boot"]),
                row["rank_low"] if row["rank_low"] is not None else "",
                row["rank_high"] if row["rank_high"] is not None else "",
                _num(row["ability"]),
                _num(row["ability_se"]),
                row["label"] or "",
                decisions.get(row["attempt_id"], ""),
            ]

    return _csv(rows(), f"{exam.slug}-ranking.csv")


@bp.get("/exams/<slug>/responses.csv")
@role_required(Role.COMMITTEE)
def responses_csv(slug: str) -> Response:
    """Every final response with its mark and the grader's note (one streamed query)."""
    exam = exam_by_slug(slug)
    stmt = (
        select(
            Attempt.id,
            Candidate.name,
            Candidate.email,
            Grade.part_key,
            Grade.topic,
            Answer.value,
            Grade.score,
            Grade.max_score,
            Grade.override_score,
            Grade.note,
        )
        .join(Candidate, Candidate.id == Attempt.candidate_id)
        .join(Grade, Grade.attempt_id == Attempt.id)
        .join(
            Answer,
            (Answer.attempt_id == Attempt.id) & (Answer.part_key == Grade.part_key),
            isouter=True,
        )
        .where(Attempt.exam_id == exam.id)
        .order_by(Attempt.id, Grade.part_key)
        .execution_options(yield_per=BATCH)
    )
    header: list[object] = [
        _("attempt"),
        _("candidate"),
        _("part"),
        _("topic"),
        _("answer"),
        _("mark"),
        _("max"),
        _("overridden"),
        _("note"),
    ]

    def rows() -> Iterator[list[object]]:
        yield header
        for (
            attempt_id,
            name,
            email,
            part,
            topic,
            value,
            score,
            top,
            override,
            note,
        ) in db.session.execute(stmt):
            yield [
                attempt_id,
                display_name(exam, attempt_id, name, email),
                part,
                topic,
                value or "",
                _num(score),
                _num(top),
                int(override is not None),
                note,
            ]

    return _csv(rows(), f"{exam.slug}-responses.csv")


@bp.get("/exams/<slug>/export.json")
@role_required(Role.COMMITTEE)
def export_json(slug: str) -> Response:
    """The whole exam as JSON, streamed; ``exam-engine exams import`` reads it back.

    In blind review names and e-mail addresses are pseudonymised (the full export after the
    audited reveal, or from ``exam-engine exams export``)."""
    exam = exam_by_slug(slug)
    return Response(
        stream_with_context(exam_export.export_json(exam, pseudonymise=exam.blind)),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{exam.slug}.json"'},
    )
