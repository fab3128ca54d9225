"""Creating, opening and closing exams, and inviting candidates (flush, never commit)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from exam_engine import banks
from exam_engine.errors import DomainError
from exam_engine.extensions import db
from exam_engine.models import Attempt, Candidate, Exam, ExamSection, ExamStatus, Invitation, User
from exam_engine.services import audit, authoring, pinning, questions
from exam_engine.services import exam_spec as spec
from exam_engine.services.exam_spec import InvalidExam

__all__ = ["ExamNotReady", "InvalidExam", "save_exam", "open_now", "close_now", "invite"]


class ExamNotReady(DomainError):
    """An exam whose questions fail their author tests cannot be opened."""

    status = 409
    code = "exam_not_ready"


LOCKED_WHEN_OPEN = ("opens_at", "timezone", "duration_minutes", "shuffle_questions", "languages")


def save_exam(data: dict[str, Any], now: datetime | None = None) -> Exam:
    """Create or update (by slug) an exam from its definition, and pin its questions' versions
    (an exam that has opened keeps the versions it serves).

    The file ``exams create`` reads and the administrators' form both come here (see
    :mod:`exam_spec`). Once an exam has opened, only its safe fields may change: texts, the
    close of its window, k, grace, default language and accommodations.

    :param data: the definition: slug, title, instructions (a string, or ``{en:, ko:}``),
        default_locale, languages, opens_at, closes_at, timezone, duration_minutes, cohort_size,
        grace_seconds, shuffle_questions, sections (title, bank, topic, tags, draw),
        accommodations ([{email, time_factor}]).
    :param now: the time (defaults to the real one).
    :returns: the exam (flushed).
    :raises InvalidExam: naming the field that is wrong.
    :raises ExamNotReady: when questions it can draw fail their author tests or lack a language.
    """
    now = now or datetime.now(UTC)
    if not isinstance(data, dict):
        raise InvalidExam("the exam file must be a mapping of fields")
    slug = str(spec.require(data, "slug")).strip()
    zone = spec.zone_of(data.get("timezone"))
    opens_at = spec.when(spec.require(data, "opens_at"), "opens_at", zone)
    closes_at = spec.when(spec.require(data, "closes_at"), "closes_at", zone)
    if closes_at <= opens_at:
        raise InvalidExam("closes_at: must be after opens_at")
    default_locale = str(data.get("default_locale") or "en")
    if default_locale not in banks.LANGUAGES:
        raise InvalidExam(f"default_locale: must be one of {', '.join(banks.LANGUAGES)}")
    titles = spec.texts(data.get("title"), "title", default_locale, required=True)
    instructions = spec.texts(data.get("instructions"), "instructions", default_locale, False)
    default_grace = current_app.config["DEADLINE_GRACE_SECONDS"]
    fields: dict[str, Any] = {
        "opens_at": opens_at,
        "timezone": zone.key,
        "duration_minutes": spec.positive_int(
            spec.require(data, "duration_minutes"), "duration_minutes"
        ),
        "shuffle_questions": bool(data.get("shuffle_questions", True)),
        "languages": spec.languages(data.get("languages")),
    }
    sections = [_section(i, s) for i, s in enumerate(_sections(data), start=1)]
    exam = db.session.scalars(select(Exam).where(Exam.slug == slug)).first()
    frozen = exam is not None and pinning.is_frozen(exam, now)
    if exam is not None and frozen:
        _refuse_locked_changes(exam, fields, sections)
    if exam is None:
        exam = Exam(slug=slug)
        db.session.add(exam)
    exam.title = titles[default_locale]
    exam.instructions = instructions.get(default_locale, "")
    exam.default_locale = default_locale
    exam.closes_at = closes_at
    exam.cohort_size = spec.positive_int(data.get("cohort_size", 10), "cohort_size")
    exam.grace_seconds = spec.positive_int(
        data.get("grace_seconds", default_grace), "grace_seconds", zero=True
    )
    accommodations = spec.accommodations(data.get("accommodations"))
    translations = {
        lang: {k: v for k, v in (("title", titles.get(lang)), ("instructions", text)) if v}
        for lang, text in ((lang, instructions.get(lang)) for lang in banks.LANGUAGES)
        if lang != default_locale and (titles.get(lang) or text)
    }
    exam.settings = {
        **(exam.settings or {}),
        "languages": fields["languages"],
        "translations": translations,
        "accommodations": accommodations,
    }
    if not frozen:
        exam.opens_at, exam.timezone = opens_at, zone.key
        exam.duration_minutes = int(fields["duration_minutes"])
        exam.shuffle_questions = bool(fields["shuffle_questions"])
        exam.sections = sections
    else:  # the same draw; section titles are only labels
        for old, new in zip(exam.sections, sections, strict=True):
            old.title = new.title
    db.session.flush()
    if "applications" in data:  # self-registration (a file that leaves it out keeps it as is)
        from exam_engine.services import applications  # it imports this module

        applications.configure(exam, data["applications"])
    _apply_accommodations(exam, accommodations)
    if not frozen:
        check_ready(exam)
    pinning.pin(exam, now)
    return exam


def _sections(data: dict[str, Any]) -> list[Any]:
    found = spec.require(data, "sections")
    if not isinstance(found, list):
        raise InvalidExam(_("sections: must be a list"))
    return found


def _draw_key(section: ExamSection) -> tuple[Any, ...]:
    return (section.bank_slug, section.topic, sorted(section.tags), section.draw_count)


def _refuse_locked_changes(exam: Exam, fields: dict[str, Any], sections: list[ExamSection]) -> None:
    """An open exam keeps its start, zone, duration, shuffling, languages and draw."""
    current = {
        "opens_at": exam.opens_at,
        "timezone": exam.timezone,
        "duration_minutes": exam.duration_minutes,
        "shuffle_questions": exam.shuffle_questions,
        "languages": list((exam.settings or {}).get("languages") or []),
    }
    for name in LOCKED_WHEN_OPEN:
        if current[name] != fields[name]:
            raise InvalidExam(_("%(field)s: cannot change after the exam has opened", field=name))
    if [_draw_key(s) for s in exam.sections] != [_draw_key(s) for s in sections]:
        raise InvalidExam(_("%(field)s: cannot change after the exam has opened", field="sections"))


def check_ready(exam: Exam) -> None:
    """Refuse an exam whose questions lack a required language or fail their author tests.

    :raises ExamNotReady: listing the first problems.
    """
    untranslated = _untranslated(exam)
    if untranslated:
        raise ExamNotReady(
            _(
                "the exam requires questions in %(languages)s; missing:\n%(missing)s",
                languages=", ".join(exam.settings["languages"]),
                missing="\n".join(untranslated[:10]),
            )
        )
    failures = authoring.exam_test_failures(exam)
    if failures:
        shown = "\n".join(str(f) for f in failures[:5])
        if len(failures) > 5:
            shown += "\n" + _("... and %(count)d more", count=len(failures) - 5)
        raise ExamNotReady(
            _("questions this exam can draw fail their author tests:\n%(failures)s", failures=shown)
        )


def _apply_accommodations(exam: Exam, factors: dict[str, float]) -> None:
    """Give listed candidates' invitations their extra time, unless they have started."""
    if not factors or exam.id is None:
        return
    stmt = (
        select(Invitation)
        .join(Candidate, Candidate.id == Invitation.candidate_id)
        .where(Invitation.exam_id == exam.id, func.lower(Candidate.email).in_(list(factors)))
    )
    for invitation in db.session.scalars(stmt):
        if attempt_started(invitation):
            continue
        invitation.time_factor = factors[invitation.candidate.email.lower()]


