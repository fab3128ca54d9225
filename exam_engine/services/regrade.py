"""Regrading after a key or grader fix: a dry run that shows what would change, then apply."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime

from exam_engine import grading
from exam_engine.extensions import db
from exam_engine.models import Attempt, Exam, Grade, QuestionVersion, User
from exam_engine.services import audit
from exam_engine.services.attempts import answers_of, parts_of
from exam_engine.services.ranking import graded_attempts, place, rank_exam
from exam_engine.services.review import log_change
from exam_engine.services.scoring import (
    Grader,
    PartMark,
    grades_of,
    mark_part,
    part_for_version,
    store_mark,
)

POLICIES = ("shown", "current")


@dataclass
class Change:
    """One part whose automatic mark would change."""

    attempt_id: int
    part_key: str
    old: float
    new: float
    overridden: bool
    mark: PartMark = field(repr=False)
    version_id: int | None = None


@dataclass
class RegradePlan:
    """What a regrade would do: changed marks and rank moves (old rank, new rank)."""

    policy: str
    changes: list[Change]
    moves: dict[int, tuple[int, int]]
    names: dict[int, str]
    checked: int


def plan_regrade(exam: Exam, policy: str = "shown", grader: Grader | None = None) -> RegradePlan:
    """Grade every closed attempt again without saving anything.

    :param policy: ``shown`` grades with the question version each candidate saw (a grader fix);
        ``current`` with each question's current version at the candidate's own seed (a key fix).
    :returns: the plan, to show before applying.
    :raises ValueError: for an unknown policy.
    """
    if policy not in POLICIES:
        raise ValueError(f"unknown regrade policy {policy!r}")
    grader = grader or grading.get_pool()
    changes: list[Change] = []
    checked = 0
    for attempt in graded_attempts(exam):
        answers, grades = answers_of(attempt), grades_of(attempt)
        for key, ref in parts_of(attempt).items():
            version: QuestionVersion | None = None
            if policy == "current":
                version = ref.question.version.question.current_version
            part = part_for_version(ref, version)
            response = answers.get(key)
            mark = mark_part(part, response.value if response else None, grader)
            grade = grades.get(key)
            checked += 1
            new = mark.fraction * float(part.points)
            # Changes to adjusted (dropped or full-marks) questions are kept too: the
            # adjustment may be undone later, and then the new mark must be right.
            if grade is None or abs(grade.auto_score - new) > 1e-9 or grade.note != mark.note:
                changes.append(
                    Change(
                        attempt.id,
                        key,
                        grade.auto_score if grade else 0.0,
                        new,
                        bool(grade and grade.override_score is not None),
                        mark,
                        version.id if version else None,
                    )
                )
    return RegradePlan(policy, changes, _moves(exam, changes), _names(exam), checked)


def _names(exam: Exam) -> dict[int, str]:
    return {a.id: a.candidate.name or a.candidate.email for a in graded_attempts(exam)}


def _moves(exam: Exam, changes: list[Change]) -> dict[int, tuple[int, int]]:
    """Rank before and after, for every candidate whose rank would change."""
    ranking = rank_exam(exam)
    before = {r.attempt_id: r.rank for r in ranking.rows}
    delta: dict[int, float] = {}
    for c in changes:
        if not c.overridden:
            delta[c.attempt_id] = delta.get(c.attempt_id, 0.0) + c.new - c.old
    after_rows = [copy.copy(r) for r in ranking.rows]
    for row in after_rows:
        row.total = round(row.total + delta.get(row.attempt_id, 0.0), 6)
    place(after_rows, exam.cohort_size)
    return {
        r.attempt_id: (before[r.attempt_id], r.rank)
        for r in after_rows
        if before[r.attempt_id] != r.rank
    }


def apply_regrade(exam: Exam, plan: RegradePlan, actor: User, now: datetime) -> int:
    """Store a plan's new marks (overrides stay in force) and audit it.

    :returns: how many marks changed.
    """
    by_attempt: dict[int, dict[str, Grade]] = {}
    for change in plan.changes:
        if change.attempt_id not in by_attempt:
            by_attempt[change.attempt_id] = grades_of(
                db.session.get_one(Attempt, change.attempt_id)
            )
        grade = by_attempt[change.attempt_id][change.part_key]
        old = grade.score
        store_mark(grade, change.mark, grade.max_score, grade.topic, now)
        if change.version_id is not None:
            grade.question_version_id = change.version_id
        log_change(grade, "regrade", old, f"regrade ({plan.policy})", actor, now)
    audit.record(
        "exam.regrade",
        now=now,
        actor=actor,
        target=exam,
        details={
            "policy": plan.policy,
            "changed": len(plan.changes),
            "checked": plan.checked,
            "grader": grading.GRADER_VERSION,
            "moves": {str(k): list(v) for k, v in plan.moves.items()},
        },
    )
    db.session.flush()
    return len(plan.changes)
