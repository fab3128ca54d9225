"""The candidate's sitting: start or resume, save answers, submit, finalise at the deadline."""

from __future__ import annotations

import hashlib
import json
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from exam_engine import banks
from exam_engine.errors import (
    AttemptClosed,
    ExamClosed,
    NotFound,
)
from exam_engine.extensions import db
from exam_engine.models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    Invitation,
    Response,
)
from exam_engine.services import pinning, questions
from exam_engine.services.locks import lock


@dataclass(frozen=True)
class PartRef:
    """Where a part key points: the attempt's question and the variant's part."""

    question: AttemptQuestion
    part: banks.VariantPart


def _derive(seed: int, *labels: object) -> int:
    """A stable sub-seed: the same inputs give the same number in every process."""
    text = ":".join([str(seed), *map(str, labels)]).encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:7], "big")


def deadline_for(invitation: Invitation, started_at: datetime) -> datetime:
    """Start + duration × the accommodation factor, capped by the window's close."""
    exam = invitation.exam
    allowed = timedelta(minutes=exam.duration_minutes * invitation.time_factor)
    return min(started_at + allowed, exam.closes_at)


def start_attempt(invitation: Invitation, now: datetime) -> Attempt:
    """Start the invitation's attempt, or return the one already started.

    :param invitation: the candidate's invitation.
    :param now: the server's time.
    :returns: the attempt (flushed); resuming never changes its deadline.
    :raises ExamClosed: when no attempt exists and the window is not open.
    """
    # Two tabs pressing start at once: the invitation's lock makes the second wait and then
    # find the first one's attempt.
    lock(invitation, ("opened_at",))
    existing = attempt_for(invitation)
    if existing is not None:
        return existing
    exam = invitation.exam
    if not exam.is_open(now):
        raise ExamClosed()
    seed = secrets.randbits(62)
    attempt = Attempt(
        exam_id=exam.id,
        candidate_id=invitation.candidate_id,
        invitation_id=invitation.id,
        seed=seed,
        started_at=now,
        deadline_at=deadline_for(invitation, now),
        status=AttemptStatus.OPEN,
    )
    attempt.questions = _draw(invitation, seed, now)
    invitation.opened_at = invitation.opened_at or now
    db.session.add(attempt)
    db.session.flush()
    return attempt


def attempt_for(invitation: Invitation) -> Attempt | None:
    """The invitation's attempt, if it was started."""
    return db.session.scalars(select(Attempt).where(Attempt.invitation_id == invitation.id)).first()


def _draw(invitation: Invitation, seed: int, now: datetime) -> list[AttemptQuestion]:
    """Draw each section's questions from its pool (the exam's pinned versions), in a
    per-candidate order."""
    rng = random.Random(_derive(seed, "draw"))
    drawn: list[AttemptQuestion] = []
    for section in invitation.exam.sections:
        pool = pinning.pool_for(invitation.exam, section, now)
        if len(pool) < section.draw_count:
            raise ExamClosed(_("Section %(n)d has too few questions.", n=section.position))
        for version in rng.sample(pool, section.draw_count):
            drawn.append(
                AttemptQuestion(
                    position=0,
                    question_version_id=version.id,
                    version=version,
                    variant_seed=_derive(seed, version.question_id),
                    section_position=section.position,
                )
            )
    if invitation.exam.shuffle_questions:
        rng.shuffle(drawn)
    for position, item in enumerate(drawn, start=1):
        item.position = position
    return drawn


def parts_of(attempt: Attempt) -> dict[str, PartRef]:
    """Every part of the attempt by its key (``q<position>-<part>``), in order."""
    found: dict[str, PartRef] = {}
    for item in attempt.questions:
        for part in questions.variant(item.version, item.variant_seed).parts:
            found[f"{item.key}-{part.key}"] = PartRef(item, part)
    return found


def get_attempt(attempt_id: int, allowed_ids: set[int] | None = None) -> Attempt:
    """An attempt by id, but only if it is one of ``allowed_ids`` (when given).

    :raises NotFound: for unknown ids and for other people's attempts alike.
    """
    if allowed_ids is not None and attempt_id not in allowed_ids:
        raise NotFound()
    # One round trip for the attempt, its exam and its questions with their versions: every
    # request of the sitting needs them.
    attempt = db.session.get(
        Attempt,
        attempt_id,
        options=[
            joinedload(Attempt.exam),
            selectinload(Attempt.questions).joinedload(AttemptQuestion.version),
        ],
    )
    if attempt is None:
        raise NotFound()
    return attempt


def finalize_if_due(attempt: Attempt, now: datetime) -> bool:
    """Close an open attempt whose deadline and grace have passed, under its lock.

    :returns: whether the attempt was closed now (its grading is then owed).
    """
    if attempt.status == AttemptStatus.OPEN and attempt.past_grace(now):
        lock(attempt)  # re-check: a submit or extra time may have come first
    if attempt.status == AttemptStatus.OPEN and attempt.past_grace(now):
        _expire(attempt)
        return True
    return False