def attempt_started(invitation: Invitation) -> bool:
    """Whether the invitation's attempt has begun (its deadline is then fixed)."""
    found = db.session.scalar(
        select(func.count()).select_from(Attempt).where(Attempt.invitation_id == invitation.id)
    )
    return bool(found)


def _untranslated(exam: Exam) -> list[str]:
    """Questions the exam can draw that lack one of its required languages."""
    required = tuple((exam.settings or {}).get("languages", []))
    if not required:
        return []
    found = []
    for section in exam.sections:
        for version in questions.pool(section.bank_slug, section.topic, section.tags):
            data = banks.question_from_data(version.data)
            found += [f"{data.id}: {gap}" for gap in banks.missing_languages(data, required)]
    return found


def _section(position: int, data: Any) -> ExamSection:
    field = f"sections[{position - 1}]"
    if not isinstance(data, dict):
        raise InvalidExam(f"{field}: must be a mapping")
    bank = str(data.get("bank") or "")
    if not bank:
        raise InvalidExam(f"{field}.bank: required")
    draw = spec.positive_int(data.get("draw", 1), f"{field}.draw")
    tags = [str(t) for t in data.get("tags") or []]
    topic = data.get("topic") or None
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


def open_now(exam: Exam, actor: User | None, now: datetime) -> None:
    """Open an upcoming exam at once: its pins follow the current versions one last time, its
    questions must pass their author tests, and from now on its versions are frozen.

    :raises InvalidExam: when the exam is not upcoming.
    :raises ExamNotReady: when its questions are not ready (the exam stays upcoming).
    """
    if exam.status(now) != ExamStatus.UPCOMING:
        raise InvalidExam(_("only an exam that has not opened can be opened now"))
    pinning.pin(exam, now)  # still upcoming: the pins follow the pools
    check_ready(exam)
    before = exam.opens_at
    exam.opens_at = now
    audit.record(
        "exam.opened",
        now=now,
        actor=actor,
        target=exam,
        details={"slug": exam.slug, "planned_opens_at": before.isoformat()},
    )
    db.session.flush()


