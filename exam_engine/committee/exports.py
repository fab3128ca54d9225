"""Exports: the ranking and every response as CSV, the whole exam as JSON."""

from __future__ import annotations

import csv
import io
import json

from flask import Response
from flask_babel import gettext as _
from sqlalchemy import select

from exam_engine.auth.guards import role_required
from exam_engine.committee.routes import bp, catch_up, exam_by_slug
from exam_engine.extensions import db
from exam_engine.models import Attempt, Grade, Role
from exam_engine.models import Response as Answer
from exam_engine.services.analysis import analyse_exam
from exam_engine.services.exam_export import export_exam
from exam_engine.services.review import display_name


def _csv(rows: list[list[object]], filename: str) -> Response:
    """UTF-8 with a BOM, so that spreadsheet programs read Korean names correctly."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


@bp.get("/exams/<slug>/ranking.csv")
@role_required(Role.COMMITTEE)
def ranking_csv(slug: str) -> Response:
    """The ranking with sub-scores, percentiles and P(top k)."""
    exam = exam_by_slug(slug)
    catch_up()
    result = analyse_exam(exam)
    topics = result.ranking.topics
    header = [
        _("rank"),
        _("tied"),
        _("candidate"),
        _("email"),
        _("total"),
        _("max"),
        _("percentile"),
        *topics,
        _("within cohort"),
        _("P(top k) bootstrap"),
        _("P(top k) IRT"),
        _("ability"),
        _("ability SE"),
        _("certainty"),
        _("decision"),
    ]
    rows: list[list[object]] = [header]
    for row in result.ranking.rows:
        a = result.by_attempt.get(row.attempt_id)
        name = display_name(exam, row.attempt_id, row.candidate.name, row.candidate.email)
        rows.append(
            [
                row.rank,
                int(row.tied),
                name,
                "" if exam.blind else row.candidate.email,
                _num(row.total),
                _num(row.max_total),
                _num(row.percentile),
                *[_num(row.by_topic[t]) for t in topics],
                int(row.within_cohort),
                _num(a.p_top_k_bootstrap if a else None),
                _num(a.p_top_k_irt if a else None),
                _num(a.ability if a else None),
                _num(a.ability_se if a else None),
                a.label if a else "",
                row.decision.kind.value if row.decision else "",
            ]
        )
    return _csv(rows, f"{exam.slug}-ranking.csv")


@bp.get("/exams/<slug>/responses.csv")
@role_required(Role.COMMITTEE)
def responses_csv(slug: str) -> Response:
    """Every final response with its mark and the grader's note."""
    exam = exam_by_slug(slug)
    catch_up()
    stmt = (
        select(Attempt, Grade, Answer)
        .join(Grade, Grade.attempt_id == Attempt.id)
        .join(
            Answer,
            (Answer.attempt_id == Attempt.id) & (Answer.part_key == Grade.part_key),
            isouter=True,
        )
        .where(Attempt.exam_id == exam.id)
        .order_by(Attempt.id, Grade.part_key)
    )
    rows: list[list[object]] = [
        [
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
    ]
    for attempt, grade, answer in db.session.execute(stmt):
        rows.append(
            [
                attempt.id,
                display_name(exam, attempt.id, attempt.candidate.name, attempt.candidate.email),
                grade.part_key,
                grade.topic,
                answer.value if answer else "",
                _num(grade.score),
                _num(grade.max_score),
                int(grade.override_score is not None),
                grade.note,
            ]
        )
    return _csv(rows, f"{exam.slug}-responses.csv")


@bp.get("/exams/<slug>/export.json")
@role_required(Role.COMMITTEE)
def export_json(slug: str) -> Response:
    """The whole exam as JSON; ``exam-engine exams import`` reads it back."""
    exam = exam_by_slug(slug)
    catch_up()
    body = json.dumps(export_exam(exam), ensure_ascii=False, indent=1)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{exam.slug}.json"'},
    )
