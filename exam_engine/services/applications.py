"""Self-registration: an exam's application settings, signed confirmation links, and turning a
confirmed application into the same kind of invitation staff create (flush, never commit).

An exam accepts applications when ``exam.settings["applications"]["enabled"]`` is true. The
settings also hold the programme's terms (``terms: {en: ..., ko: ...}``) and optional fields
(``fields: [{name, label: {en, ko}, required}]``). Nothing is stored before the applicant
confirms their address: the confirmation link carries the application, signed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from exam_engine.errors import DomainError
from exam_engine.extensions import db
from exam_engine.models import Candidate, Exam, Invitation
from exam_engine.services import exams

SALT = "exam-engine.application"
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class InvalidApplicationLink(DomainError):
    """A confirmation link that was altered, or has expired."""

    code = "invalid_application_link"


class InvalidSettings(DomainError):
    """An exam's application settings are malformed."""

    code = "invalid_application_settings"


@dataclass(frozen=True)
class ApplicationField:
    """A question the programme asks applicants (university, year of study, ...)."""

    name: str
    label: dict[str, str]
    required: bool = False

    def label_in(self, locale: str) -> str:
        """The label in ``locale``, else English, else the field's name."""
        return self.label.get(locale) or self.label.get("en") or self.name


@dataclass(frozen=True)
class ApplicationSettings:
    """Whether and how an exam takes applications."""

    enabled: bool = False
    terms: dict[str, str] = field(default_factory=dict)
    fields: tuple[ApplicationField, ...] = ()

    def terms_in(self, locale: str) -> str:
        """The programme's terms in ``locale``, else English."""
        return self.terms.get(locale) or self.terms.get("en") or ""


def settings_of(exam: Exam) -> ApplicationSettings:
    """The exam's application settings (disabled when it has none)."""
    data = (exam.settings or {}).get("applications") or {}
    return parse_settings(data)


def parse_settings(data: Any) -> ApplicationSettings:
    """Read application settings as they appear in an exam file or ``exam.settings``.

    :raises InvalidSettings: naming what is wrong.
    """
    if not isinstance(data, dict):
        raise InvalidSettings(_("applications: must be a mapping"))
    terms = data.get("terms") or {}
    if isinstance(terms, str):
        terms = {"en": terms}
    if not isinstance(terms, dict):
        raise InvalidSettings(_("applications.terms: a text, or a mapping of language to text"))
    found = []
    for index, item in enumerate(data.get("fields") or []):
        where = f"applications.fields[{index}]"
        if not isinstance(item, dict) or not FIELD_NAME.match(str(item.get("name", ""))):
            raise InvalidSettings(
                _("%(where)s: needs a name of lower-case letters, digits and _", where=where)
            )
        label = item.get("label") or {}
        label = {"en": label} if isinstance(label, str) else label
        found.append(ApplicationField(str(item["name"]), dict(label), bool(item.get("required"))))
    if len({f.name for f in found}) != len(found):
        raise InvalidSettings(_("applications.fields: two fields have the same name"))
    return ApplicationSettings(bool(data.get("enabled")), dict(terms), tuple(found))


def configure(exam: Exam, data: Any) -> ApplicationSettings:
    """Store application settings on an exam (flushed).

    :raises InvalidSettings: naming what is wrong.
    """
    parsed = parse_settings(data)
    stored = {
        "enabled": parsed.enabled,
        "terms": parsed.terms,
        "fields": [
            {"name": f.name, "label": f.label, "required": f.required} for f in parsed.fields
        ],
    }
    exam.settings = {**(exam.settings or {}), "applications": stored}
    db.session.flush()
    return parsed


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def sign(exam: Exam, application: dict[str, Any]) -> str:
    """The token of a confirmation link: the application, signed and timestamped."""
    return _serializer().dumps({"exam": exam.slug, **application})


def read(exam: Exam, token: str, max_age_seconds: int) -> dict[str, Any]:
    """The application a confirmation link carries.

    :raises InvalidApplicationLink: when the link was altered, is for another exam, or expired.
    """
    try:
        data = _serializer().loads(token, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise InvalidApplicationLink(
            _("This confirmation link has expired. Apply again to get a new one.")
        ) from exc
    except BadSignature as exc:
        raise _invalid_link() from exc
    if not isinstance(data, dict) or data.get("exam") != exam.slug or "email" not in data:
        raise _invalid_link()
    return data


def _invalid_link() -> InvalidApplicationLink:
    """The error for a link that was altered or is for another exam."""
    return InvalidApplicationLink(
        _("This confirmation link is not valid. Check that you copied all of it.")
    )


def existing(exam: Exam, email: str) -> Invitation | None:
    """The invitation this address already has to the exam, if any."""
    stmt = (
        select(Invitation)
        .join(Candidate, Invitation.candidate_id == Candidate.id)
        .where(Invitation.exam_id == exam.id, func.lower(Candidate.email) == email.lower())
    )
    return db.session.scalars(stmt).first()


def accept(exam: Exam, application: dict[str, Any], now: datetime) -> tuple[Invitation, bool]:
    """Turn a confirmed application into an invitation (flushed).

    :param application: what :func:`read` returned.
    :returns: the invitation, and whether it is new (an address confirmed twice, or one staff
        invited already, keeps the invitation it has).
    """
    email = str(application["email"]).strip().lower()
    found = existing(exam, email)
    if found is not None:
        return found, False
    invitation = exams.invite(exam, email, str(application.get("name") or ""))
    invitation.source = "application"
    invitation.details = {
        "fields": dict(application.get("fields") or {}),
        "consented_at": application.get("consented_at"),
        "terms": application.get("terms", ""),
        "confirmed_at": now.isoformat(),
    }
    candidate = invitation.candidate
    candidate.locale = candidate.locale or application.get("locale")
    if not candidate.name:
        candidate.name = str(application.get("name") or "")
    db.session.flush()
    return invitation, True
