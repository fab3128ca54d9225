"""From the database to the statistics: score matrices, rank certainty and item analysis.

Items of the statistics are the exam's *slots*: each section's j-th question for every
candidate (questions sorted by slug within the section). When a section gives everyone the same
questions, a slot is a question; when it draws from a larger pool, a slot mixes the questions of
that pool, as a random-question slot does in Moodle's quiz statistics. Per-question figures are
computed on the candidates who saw the question, with its column against the rest of the test.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from exam_engine import psychometrics as pm
from exam_engine.extensions import db
from exam_engine.models import AttemptQuestion, Exam, Question, QuestionVersion
from exam_engine.services.ranking import (
    Mark,
    Ranking,
    effective_marks,
    graded_attempts,
    rank_exam,
)

REPLICATES = 1000
Progress = Callable[[int, int], None]


@dataclass
class QuestionItem:
    """Item statistics for one question of the exam."""

    question: Question
    title: str
    topic: str
    seen_by: int
    stats: pm.ItemStats | None
    adjustment: str | None


@dataclass
class ExamAnalysis:
    """The ranking with each candidate's rank certainty, and the item analysis."""

    ranking: Ranking
    analysis: pm.Analysis | None
    by_attempt: dict[int, pm.CandidateRow] = field(default_factory=dict)
    questions: list[QuestionItem] = field(default_factory=list)
    matrix: pm.ScoreMatrix | None = None
    ranking_k: int = 1
    blind: bool = False
    names: dict[int, str] = field(default_factory=dict)


def _slots(attempt_ids: list[int]) -> dict[int, dict[int, str]]:
    """For each attempt, question id → slot id (``section.j``)."""
    stmt = (
        select(
            AttemptQuestion.attempt_id, AttemptQuestion.section_position, Question.id, Question.slug
        )
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
        .join(Question, Question.id == QuestionVersion.question_id)
        .where(AttemptQuestion.attempt_id.in_(attempt_ids))
    )
    grouped: dict[tuple[int, int], list[tuple[str, int]]] = defaultdict(list)
    for attempt_id, section, question_id, slug in db.session.execute(stmt):
        grouped[(attempt_id, section)].append((slug, question_id))
    slots: dict[int, dict[int, str]] = defaultdict(dict)
    for (attempt_id, section), items in grouped.items():
        for j, (_, question_id) in enumerate(sorted(items), start=1):
            slots[attempt_id][question_id] = f"{section}.{j}"
    return slots


def build_matrix(
    attempt_ids: list[int], marks: dict[int, list[Mark]], slots: dict[int, dict[int, str]]
) -> tuple[pm.ScoreMatrix, dict[int, dict[int, float]]] | None:
    """The candidates × slots matrix, and each attempt's score per question."""
    per_question: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    maxima: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for attempt_id in attempt_ids:
        for m in marks[attempt_id]:
            if m.question_id is not None:
                per_question[attempt_id][m.question_id] += m.score
                maxima[attempt_id][m.question_id] += m.max_score
    slot_ids = sorted(
        {s for a in attempt_ids for q, s in slots[a].items() if q in maxima[a]},
        key=lambda s: tuple(map(int, s.split("."))),
    )
    if not attempt_ids or not slot_ids:
        return None
    column = {s: j for j, s in enumerate(slot_ids)}
    scores = np.zeros((len(attempt_ids), len(slot_ids)))
    top = np.zeros(len(slot_ids))
    for i, attempt_id in enumerate(attempt_ids):
        for question_id, score in per_question[attempt_id].items():
            j = column[slots[attempt_id][question_id]]
            scores[i, j] += score
            top[j] = max(top[j], maxima[attempt_id][question_id])
    keep = top > 0
    matrix = pm.score_matrix(
        scores[:, keep],
        top[keep],
        candidate_ids=[str(a) for a in attempt_ids],
        item_ids=[s for s, k in zip(slot_ids, keep, strict=True) if k],
    )
    return matrix, per_question


