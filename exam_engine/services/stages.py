"""Two-stage selection: the shortlist of one exam invited to a second, harder one, and both
stages side by side.

Invitations are created here (through :func:`exam_engine.services.exams.invite`); sending them
by e-mail is the mail service's work, done from the administration's invitation pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from exam_engine.errors import DomainError
from exam_engine.extensions import db
from exam_engine.models import (
    Attempt,
    AttemptStatus,
    Decision,
    DecisionKind,
    Exam,
    ExamStage,
    Grade,
    Invitation,
    User,
)
from exam_engine.services import audit, exams


class StageError(DomainError):
    """A second stage that cannot be set up as asked."""

    code = "stage"


@dataclass(frozen=True)
class StageReport:
    """What one "invite the shortlisted" did."""

    shortlisted: int
    invited: int
    already: int


def shortlisted(first: Exam, kinds: tuple[DecisionKind, ...]) -> list[tuple[Attempt, Invitation]]:
    """The attempts of ``first`` whose decision is one of ``kinds``, with their invitations."""
    stmt = (
        select(Attempt, Invitation)
        .join(Decision, Decision.attempt_id == Attempt.id)
        .join(Invitation, Invitation.id == Attempt.invitation_id)
        .where(Attempt.exam_id == first.id, Decision.kind.in_(kinds))
        .options(joinedload(Attempt.candidate))
        .order_by(Attempt.id)
    )
    return [(attempt, invitation) for attempt, invitation in db.session.execute(stmt).all()]


def invite_shortlisted(
    first: Exam,
    second: Exam,
    actor: User,
    now: datetime,
    kinds: tuple[DecisionKind, ...] = (DecisionKind.SHORTLIST,),
) -> StageReport:
    """Invite everyone ``first``'s committee shortlisted to ``second``, in one step (audited).

    Candidates already invited to ``second`` are skipped (their link and accommodations stay
    as they were); new invitations keep the first stage's extra-time factor. The two exams are
    linked, so that both stages can be shown side by side.

    :raises StageError: when both stages are the same exam.
    """
    if first.id == second.id:
        raise StageError(_("the second stage must be another exam"))
    chosen = shortlisted(first, kinds)
    invited_already = set(
        db.session.scalars(select(Invitation.candidate_id).where(Invitation.exam_id == second.id))
    )
    invited = already = 0
    for attempt, invitation in chosen:
        if attempt.candidate_id in invited_already:
            already += 1
            continue
        candidate = attempt.candidate
        exams.invite(second, candidate.email, candidate.name, invitation.time_factor)
        invited_already.add(attempt.candidate_id)
        invited += 1
    link(first, second, actor, now)
    audit.record(
        "stage.invite_shortlisted",
        now=now,
        actor=actor,
        target=second,
        details={
            "first": first.slug,
            "second": second.slug,
            "decisions": [k.value for k in kinds],
            "shortlisted": len(chosen),
            "invited": invited,
            "already": already,
        },
    )
    db.session.flush()
    return StageReport(len(chosen), invited, already)


def link(first: Exam, second: Exam, actor: User | None, now: datetime) -> ExamStage:
    """Record that ``second`` is a second stage of ``first`` (once)."""
    found = db.session.scalars(
        select(ExamStage).where(
            ExamStage.first_exam_id == first.id, ExamStage.second_exam_id == second.id
        )
    ).first()
    if found is None:
        found = ExamStage(
            first_exam_id=first.id,
            second_exam_id=second.id,
            linked_at=now,
            linked_by_id=actor.id if actor else None,
        )
        db.session.add(found)
    return found


def second_stages(first: Exam) -> list[Exam]:
    """The exams linked as second stages of ``first``, oldest link first."""
    stmt = (
        select(Exam)
        .join(ExamStage, ExamStage.second_exam_id == Exam.id)
        .where(ExamStage.first_exam_id == first.id)
        .order_by(ExamStage.id)
    )
    return list(db.session.scalars(stmt))


def _shares(exam_id: int) -> dict[int, tuple[float, float]]:
    """Points awarded and available per attempt of an exam (one statement)."""
    stmt = (
        select(Grade.attempt_id, func.sum(Grade.score), func.sum(Grade.max_score))
        .join(Attempt, Attempt.id == Grade.attempt_id)
        .where(Attempt.exam_id == exam_id)
        .group_by(Grade.attempt_id)
    )
    return {a: (float(s or 0), float(m or 0)) for a, s, m in db.session.execute(stmt)}


@dataclass
class StageRow:
    """One candidate in both stages: stage 1 marks and decision, stage 2 status and marks."""

    attempt: Attempt
    decision: str | None
    score: float
    max: float
    second_invited: bool
    second_attempt: Attempt | None
    second_status: str  # not_invited | invited | open | submitted | expired
    second_score: float
    second_max: float

    @property
    def share(self) -> float | None:
        """Stage 1 points over the points available to this candidate."""
        return self.score / self.max if self.max else None

    @property
    def second_share(self) -> float | None:
        """Stage 2 points over the points available to this candidate."""
        return self.second_score / self.second_max if self.second_max else None

    @property
    def second_graded(self) -> bool:
        """Whether the stage 2 attempt's marks are stored."""
        return self.second_attempt is not None and self.second_attempt.graded_at is not None


def side_by_side(first: Exam, second: Exam, now: datetime) -> list[StageRow]:
    """One row per first-stage candidate with a decision or a second-stage invitation.

    :returns: the rows, best stage 1 share of marks first.
    """
    stmt = (
        select(Attempt, Decision)
        .outerjoin(Decision, Decision.attempt_id == Attempt.id)
        .where(Attempt.exam_id == first.id)
        .options(joinedload(Attempt.candidate), joinedload(Attempt.exam))
    )
    firsts = db.session.execute(stmt).all()
    invited = set(
        db.session.scalars(select(Invitation.candidate_id).where(Invitation.exam_id == second.id))
    )
    seconds = {
        a.candidate_id: a
        for a in db.session.scalars(select(Attempt).where(Attempt.exam_id == second.id))
    }
    marks1, marks2 = _shares(first.id), _shares(second.id)
    rows = []
    for attempt, decision in firsts:
        if decision is None and attempt.candidate_id not in invited:
            continue
        later = seconds.get(attempt.candidate_id)
        score, top = marks1.get(attempt.id, (0.0, 0.0))
        score2, top2 = marks2.get(later.id, (0.0, 0.0)) if later else (0.0, 0.0)
        rows.append(
            StageRow(
                attempt=attempt,
                decision=decision.kind.value if decision else None,
                score=score,
                max=top,
                second_invited=attempt.candidate_id in invited,
                second_attempt=later,
                second_status=_status(later, attempt.candidate_id in invited, now),
                second_score=score2,
                second_max=top2,
            )
        )
    rows.sort(key=lambda r: (-(r.share or 0.0), r.attempt.id))
    return rows


def _status(attempt: Attempt | None, invited: bool, now: datetime) -> str:
    if attempt is None:
        return "invited" if invited else "not_invited"
    if attempt.status == AttemptStatus.OPEN and attempt.past_grace(now):
        return AttemptStatus.EXPIRED.value
    return attempt.status.value