def close_now(exam: Exam, actor: User | None, now: datetime) -> None:
    """Close an open exam's window now: nobody new can start; candidates who have started keep
    their deadline.

    :raises InvalidExam: when the exam is not open.
    """
    if exam.status(now) != ExamStatus.OPEN:
        raise InvalidExam(_("only an open exam can be closed"))
    before = exam.closes_at
    exam.closes_at = now
    audit.record(
        "exam.closed",
        now=now,
        actor=actor,
        target=exam,
        details={"slug": exam.slug, "planned_closes_at": before.isoformat()},
    )
    db.session.flush()


def invite(exam: Exam, email: str, name: str = "", time_factor: float = 1.0) -> Invitation:
    """Invite a candidate (created if new) to an exam; inviting twice returns the same link.

    :param exam: the exam.
    :param email: the candidate's email.
    :param name: their name, if known.
    :param time_factor: extra-time accommodation (1.0 = none, 1.5 = half as long again); the
        exam's accommodations list raises it for the e-mails it names.
    :returns: the invitation (flushed).
    :raises InvalidExam: for an empty email or a factor outside 1–4.
    """
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidExam(_("not an email address: %(email)s", email=repr(email)))
    if not 1.0 <= time_factor <= 4.0:
        raise InvalidExam(_("The extra-time factor must be between 1 and 4."))
    time_factor = max(time_factor, exam.accommodations.get(email, 1.0))
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


def invite_many(exam: Exam, rows: list[list[str]]) -> list[Invitation]:
    """Invite every row of a CSV, all or nothing (see :func:`invite_csv.invite_rows`, which
    keeps the good rows and reports the others).

    :raises InvalidExam: naming the first row that is wrong.
    """
    from exam_engine.services.invite_csv import invite_rows

    report = invite_rows(exam, rows)
    if report.errors:
        first = report.errors[0]
        raise InvalidExam(_("line %(line)d: %(message)s", line=first.line, message=first.message()))
    return report.invited