def analyse_exam(
    exam: Exam, replicates: int = REPLICATES, progress: Progress | None = None
) -> ExamAnalysis:
    """Ranking, rank certainty (bootstrap and IRT) and item analysis of an exam.

    :param exam: the exam; only closed, graded attempts count.
    :param replicates: bootstrap replicates (and IRT posterior draws).
    :param progress: called with (steps done, steps in all) as the work goes on.
    :returns: the analysis; ``analysis`` is ``None`` with fewer than two candidates.
    """
    step = _Steps(progress, 4)
    attempts = graded_attempts(exam)
    marks = effective_marks(exam, attempts)
    ranking = rank_exam(exam, attempts, marks)
    step()
    result = ExamAnalysis(
        ranking=ranking,
        analysis=None,
        ranking_k=exam.cohort_size,
        blind=exam.blind,
        names={r.attempt_id: r.candidate.name or r.candidate.email for r in ranking.rows},
    )
    ids = [a.id for a in attempts]
    slots = _slots(ids)
    built = build_matrix(ids, marks, slots)
    step()
    if built is None or len(ids) < 2:
        return result
    matrix, per_question = built
    result.matrix = matrix
    k = min(exam.cohort_size, len(ids))
    result.analysis = pm.analyse(matrix, k, replicates=replicates, seed=0)
    step()
    result.by_attempt = {int(row.candidate_id): row for row in result.analysis.candidates}
    step.total += len({q for a in ids for q in slots[a]})
    result.questions = _question_items(exam, ids, per_question, slots, matrix, ranking, step)
    step()
    return result


class _Steps:
    """A step counter that reports to a progress callback."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)


def _question_items(
    exam: Exam,
    ids: list[int],
    per_question: dict[int, dict[int, float]],
    slots: dict[int, dict[int, str]],
    matrix: pm.ScoreMatrix,
    ranking: Ranking,
    step: Callable[[], None] = lambda: None,
) -> list[QuestionItem]:
    """Moodle's item statistics for each question, on the candidates who saw it."""
    seen: dict[int, list[int]] = defaultdict(list)
    for row, attempt_id in enumerate(ids):
        for question_id in slots[attempt_id]:
            seen[question_id].append(row)
    columns = {s: j for j, s in enumerate(matrix.item_ids)}
    questions = {
        q.id: q
        for q in db.session.scalars(
            select(Question)
            .where(Question.id.in_(list(seen)))
            .options(joinedload(Question.current_version))
        )
    }
    items = []
    for question_id, rows in seen.items():
        step()
        question = questions.get(question_id)
        if question is None or question.current_version is None:
            continue
        stats = None
        slot_cols = [columns.get(slots[ids[r]][question_id]) for r in rows]
        if len(rows) >= 2 and all(c is not None for c in slot_cols):
            # Put this question's column first for every candidate who saw it.
            sub = np.array(
                [
                    [matrix.scores[r, c]]
                    + [matrix.scores[r, j] for j in range(matrix.n_items) if j != c]
                    for r, c in zip(rows, slot_cols, strict=True)
                ]
            )
            top = max(matrix.max_marks[c] for c in slot_cols if c is not None)
            others = [matrix.max_marks[j] for j in range(matrix.n_items) if j != slot_cols[0]]
            sub_matrix = pm.score_matrix(
                np.minimum(sub, [top, *others]),
                [top, *others],
                item_ids=[question.slug] + [f"rest{j}" for j in range(len(others))],
            )
            stats = pm.analyse_items(sub_matrix).items[0]
        adjustment = ranking.adjustments.get(question_id)
        items.append(
            QuestionItem(
                question,
                question.current_version.title,
                question.current_version.topic,
                len(rows),
                stats,
                adjustment.action.value if adjustment else None,
            )
        )
    items.sort(key=lambda i: (i.topic, i.question.slug))
    return items
