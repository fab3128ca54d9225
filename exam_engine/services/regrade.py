"""Regrading after a key or grader fix: a dry run stores a plan, and applying stores exactly it.

The dry run (a background job) grades every closed attempt again without saving, and keeps the
new marks it computed, the rank moves, and the exam's grades revision it started from. Applying
writes those very marks; it is refused when the exam's marks changed in between (any grading,
override, item adjustment or regrade bumps the revision), so what was reviewed is what happens.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from exam_engine import grading
from exam_engine.errors import DomainError
from exam_engine.extensions import db
from exam_engine.models import Exam, ExamRevision, Grade, Job, QuestionVersion, User
from exam_engine.services import audit
from exam_engine.services.attempts import answers_of, parts_of
from exam_engine.services.jobs import grades_changed
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


class RegradeRefused(DomainError):
    """The stored plan cannot be applied; ``reason`` is ``unfinished``, ``applied`` or
    ``changed`` (the exam's marks changed since the dry run: make a new one)."""

    code = "regrade_refused"

    def __init__(self, reason: str) -> None:
        super().__init__(f"regrade refused: {reason}")
        self.reason = reason


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


def plan_regrade(
    exam: Exam,
    policy: str = "shown",
    grader: Grader | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RegradePlan:
    """Grade every closed attempt again without saving anything.

    :param policy: ``shown`` grades with the question version each candidate saw (a grader fix);
        ``current`` with each question's current version at the candidate's own seed (a key fix).
    :param progress: called with (attempts done, attempts in all).
    :returns: the plan, to show before applying.
    :raises ValueError: for an unknown policy.
    """
    if policy not in POLICIES:
        raise ValueError(f"unknown regrade policy {policy!r}")
    grader = grader or grading.get_pool()
    changes: list[Change] = []
    checked = 0
    attempts = graded_attempts(exam)
    for done, attempt in enumerate(attempts, start=1):
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
        if progress is not None:
            progress(done, len(attempts))
    names = {a.id: a.candidate.name or a.candidate.email for a in attempts}
    return RegradePlan(policy, changes, _moves(exam, changes), names, checked)


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


def plan_to_json(plan: RegradePlan) -> dict[str, Any]:
    """The plan as a job stores it: every new mark, the moves, names of those concerned."""
    concerned = {c.attempt_id for c in plan.changes} | set(plan.moves)
    return {
        "policy": plan.policy,
        "checked": plan.checked,
        "changes": [
            {
                "attempt_id": c.attempt_id,
                "part_key": c.part_key,
                "old": c.old,
                "new": c.new,
                "overridden": c.overridden,
                "version_id": c.version_id,
                "mark": asdict(c.mark),
            }
            for c in plan.changes
        ],
        "moves": [[a, old, new] for a, (old, new) in sorted(plan.moves.items())],
        "names": {str(a): plan.names.get(a, "") for a in sorted(concerned)},
    }


def plan_from_json(data: dict[str, Any]) -> RegradePlan:
    """A stored plan read back: the very marks the dry run computed."""
    changes = [
        Change(
            c["attempt_id"],
            c["part_key"],
            c["old"],
            c["new"],
            c["overridden"],
            PartMark(**c["mark"]),
            c["version_id"],
        )
        for c in data["changes"]
    ]
    moves = {a: (old, new) for a, old, new in data["moves"]}
    names = {int(a): n for a, n in data["names"].items()}
    return RegradePlan(data["policy"], changes, moves, names, data["checked"])


def apply_plan(exam: Exam, job: Job, actor: User, now: datetime) -> int:
    """Apply a stored dry run exactly, if the exam's marks are still those it was made from.

    The exam's revision row is locked first, so no change can slip in between the check and
    the writes.

    :returns: how many marks changed (flushed).
    :raises RegradeRefused: when the plan is not done, was applied, or marks changed since.
    """
    if job.exam_id != exam.id or job.result is None or job.revision is None:
        raise RegradeRefused("unfinished")
    if job.applied_at is not None:
        raise RegradeRefused("applied")
    current = db.session.scalar(
        select(ExamRevision.revision).where(ExamRevision.exam_id == exam.id).with_for_update()
    )
    if (current or 0) != job.revision:
        raise RegradeRefused("changed")
    changed = apply_regrade(exam, plan_from_json(job.result), actor, now)
    job.applied_at, job.applied_by_id = now, actor.id
    db.session.flush()
    return changed


def apply_regrade(exam: Exam, plan: RegradePlan, actor: User, now: datetime) -> int:
    """Store a plan's new marks (overrides stay in force) and audit it.

    :returns: how many marks changed.
    """
    keys = {(c.attempt_id, c.part_key) for c in plan.changes}
    grades: dict[tuple[int, str], Grade] = {}
    attempt_ids = sorted({c.attempt_id for c in plan.changes})
    for start in range(0, len(attempt_ids), 500):
        batch = attempt_ids[start : start + 500]
        for grade in db.session.scalars(select(Grade).where(Grade.attempt_id.in_(batch))):
            if (grade.attempt_id, grade.part_key) in keys:
                grades[(grade.attempt_id, grade.part_key)] = grade
    for change in plan.changes:
        grade = grades[(change.attempt_id, change.part_key)]
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
    if plan.changes:
        grades_changed(exam.id, now)
    db.session.flush()
    return len(plan.changes)