def close_at_deadline(attempt: Attempt, now: datetime) -> bool:
    """Close an open attempt whose deadline (with any time added) has passed, under its lock.

    The page asks for this when its own clock reaches zero; it does not wait for the grace
    (which is there for saves still on their way). A deadline that moved later in the
    meantime keeps the attempt open.

    :returns: whether the attempt was closed now (its grading is then owed).
    """
    if attempt.status != AttemptStatus.OPEN or now < attempt.deadline_at:
        return False
    lock(attempt)  # re-check: a submit or extra time may have come first
    if attempt.status == AttemptStatus.OPEN and now >= attempt.deadline_at:
        _expire(attempt)
        return True
    return False


def _expire(attempt: Attempt) -> None:
    """Close the attempt at its deadline with the answers stored now (the caller holds the
    attempt's lock)."""
    attempt.status = AttemptStatus.EXPIRED
    attempt.submitted_at = attempt.deadline_at
    attempt.receipt = receipt_for(attempt)
    db.session.flush()


def finalize_due(now: datetime) -> list[Attempt]:
    """Close every open attempt whose deadline has passed (for cron and on access)."""
    stmt = select(Attempt).where(Attempt.status == AttemptStatus.OPEN, Attempt.deadline_at < now)
    return [a for a in db.session.scalars(stmt) if finalize_if_due(a, now)]


def answers_of(attempt: Attempt) -> dict[str, Response]:
    """The latest acknowledged response of each part, as stored now (saves write around the
    ORM, so what the session holds is re-read)."""
    stmt = (
        select(Response)
        .where(Response.attempt_id == attempt.id)
        .execution_options(populate_existing=True)
    )
    return {r.part_key: r for r in db.session.scalars(stmt)}


def save_answer(
    attempt: Attempt, part_key: str, value: str, seq: int, now: datetime, max_chars: int
) -> Response:
    """Store a part's value if it is newer than what is stored (the ORM face of
    :func:`exam_engine.services.answers.store_answer`, which the save request uses).

    :param seq: the page's counter for this part; must not go backwards.
    :returns: the stored response (flushed, ready to commit and acknowledge).
    :raises NotFound: for a part the attempt does not have.
    :raises InvalidAnswer: for an oversized value or a ``seq`` out of range.
    :raises DeadlinePassed: after the deadline plus grace.
    :raises AttemptClosed: after submission.
    :raises StaleSave: when ``seq`` is lower than the stored one.
    """
    from exam_engine.services import answers

    if part_key not in parts_of(attempt):
        raise NotFound()
    answers.check_value(value, seq, max_chars)
    try:
        answers.store_answer(attempt.id, part_key, value, seq, now, None)
    finally:
        # The write went around the ORM: what this session holds of the attempt is stale.
        db.session.expire(attempt)
    stmt = select(Response).where(Response.attempt_id == attempt.id, Response.part_key == part_key)
    return db.session.scalars(stmt.execution_options(populate_existing=True)).one()


def receipt_for(attempt: Attempt) -> str:
    """A SHA-256 over the attempt id and its final answers: the candidate's proof."""
    return _receipt(attempt.id, answers_of(attempt))


def _receipt(attempt_id: int, stored: dict[str, Response]) -> str:
    answers = {k: r.value for k, r in sorted(stored.items())}
    payload = json.dumps({"attempt": attempt_id, "answers": answers}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def submit_attempt(attempt: Attempt, now: datetime) -> Attempt:
    """Submit under the attempt's lock; submitting again returns the same receipt.

    The receipt is computed in this transaction over exactly the answers stored: saves take
    the same lock, so none lands between the receipt and the commit, and none after it.
    ``submitted_at`` is never earlier than the last save (a save that held the lock while this
    request waited for it was stored first).

    :raises DeadlinePassed: never for an attempt already closed at its deadline; those keep the
        answers saved in time and their receipt.
    """
    lock(attempt)
    if attempt.status != AttemptStatus.OPEN:
        return attempt
    if finalize_if_due(attempt, now):
        return attempt
    stored = answers_of(attempt)
    attempt.status = AttemptStatus.SUBMITTED
    attempt.submitted_at = max([now, *(r.saved_at for r in stored.values())])
    attempt.receipt = _receipt(attempt.id, stored)
    db.session.flush()
    return attempt


def set_flag(attempt: Attempt, question_key: str, flagged: bool) -> AttemptQuestion:
    """Flag a question for review (or clear the flag); flags survive a resume.

    :raises NotFound: for a question the attempt does not have.
    :raises AttemptClosed: after submission.
    """
    lock(attempt)
    if attempt.status != AttemptStatus.OPEN:
        raise AttemptClosed()
    for item in attempt.questions:
        if item.key == question_key:
            item.flagged = flagged
            db.session.flush()
            return item
    raise NotFound()


def seconds_left(attempt: Attempt, now: datetime) -> float:
    """Seconds until the deadline (0 when past)."""
    return max(0.0, (attempt.deadline_at - now).total_seconds())
