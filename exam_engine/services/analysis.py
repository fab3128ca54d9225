"""From the database to the statistics: score matrices, rank certainty and item analysis.

Items of the statistics are the exam's *questions*. A candidate's row has their mark on every
question they were given and nothing (missing) for the others: questions of a pool they did not
draw, and questions the committee dropped — never a zero. Each question's figures use the
candidates who saw it and its own maximum. For Cronbach's alpha and the effective weights the
exam's *slots* are used as well: each section's j-th question for every candidate (questions
sorted by slug within the section), as a random-question slot is in Moodle's quiz statistics.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from exam_engine import psychometrics as pm
from exam_engine.extensions import db
from exam_engine.models import AttemptQuestion, Exam, JobKind, JobState, Question, QuestionVersion
from exam_engine.services import jobs as job_service
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
    #: The title in every language its author wrote it in (``{"en": ..., "ko": ...}``).
    titles: dict[str, str] = field(default_factory=dict)


def titles_of(version: QuestionVersion) -> dict[str, str]:
    """A stored question version's title per language (a plain string counts as English).

    :param version: the version.
    :returns: language -> title, empty titles left out.
    """
    title = version.data.get("title") if isinstance(version.data, dict) else None
    if isinstance(title, str):
        title = {"en": title}
    if not isinstance(title, dict):
        return {"en": version.title} if version.title else {}
    return {lang: text for lang, text in title.items() if isinstance(text, str) and text.strip()}


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


@dataclass
class Built:
    """The question matrix, the slot marks, and the questions in column order."""

    matrix: pm.ScoreMatrix
    slot_marks: npt.NDArray[np.float64]
    question_ids: list[int]


def build_matrix(
    attempt_ids: list[int],
    marks: dict[int, list[Mark]],
    slots: dict[int, dict[int, str]],
    guesses: dict[int, float | None] | None = None,
) -> Built | None:
    """The candidates × questions matrix (missing where not had) and the slot marks.

    :param attempt_ids: the rows.
    :param marks: each attempt's effective marks (dropped questions already left out).
    :param slots: each attempt's question → slot id.
    :param guesses: random-guess fraction per question id, where known.
    :returns: the matrices, or ``None`` when there is no mark at all.
    """
    got: dict[tuple[int, int], float] = defaultdict(float)
    top: dict[tuple[int, int], float] = defaultdict(float)
    for attempt_id in attempt_ids:
        for m in marks[attempt_id]:
            if m.question_id is not None:
                got[(attempt_id, m.question_id)] += m.score
                top[(attempt_id, m.question_id)] += m.max_score
    maxima: dict[int, float] = {}
    for (_, question_id), value in top.items():
        maxima[question_id] = max(maxima.get(question_id, 0.0), value)
    questions = sorted(q for q, v in maxima.items() if v > 0)
    if not attempt_ids or not questions:
        return None
    column = {q: j for j, q in enumerate(questions)}
    slot_ids = sorted(
        {s for a in attempt_ids for s in slots[a].values()},
        key=lambda s: tuple(map(int, s.split("."))),
    )
    slot_column = {s: j for j, s in enumerate(slot_ids)}
    scores = np.full((len(attempt_ids), len(questions)), np.nan)
    slot_marks = np.full((len(attempt_ids), len(slot_ids)), np.nan)
    for i, attempt_id in enumerate(attempt_ids):
        for question_id, slot in slots[attempt_id].items():
            own = top.get((attempt_id, question_id), 0.0)
            if question_id not in column or own <= 0:
                continue
            # An older version worth other points counts as the same share of today's maximum.
            value = got[(attempt_id, question_id)] * maxima[question_id] / own
            scores[i, column[question_id]] = value
            slot_marks[i, slot_column[slot]] = value
    known = guesses or {}
    guess = [float(g) if (g := known.get(q)) is not None else np.nan for q in questions]
    matrix = pm.score_matrix(
        scores,
        [maxima[q] for q in questions],
        candidate_ids=[str(a) for a in attempt_ids],
        item_ids=[str(q) for q in questions],
        random_guess=guess,
    )
    return Built(matrix, slot_marks, questions)


def random_guess(data: dict[str, Any]) -> float | None:
    """Moodle's random guess score of a question: only single-choice parts can be guessed.

    :param data: the question version's content.
    :returns: the mean over parts of 1 / number of choices, or ``None`` when a part is free
        response (Moodle shows none for those).
    """
    shares = []
    for part in data.get("parts") or []:
        choices = part.get("choices") or []
        if part.get("input") != "choice" or not choices:
            return None
        shares.append(1.0 / len(choices))
    return float(np.mean(shares)) if shares else None


def previous_labels(exam: Exam) -> dict[str, str]:
    """The labels of the exam's last stored analysis, by attempt id (for their hysteresis);
    none when the cohort size has changed since (the labels answered another question)."""
    job = job_service.latest(exam.id, JobKind.ANALYSIS, (JobState.DONE,))
    stored = (job.result or {}) if job else {}
    if stored.get("k") != exam.cohort_size:
        return {}
    rows = stored.get("rows", [])
    return {str(r["attempt_id"]): r["label"] for r in rows if r.get("label")}


def analyse_exam(
    exam: Exam, replicates: int = REPLICATES, progress: Progress | None = None
) -> ExamAnalysis:
    """Ranking, rank certainty (posterior, and the bootstrap as a check) and item analysis.

    :param exam: the exam; only closed, graded attempts count.
    :param replicates: posterior draws (and bootstrap replicates).
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
    questions = _questions({q for a in ids for q in slots[a]})
    guesses = {
        q: random_guess(v.current_version.data) if v.current_version else None
        for q, v in questions.items()
    }
    built = build_matrix(ids, marks, slots, guesses)
    step()
    if built is None or len(ids) < 2:
        return result
    result.matrix = built.matrix
    k = min(exam.cohort_size, len(ids))
    result.analysis = pm.analyse(
        built.matrix,
        k,
        replicates=replicates,
        seed=0,
        slots=built.slot_marks,
        previous=previous_labels(exam),
    )
    step()
    result.by_attempt = {int(row.candidate_id): row for row in result.analysis.candidates}
    result.questions = _question_items(questions, slots, ids, built, result.analysis, ranking)
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


def _questions(ids: set[int]) -> dict[int, Question]:
    """The questions with their current versions, by id (one statement)."""
    if not ids:
        return {}
    stmt = (
        select(Question)
        .where(Question.id.in_(list(ids)))
        .options(joinedload(Question.current_version))
    )
    return {q.id: q for q in db.session.scalars(stmt)}


def _question_items(
    questions: dict[int, Question],
    slots: dict[int, dict[int, str]],
    ids: list[int],
    built: Built,
    analysis: pm.Analysis,
    ranking: Ranking,
) -> list[QuestionItem]:
    """Each question's statistics (from the analysis), how many saw it, and its adjustment."""
    seen: dict[int, int] = defaultdict(int)
    for attempt_id in ids:
        for question_id in slots[attempt_id]:
            seen[question_id] += 1
    stats = dict(zip(built.question_ids, analysis.items, strict=True))
    items = []
    for question_id, count in seen.items():
        question = questions.get(question_id)
        if question is None or question.current_version is None:
            continue
        adjustment = ranking.adjustments.get(question_id)
        items.append(
            QuestionItem(
                question,
                question.current_version.title,
                question.current_version.topic,
                count,
                stats.get(question_id),
                adjustment.action.value if adjustment else None,
                titles_of(question.current_version),
            )
        )
    items.sort(key=lambda i: (i.topic, i.question.slug))
    return items
