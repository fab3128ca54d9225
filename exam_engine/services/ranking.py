"""The committee's ranking: totals, per-topic sub-scores, ties, percentiles, the cut-off at k."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from exam_engine.extensions import db
from exam_engine.models import (
    Attempt,
    AttemptStatus,
    Candidate,
    Decision,
    Exam,
    Grade,
    ItemAction,
    ItemAdjustment,
    QuestionVersion,
)


@dataclass
class RankRow:
    """One candidate's line in the ranking."""

    rank: int
    tied: bool
    attempt_id: int
    candidate: Candidate
    total: float
    max_total: float
    by_topic: dict[str, float] = field(default_factory=dict)
    percentile: float = 0.0
    within_cohort: bool = False
    decision: Decision | None = None


@dataclass
class Ranking:
    """The ranked rows, best first, and the topics of the sub-scores."""

    rows: list[RankRow]
    topics: list[str]
    adjustments: dict[int, ItemAdjustment]


def adjustments_of(exam: Exam) -> dict[int, ItemAdjustment]:
    """The exam's item adjustments by question id."""
    stmt = select(ItemAdjustment).where(ItemAdjustment.exam_id == exam.id)
    return {a.question_id: a for a in db.session.scalars(stmt)}


def graded_attempts(exam: Exam) -> list[Attempt]:
    """Closed, graded attempts of the exam, oldest first."""
    stmt = (
        select(Attempt)
        .where(
            Attempt.exam_id == exam.id,
            Attempt.status != AttemptStatus.OPEN,
            Attempt.graded_at.is_not(None),
        )
        .order_by(Attempt.id)
        .options(joinedload(Attempt.candidate))
    )
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class Mark:
    """A part's mark as the ranking counts it, after the committee's item adjustments."""

    part_key: str
    question_id: int | None
    topic: str
    score: float
    max_score: float


def effective_marks(exam: Exam, attempts: list[Attempt]) -> dict[int, list[Mark]]:
    """Each attempt's marks: dropped questions left out, full-marks questions at the maximum.

    Stored grades never change here; the adjustments apply on the way to the ranking.
    """
    adjustments = adjustments_of(exam)
    found: dict[int, list[Mark]] = defaultdict(list)
    if not attempts:
        return found
    stmt = (
        select(Grade, QuestionVersion.question_id)
        .join(QuestionVersion, QuestionVersion.id == Grade.question_version_id, isouter=True)
        .where(Grade.attempt_id.in_([a.id for a in attempts]))
        .order_by(Grade.id)
    )
    for grade, question_id in db.session.execute(stmt):
        action = adjustments[question_id].action if question_id in adjustments else None
        if action == ItemAction.DROP:
            continue
        score = grade.max_score if action == ItemAction.FULL_MARKS else grade.score
        found[grade.attempt_id].append(
            Mark(grade.part_key, question_id, grade.topic, score, grade.max_score)
        )
    return found


def rank_exam(
    exam: Exam,
    attempts: list[Attempt] | None = None,
    marks: dict[int, list[Mark]] | None = None,
) -> Ranking:
    """Rank the exam's graded attempts; equal totals share a rank (no hidden tie-break).

    :param exam: the exam.
    :param attempts: its graded attempts, when the caller has them already.
    :param marks: their effective marks, likewise.
    :returns: rows best first; a row is within the cohort when its rank is at most
        ``exam.cohort_size`` (so everyone tied at the line is in).
    """
    attempts = graded_attempts(exam) if attempts is None else attempts
    marks = effective_marks(exam, attempts) if marks is None else marks
    topics = sorted({m.topic for ms in marks.values() for m in ms})
    decisions = {
        d.attempt_id: d
        for d in db.session.scalars(
            select(Decision).where(Decision.attempt_id.in_([a.id for a in attempts]))
        )
    }
    rows = []
    for attempt in attempts:
        by_topic: dict[str, float] = dict.fromkeys(topics, 0.0)
        for m in marks[attempt.id]:
            by_topic[m.topic] += m.score
        rows.append(
            RankRow(
                rank=0,
                tied=False,
                attempt_id=attempt.id,
                candidate=attempt.candidate,
                total=round(sum(m.score for m in marks[attempt.id]), 6),
                max_total=sum(m.max_score for m in marks[attempt.id]),
                by_topic=by_topic,
                decision=decisions.get(attempt.id),
            )
        )
    place(rows, exam.cohort_size)
    return Ranking(rows, topics, adjustments_of(exam))


def place(rows: list[RankRow], k: int) -> None:
    """Sort best first and give competition ranks (1, 2, 2, 4), percentiles and the cut-off."""
    rows.sort(key=lambda r: (-r.total, r.attempt_id))
    counts = Counter(r.total for r in rows)
    n = len(rows)
    for index, row in enumerate(rows):
        previous = rows[index - 1] if index else None
        row.rank = previous.rank if previous and previous.total == row.total else index + 1
        row.tied = counts[row.total] > 1
        below = n - row.rank - counts[row.total] + 1
        row.percentile = 100.0 * (below + 0.5 * counts[row.total]) / n
        row.within_cohort = row.rank <= k
