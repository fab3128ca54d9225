"""Creating exams from files, and inviting candidates."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from exam_engine import banks
from exam_engine.errors import DomainError
from exam_engine.extensions import db
from exam_engine.models import Candidate, Exam, ExamSection, Invitation
from exam_engine.services import authoring, pinning, questions


class ExamNotReady(DomainError):
    """An exam whose questions fail their author tests cannot be opened."""

    status = 409
    code = "exam_not_ready"


class InvalidExam(DomainError):
    """An exam definition is incomplete or inconsistent."""

    code = "invalid_exam"


def _when(value: Any, field: str, zone: ZoneInfo) -> datetime:
    """Read an ISO-8601 time; a time without an offset is in the exam's zone."""
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise InvalidExam(f"{field}: not an ISO-8601 date and time: {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def _require(data: dict[str, Any], field: str) -> Any:
    if data.get(field) in (None, ""):
        raise InvalidExam(f"{field}: required")
    return data[field]


def save_exam(data: dict[str, Any], now: datetime | None = None) -> Exam:
    """Create or update (by slug) an exam from its file form, and pin its questions' versions
    (an exam that has opened keeps the versions it serves).

    :param data: the parsed YAML: slug, title, opens_at, closes_at, timezone, duration_minutes,
        cohort_size, sections (title, bank, topic, tags, draw), instructions, grace_seconds.
    :param now: the time (defaults to the real one).
    :returns: the exam (flushed).
    :raises InvalidExam: naming the field that is wrong.
    """
    if not isinstance(data, dict):
        raise InvalidExam("the exam file must be a mapping of fields")
    slug = str(_require(data, "slug")).strip()
    try:
        zone = ZoneInfo(str(data.get("timezone") or "UTC"))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidExam(f"timezone: unknown zone {data.get('timezone')!r}") from exc
    opens_at = _when(_require(data, "opens_at"), "opens_at", zone)
    closes_at = _when(_require(data, "closes_at"), "closes_at", zone)
    if closes_at <= opens_at:
        raise InvalidExam("closes_at: must be after opens_at")
    duration = _positive_int(_require(data, "duration_minutes"), "duration_minutes")
    exam = db.session.scalars(select(Exam).where(Exam.slug == slug)).first()
    if exam is None:
        exam = Exam(slug=slug)
        db.session.add(exam)
    exam.title = str(_require(data, "title"))
    exam.instructions = str(data.get("instructions") or "")
    exam.opens_at, exam.closes_at, exam.timezone = opens_at, closes_at, zone.key
    exam.duration_minutes = duration
    exam.cohort_size = _positive_int(data.get("cohort_size", 10), "cohort_size")
    default_grace = current_app.config["DEADLINE_GRACE_SECONDS"]
    exam.grace_seconds = _positive_int(
        data.get("grace_seconds", default_grace), "grace_seconds", zero=True
    )
    exam.shuffle_questions = bool(data.get("shuffle_questions", True))
    exam.default_locale = str(data.get("default_locale") or "en")
    exam.settings = {**(exam.settings or {}), "languages": _languages(data.get("languages"))}
    exam.sections = [_section(i, s) for i, s in enumerate(_require(data, "sections"), start=1)]
    db.session.flush()
    untranslated = _untranslated(exam)
    if untranslated:
        raise ExamNotReady(
            "the exam requires questions in "
            + ", ".join(exam.settings["languages"])
            + "; missing:\n"
            + "\n".join(untranslated[:10])
        )
    failures = authoring.exam_test_failures(exam)
    if failures:
        shown = "\n".join(str(f) for f in failures[:5])
        more = f"\n... and {len(failures) - 5} more" if len(failures) > 5 else ""
        raise ExamNotReady(f"questions this exam can draw fail their author tests:\n{shown}{more}")
    pinning.pin(exam, now or datetime.now(UTC))
    return exam


def _languages(value: Any) -> list[str]:
    """The languages every question must be written in (``languages: [en, ko]``)."""
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(v in banks.LANGUAGES for v in value):
        raise InvalidExam(f"languages: must be a list of {', '.join(banks.LANGUAGES)}")
    return [str(v) for v in value]


def _untranslated(exam: Exam) -> list[str]:
    """Questions the exam can draw that lack one of its required languages."""
    required = tuple((exam.settings or {}).get("languages", []))
    if not required:
        return []
    found = []
    for section in exam.sections:
        for version in questions.pool(section.bank_slug, section.topic, section.tags):
            spec = banks.question_from_data(version.data)
            found += [f"{spec.id}: {gap}" for gap in banks.missing_languages(spec, required)]
    return found


def _positive_int(value: Any, field: str, zero: bool = False) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise InvalidExam(f"{field}: must be a whole number") from exc
    if number < 0 or (number == 0 and not zero):
        raise InvalidExam(f"{field}: must be positive")
    return number


def _section(position: int, data: Any) -> ExamSection:
    field = f"sections[{position - 1}]"
    if not isinstance(data, dict):
        raise InvalidExam(f"{field}: must be a mapping")
    bank = str(data.get("bank") or "")
    draw = _positive_int(data.get("draw", 1), f"{field}.draw")
    tags = [str(t) for t in data.get("tags") or []]
    topic = data.get("topic")
    pool = questions.pool(bank, topic, tags)
    if len(pool) < draw:
        raise InvalidExam(
            f"{field}: draws {draw} questions but bank {bank!r} has only {len(pool)} that match"
        )
    return ExamSection(
        position=position,
        title=str(data.get("title") or topic or bank),
        bank_slug=bank,
        topic=topic,
        tags=tags,
        draw_count=draw,
    )


def invite(exam: Exam, email: str, name: str = "", time_factor: float = 1.0) -> Invitation:
    """Invite a candidate (created if new) to an exam; inviting twice returns the same link.

    :param exam: the exam.
    :param email: the candidate's email.
    :param name: their name, if known.
    :param time_factor: extra-time accommodation (1.0 = none, 1.5 = half as long again).
    :returns: the invitation (flushed).
    :raises InvalidExam: for an empty email or a factor outside 1–4.
    """
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidExam(_("not an email address: %(email)s", email=repr(email)))
    if not 1.0 <= time_factor <= 4.0:
        raise InvalidExam(_("The extra-time factor must be between 1 and 4."))
    candidate = db.session.scalars(
        select(Candidate).where(func.lower(Candidate.email) == email)
    ).first()
    if candidate is None:
        candidate = Candidate(email=email, name=name)
        db.session.add(candidate)
        db.session.flush()
    invitation = db.session.scalars(
        select(Invitation).where(
            Invitation.exam_id == exam.id, Invitation.candidate_id == candidate.id
        )
    ).first()
    if invitation is None:
        invitation = Invitation(exam=exam, candidate=candidate, token=secrets.token_urlsafe(24))
        db.session.add(invitation)
    invitation.time_factor = time_factor
    db.session.flush()
    return invitation


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation for a token, or ``None`` (tokens longer than any we issue never match)."""
    if not token or len(token) > 64:
        return None
    return db.session.scalars(select(Invitation).where(Invitation.token == token)).first()


MAX_INVITES_PER_UPLOAD = 50_000


def invite_many(exam: Exam, rows: list[list[str]]) -> list[Invitation]:
    """Invite every row of a CSV: ``email[,name[,time_factor]]``, an optional header first.

    :param exam: the exam.
    :param rows: the CSV's rows (blank rows are skipped).
    :returns: the invitations, in row order.
    :raises InvalidExam: naming the row that is wrong; nothing is kept from a failed upload.
    """
    rows = [r for r in rows if r and any(cell.strip() for cell in r)]
    if rows and rows[0][0].strip().lower() == "email":
        rows = rows[1:]
    if len(rows) > MAX_INVITES_PER_UPLOAD:
        raise InvalidExam(_("At most %(n)d invitations at a time.", n=MAX_INVITES_PER_UPLOAD))
    invitations = []
    for number, row in enumerate(rows, start=1):
        try:
            factor = float(row[2]) if len(row) > 2 and row[2].strip() else 1.0
        except ValueError as exc:
            raise InvalidExam(
                _(
                    "row %(row)d: the extra-time factor %(value)s is not a number",
                    row=number,
                    value=repr(row[2]),
                )
            ) from exc
        try:
            invitations.append(invite(exam, row[0], row[1].strip() if len(row) > 1 else "", factor))
        except InvalidExam as exc:
            raise InvalidExam(
                _("row %(row)d: %(problem)s", row=number, problem=exc.message)
            ) from exc
    return invitations
