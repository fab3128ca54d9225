"""An exam's definition as plain data: the YAML file ``exams create`` reads and ``exams export``
writes, and the dict the administrators' form builds. One model, two views (issue 15.1).

Reading is strict (every wrong field is named); writing gives back what reading takes, so an
exported file re-imports to the same exam.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from flask_babel import gettext as _

from exam_engine import banks
from exam_engine.errors import DomainError
from exam_engine.models import Exam

MAX_TIME_FACTOR = 4.0


class InvalidExam(DomainError):
    """An exam definition is incomplete or inconsistent."""

    code = "invalid_exam"


def zone_of(value: Any) -> ZoneInfo:
    """The exam's time zone (UTC when not given).

    :raises InvalidExam: for an unknown zone.
    """
    try:
        return ZoneInfo(str(value or "UTC"))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidExam(_("timezone: unknown zone %(zone)s", zone=repr(value))) from exc


def when(value: Any, field: str, zone: ZoneInfo) -> datetime:
    """Read an ISO-8601 time; a time without an offset is in the exam's zone."""
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise InvalidExam(
                _(
                    "%(field)s: not an ISO-8601 date and time: %(value)s",
                    field=field,
                    value=repr(value),
                )
            ) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def require(data: dict[str, Any], field: str) -> Any:
    """``data[field]``, which must be present and not empty."""
    if data.get(field) in (None, ""):
        raise InvalidExam(_("%(field)s: required", field=field))
    return data[field]


def positive_int(value: Any, field: str, zero: bool = False) -> int:
    """A whole number above zero (or zero when ``zero``)."""
    if isinstance(value, bool):
        raise InvalidExam(_("%(field)s: must be a whole number", field=field))
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise InvalidExam(_("%(field)s: must be a whole number", field=field)) from exc
    if number < 0 or (number == 0 and not zero):
        raise InvalidExam(_("%(field)s: must be positive", field=field))
    return number


def texts(value: Any, field: str, default_locale: str, required: bool) -> dict[str, str]:
    """A text in one language (a plain string) or several (``{en: ..., ko: ...}``).

    :returns: the non-empty texts by language; a plain string is in the default language.
    :raises InvalidExam: for an unknown language, or a required text missing in the default one.
    """
    if value is None or value == "":
        found: dict[str, str] = {}
    elif isinstance(value, dict):
        unknown = [str(k) for k in value if k not in banks.LANGUAGES]
        if unknown:
            raise InvalidExam(
                _(
                    "%(field)s: unknown language %(language)s",
                    field=field,
                    language=repr(unknown[0]),
                )
            )
        found = {str(k): str(v).strip() for k, v in value.items() if v and str(v).strip()}
    else:
        found = {default_locale: str(value).strip()} if str(value).strip() else {}
    if required and not found.get(default_locale):
        raise InvalidExam(
            _(
                "%(field)s: required in the default language (%(language)s)",
                field=field,
                language=default_locale,
            )
        )
    return found


def languages(value: Any) -> list[str]:
    """The languages every question must be written in (``languages: [en, ko]``)."""
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(v in banks.LANGUAGES for v in value):
        raise InvalidExam(
            _(
                "languages: must be a list of %(languages)s",
                languages=", ".join(banks.LANGUAGES),
            )
        )
    return [str(v) for v in value]


def accommodations(value: Any) -> dict[str, float]:
    """Extra time by e-mail: ``[{email: a@example.org, time_factor: 1.5}, ...]``.

    :raises InvalidExam: naming the entry that is wrong.
    """
    if value in (None, ""):
        return {}
    if not isinstance(value, list):
        raise InvalidExam(_("accommodations: must be a list of {email, time_factor}"))
    found: dict[str, float] = {}
    for n, item in enumerate(value):
        field = f"accommodations[{n}]"
        if not isinstance(item, dict):
            raise InvalidExam(
                _("%(field)s: must be a mapping with email and time_factor", field=field)
            )
        email = str(item.get("email") or "").strip().lower()
        if "@" not in email:
            raise InvalidExam(
                _(
                    "%(field)s.email: not an email address: %(email)s",
                    field=field,
                    email=repr(email),
                )
            )
        try:
            factor = float(item.get("time_factor", 1.0))
        except (TypeError, ValueError) as exc:
            raise InvalidExam(_("%(field)s.time_factor: must be a number", field=field)) from exc
        if not 1.0 <= factor <= MAX_TIME_FACTOR:
            raise InvalidExam(
                _(
                    "%(field)s.time_factor: must be between 1 and %(most)s",
                    field=field,
                    most=format(MAX_TIME_FACTOR, "g"),
                )
            )
        if email in found:
            raise InvalidExam(
                _("%(field)s.email: %(email)s is listed twice", field=field, email=email)
            )
        found[email] = factor
    return found


def _local(moment: datetime, zone: str) -> str:
    """The time in the exam's zone, with its offset; to the minute when that is exact."""
    local = moment.astimezone(ZoneInfo(zone))
    exact = local.second == 0 and local.microsecond == 0
    return local.isoformat(timespec="minutes") if exact else local.isoformat()


def _text(exam: Exam, field: str) -> str | dict[str, str]:
    default = str(getattr(exam, field))
    others = {k: v[field] for k, v in exam.translations.items() if v.get(field)}
    if not others:
        return default
    return {exam.default_locale: default, **others} if default else others


def to_spec(exam: Exam) -> dict[str, Any]:
    """The exam as the dict :func:`exams.save_exam` reads (and the YAML file holds).

    :returns: plain data: strings, numbers, lists and dicts only.
    """
    settings = exam.settings or {}
    spec: dict[str, Any] = {
        "slug": exam.slug,
        "title": _text(exam, "title"),
        "instructions": _text(exam, "instructions"),
        "default_locale": exam.default_locale,
        "timezone": exam.timezone,
        "opens_at": _local(exam.opens_at, exam.timezone),
        "closes_at": _local(exam.closes_at, exam.timezone),
        "duration_minutes": exam.duration_minutes,
        "cohort_size": exam.cohort_size,
        "grace_seconds": exam.grace_seconds,
        "shuffle_questions": exam.shuffle_questions,
        "sections": [section_spec(s) for s in exam.sections],
    }
    if settings.get("languages"):
        spec["languages"] = list(settings["languages"])
    if settings.get("applications"):
        spec["applications"] = settings["applications"]
    if exam.accommodations:
        spec["accommodations"] = [
            {"email": email, "time_factor": factor}
            for email, factor in sorted(exam.accommodations.items())
        ]
    return spec


def section_spec(section: Any) -> dict[str, Any]:
    """One section as the file writes it (empty fields left out)."""
    found: dict[str, Any] = {"title": section.title, "bank": section.bank_slug}
    if section.topic:
        found["topic"] = section.topic
    if section.tags:
        found["tags"] = list(section.tags)
    found["draw"] = section.draw_count
    return found


def to_yaml(exam: Exam) -> str:
    """The exam's definition as the YAML text ``exam-engine exams create`` reads."""
    return yaml.safe_dump(to_spec(exam), allow_unicode=True, sort_keys=False, width=100)
