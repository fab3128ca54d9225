"""The committee's ranking: comparable scores, per-topic sub-scores, ties, percentiles, the cut-off.

Candidates who drew different questions have different maxima, so the ranking is by the
primary score, the percentage of the marks available to the candidate
(:meth:`RankRow.score`); raw totals are shown with their maximum and never decide a rank.
Numbers follow the one rounding rule and the one percentile definition of
:mod:`exam_engine.psychometrics.numbers`.
"""

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
from exam_engine.psychometrics.numbers import percentile_rank, round_value


@dataclass
class RankRow:
    """One candidate's line in the ranking.

    ``total`` and ``max_total`` are over the questions the candidate had (dropped ones left
    out); ``by_topic``/``topic_max`` likewise per topic.
    """

    rank: int
    tied: bool
    attempt_id: int
    candidate: Candidate
    total: float
    max_total: float
    by_topic: dict[str, float] = field(default_factory=dict)
    topic_max: dict[str, float] = field(default_factory=dict)
    percentile: float = 0.0
    within_cohort: bool = False
    decision: Decision | None = None

    @property
    def score(self) -> float:
        """The primary score: percentage of the marks available to the candidate."""
        return round_value(100.0 * self.total / self.max_total) if self.max_total > 0 else 0.0


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
    # Columns, not Grade objects: 10,000 attempts have hundreds of thousands of grades.
    stmt = (
        select(
            Grade.attempt_id,
            Grade.part_key,
            Grade.topic,
            Grade.score,
            Grade.max_score,
            QuestionVersion.question_id,
        )
        .join(QuestionVersion, QuestionVersion.id == Grade.question_version_id, isouter=True)
        .where(Grade.attempt_id.in_([a.id for a in attempts]))
        .order_by(Grade.id)
    )
    for attempt_id, part_key, topic, score, max_score, question_id in db.session.execute(stmt):
        action = adjustments[question_id].action if question_id in adjustments else None
        if action == ItemAction.DROP:
            continue
        counted = max_score if action == ItemAction.FULL_MARKS else score
        found[attempt_id].append(Mark(part_key, question_id, topic, counted, max_score))
    return found


def rank_exam(
    exam: Exam,
    attempts: list[Attempt] | None = None,
    marks: dict[int, list[Mark]] | None = None,
) -> Ranking:
    """Rank the exam's graded attempts by primary score; equal scores share a rank.

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
        topic_max: dict[str, float] = dict.fromkeys(topics, 0.0)
        for m in marks[attempt.id]:
            by_topic[m.topic] += m.score
            topic_max[m.topic] += m.max_score
        rows.append(
            RankRow(
                rank=0,
                tied=False,
                attempt_id=attempt.id,
                candidate=attempt.candidate,
                total=round_value(sum(m.score for m in marks[attempt.id])),
                max_total=round_value(sum(m.max_score for m in marks[attempt.id])),
                by_topic={t: round_value(v) for t, v in by_topic.items()},
                topic_max={t: round_value(v) for t, v in topic_max.items()},
                decision=decisions.get(attempt.id),
            )
        )
    place(rows, exam.cohort_size)
    return Ranking(rows, topics, adjustments_of(exam))


def place(rows: list[RankRow], k: int) -> None:
    """Sort best first by primary score and give competition ranks (1, 2, 2, 4), percentiles
    and the cut-off (everyone tied at the line is within it here; the analysis applies the
    declared tie-break)."""
    rows.sort(key=lambda r: (-r.score, r.attempt_id))
    counts = Counter(r.score for r in rows)
    n = len(rows)
    for index, row in enumerate(rows):
        previous = rows[index - 1] if index else None
        row.rank = previous.rank if previous and previous.score == row.score else index + 1
        row.tied = counts[row.score] > 1
        below = n - row.rank - counts[row.score] + 1
        row.percentile = percentile_rank(below, counts[row.score], n)
        row.within_cohort = row.rank <= k
