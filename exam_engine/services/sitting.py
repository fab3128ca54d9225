"""What the candidate's page sees of an attempt, and closing it with its grades."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from exam_engine.extensions import db
from exam_engine.models import Attempt, AttemptStatus
from exam_engine.services import attempts as attempt_service
from exam_engine.services import questions
from exam_engine.services.scoring import grade_attempt


def iso(moment: datetime | None) -> str | None:
    """ISO-8601 with an explicit UTC offset."""
    return moment.isoformat() if moment is not None else None


def sitting_view(attempt: Attempt, now: datetime, locale: str = "en") -> dict[str, Any]:
    """The attempt as the candidate may see it: questions, parts, saved answers, the clock.

    Model answers and grading rules are never part of it.

    :param attempt: the candidate's attempt.
    :param now: the server's time, sent so the page can correct the browser's clock.
    :param locale: the reader's language for the questions' texts.
    :returns: the JSON of ``GET /api/attempts/<id>`` (API.md).
    """
    answers = attempt_service.answers_of(attempt)
    shown = []
    for item in attempt.questions:
        variant = questions.variant(item.version, item.variant_seed, locale)
        shown.append(
            {
                "key": item.key,
                "number": item.position,
                "title": variant.title or item.version.title,
                "topic": item.version.topic,
                "points": item.version.points,
                "flagged": item.flagged,
                "body_html": variant.body_html,
                "parts": [
                    {
                        "key": f"{item.key}-{part.key}",
                        "label": "abcdefghijklmnopqrstuvwxyz"[index % 26],
                        "input": part.input_type,
                        "prompt_html": part.prompt_html,
                        "points": part.points,
                        "choices": [{"key": k, "html": h} for k, h in part.choices],
                    }
                    for index, part in enumerate(variant.parts)
                ],
            }
        )
    return {
        "id": attempt.id,
        "exam": {"slug": attempt.exam.slug, "title": attempt.exam.title},
        "status": attempt.status.value,
        "deadline": iso(attempt.deadline_at),
        "server_now": iso(now),
        "grace_seconds": attempt.exam.grace_seconds,
        "questions": shown,
        "answers": {
            key: {"value": r.value, "seq": r.seq, "saved_at": iso(r.saved_at)}
            for key, r in answers.items()
        },
    }


def close_and_grade(attempt: Attempt, now: datetime) -> None:
    """Finalise an attempt whose time is up, grade any closed ungraded attempt, and commit."""
    changed = attempt_service.finalize_if_due(attempt, now)
    if attempt.status != AttemptStatus.OPEN and attempt.graded_at is None:
        grade_attempt(attempt, now)
        changed = True
    if changed:
        db.session.commit()


def submit_and_grade(attempt: Attempt, now: datetime) -> Attempt:
    """Submit (idempotently), commit, then grade and commit the grades.

    The submission is committed before grading so that a grading failure never loses it.
    """
    attempt_service.submit_attempt(attempt, now)
    db.session.commit()
    close_and_grade(attempt, now)
    return attempt
