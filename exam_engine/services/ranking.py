"""The committee's ranking: totals, per-topic sub-scores, ties and the cut-off at k."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from exam_engine.extensions import db
from exam_engine.models import Attempt, AttemptStatus, Candidate, Exam, Grade


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
    within_cohort: bool = False


def rank_exam(exam: Exam) -> tuple[list[RankRow], list[str]]:
    """Rank the exam's graded attempts; equal totals share a rank (no hidden tie-break).

    :param exam: the exam.
    :returns: the rows best first, and the topics in alphabetical order. A row is within the
        cohort when its rank is at most ``exam.cohort_size`` (ties at the line are all in).
    """
    stmt = (
        select(Attempt)
        .where(
            Attempt.exam_id == exam.id,
            Attempt.status != AttemptStatus.OPEN,
            Attempt.graded_at.is_not(None),
        )
        .order_by(Attempt.id)
    )
    attempts = list(db.session.scalars(stmt))
    grades: dict[int, list[Grade]] = defaultdict(list)
    if attempts:
        ids = [a.id for a in attempts]
        for grade in db.session.scalars(select(Grade).where(Grade.attempt_id.in_(ids))):
            grades[grade.attempt_id].append(grade)
    topics = sorted({g.topic for gs in grades.values() for g in gs})
    rows = []
    for attempt in attempts:
        by_topic: dict[str, float] = dict.fromkeys(topics, 0.0)
        for g in grades[attempt.id]:
            by_topic[g.topic] += g.score
        rows.append(
            RankRow(
                rank=0,
                tied=False,
                attempt_id=attempt.id,
                candidate=attempt.candidate,
                total=round(sum(g.score for g in grades[attempt.id]), 6),
                max_total=sum(g.max_score for g in grades[attempt.id]),
                by_topic=by_topic,
            )
        )
    rows.sort(key=lambda r: (-r.total, r.attempt_id))
    counts = Counter(r.total for r in rows)
    for index, row in enumerate(rows):
        previous = rows[index - 1] if index else None
        row.rank = previous.rank if previous and previous.total == row.total else index + 1
        row.tied = counts[row.total] > 1
        row.within_cohort = row.rank <= exam.cohort_size
    return rows, topics
