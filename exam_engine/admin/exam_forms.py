"""The exam form: the administrators' view of the same definition the YAML file holds.

:func:`to_spec` turns a filled form into the dict :func:`services.exams.save_exam` reads, and
:func:`from_spec` fills the form from :func:`services.exam_spec.to_spec`; so the file and the
form can never drift apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from exam_engine.admin import application_form
from exam_engine.services.exam_spec import MAX_TIME_FACTOR

MOST = f"{MAX_TIME_FACTOR:g}"  # the largest extra-time factor, as people write it

LANGUAGE_CHOICES = [SelectChoice("en", "English"), SelectChoice("ko", "한국어")]
ZONES = sorted(z for z in available_timezones() if "/" in z or z == "UTC")
# What <input type=datetime-local> sends (minutes; seconds when a browser adds them).
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class SectionForm(Form):
    """One section: how many questions it draws from which pool."""

    title = StringField(_l("Section title"), validators=[Optional(), Length(max=200)])
    bank = SelectField(_l("Bank"), validators=[Optional()], validate_choice=False)
    topic = SelectField(_l("Topic"), validators=[Optional()], validate_choice=False)
    tags = StringField(
        _l("Tags"),
        validators=[Optional(), Length(max=300)],
        description=_l("Comma-separated; a question must carry every tag."),
    )
    draw = IntegerField(
        _l("Questions drawn"),
        validators=[Optional(), NumberRange(1, 500)],
        render_kw={"inputmode": "numeric", "class": "short"},
    )

    def is_blank(self) -> bool:
        """A row left empty is not a section."""
        return not (self.bank.data or self.topic.data or self.tags.data or self.draw.data)


class ExamForm(FlaskForm):
    """Every field of an exam's definition."""

    slug = StringField(
        _l("Short name (in links)"),
        validators=[
            DataRequired(),
            Length(max=100),
            Regexp(
                r"^[a-z0-9][a-z0-9-]*$",
                message=_l("Use lower-case letters, digits and hyphens, e.g. spring-2027."),
            ),
        ],
    )
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=300)])
    title_ko = StringField(_l("Title in Korean"), validators=[Optional(), Length(max=300)])
    instructions_en = TextAreaField(
        _l("Instructions in English"), validators=[Optional(), Length(max=20000)]
    )
    instructions_ko = TextAreaField(
        _l("Instructions in Korean"), validators=[Optional(), Length(max=20000)]
    )
    default_locale = SelectField(
        _l("Default language"),
        choices=LANGUAGE_CHOICES,
        description=_l("Candidates see this language unless they choose the other."),
    )
    languages = SelectMultipleField(
        _l("Every question must be written in"),
        choices=LANGUAGE_CHOICES,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[Optional()],
    )
    timezone = SelectField(_l("Time zone"), choices=[SelectChoice(z, z) for z in ZONES])
    opens_at = DateTimeLocalField(
        _l("Opens at"),
        format=DATETIME_FORMATS,
        validators=[InputRequired(message=_l("Give a date and time."))],
    )
    closes_at = DateTimeLocalField(
        _l("Closes at"),
        format=DATETIME_FORMATS,
        validators=[InputRequired(message=_l("Give a date and time."))],
    )
    duration_minutes = IntegerField(
        _l("Duration (minutes)"), validators=[InputRequired(), NumberRange(1, 24 * 60)]
    )
    cohort_size = IntegerField(
        _l("Cohort size (k)"),
        validators=[InputRequired(), NumberRange(1, 100_000)],
        description=_l("How many candidates the committee means to pick: the ranking's cut-off."),
    )
    grace_seconds = IntegerField(
        _l("Grace for late saves (seconds)"),
        default=30,
        validators=[InputRequired(), NumberRange(0, 600)],
    )
    shuffle_questions = BooleanField(_l("Shuffle the order of questions for each candidate"))
    sections = FieldList(FormField(SectionForm), min_entries=1)
    accommodations = TextAreaField(
        _l("Extra time"),
        validators=[Optional(), Length(max=200_000)],
        description=_l("One candidate per line: e-mail, factor (1.5 gives half as long again)."),
        render_kw={"class": "code", "rows": 4},
    )
    applications = FormField(application_form.ApplicationsForm)
    submit = SubmitField(_l("Save the exam"))
    add_section = SubmitField(_l("Add a section"))
    add_field = SubmitField(_l("Add a field"))

    def validate(self, extra_validators: Any = None) -> bool:
        """The field checks, then the checks across fields: window, titles, sections."""
        ok = super().validate(extra_validators)
        if self.opens_at.data and self.closes_at.data and self.closes_at.data <= self.opens_at.data:
            self.closes_at.errors = [*self.closes_at.errors, _("It must be after the opening.")]
            ok = False
        wanted = self.title_en if self.default_locale.data == "en" else self.title_ko
        if not (wanted.data or "").strip():
            wanted.errors = [*wanted.errors, _("The title is needed in the default language.")]
            ok = False
        filled = [s for s in self.sections if not s.form.is_blank()]
        if not filled:
            self.sections.errors = [_("Add at least one section.")]
            ok = False
        for entry in filled:
            section = entry.form
            if not section.bank.data:
                section.bank.errors = [*section.bank.errors, _("Choose a bank.")]
                ok = False
            if not section.draw.data:
                section.draw.errors = [*section.draw.errors, _("How many questions?")]
                ok = False
        if not application_form.check(self.applications.form):
            ok = False
        try:
            parse_accommodations(self.accommodations.data or "")
        except ValueError as exc:
            self.accommodations.errors = [*self.accommodations.errors, str(exc)]
            ok = False
        return ok


def parse_accommodations(text: str) -> list[dict[str, Any]]:
    """``e-mail, factor`` lines as the file's ``accommodations`` list.

    :raises ValueError: with a translated message naming the line.
    """
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        email, _sep, factor = line.replace(";", ",").partition(",")
        try:
            value = float(factor.strip() or "x")
        except ValueError:
            value = 0.0
        if "@" not in email or not 1 <= value <= MAX_TIME_FACTOR:
            raise ValueError(
                _(
                    "Line %(line)d: write an e-mail, a comma and a factor from 1 to %(most)s.",
                    line=number,
                    most=MOST,
                )
            )
        found.append({"email": email.strip().lower(), "time_factor": value})
    return found


def _local(value: datetime | None) -> str | None:
    return value.isoformat(timespec="minutes") if value else None


def _texts(en: str | None, ko: str | None) -> dict[str, str]:
    return {k: v.strip() for k, v in (("en", en or ""), ("ko", ko or "")) if v.strip()}


def to_spec(form: ExamForm) -> dict[str, Any]:
    """The filled form as the exam's definition (what the YAML file would hold)."""
    sections = []
    for entry in form.sections:
        section = entry.form
        if section.is_blank():
            continue
        tags = [t.strip() for t in (section.tags.data or "").split(",") if t.strip()]
        item: dict[str, Any] = {
            "title": (section.title.data or "").strip(),
            "bank": section.bank.data,
        }
        if section.topic.data:
            item["topic"] = section.topic.data
        if tags:
            item["tags"] = tags
        item["draw"] = section.draw.data
        sections.append(item)
    return {
        "slug": (form.slug.data or "").strip(),
        "title": _texts(form.title_en.data, form.title_ko.data),
        "instructions": _texts(form.instructions_en.data, form.instructions_ko.data),
        "default_locale": form.default_locale.data,
        "languages": list(form.languages.data or []),
        "timezone": form.timezone.data,
        "opens_at": _local(form.opens_at.data),
        "closes_at": _local(form.closes_at.data),
        "duration_minutes": form.duration_minutes.data,
        "cohort_size": form.cohort_size.data,
        "grace_seconds": form.grace_seconds.data,
        "shuffle_questions": bool(form.shuffle_questions.data),
        "sections": sections,
        "accommodations": parse_accommodations(form.accommodations.data or ""),
    } | application_form.spec_part(form.applications.form)


def _naive(value: str, zone: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(zone))
    return moment.replace(tzinfo=None)


def from_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """Field values for the form, from an exam's definition (:func:`exam_spec.to_spec`)."""
    default = spec["default_locale"]

    def split(value: Any) -> dict[str, str]:
        return value if isinstance(value, dict) else {default: value or ""}

    titles, instructions = split(spec["title"]), split(spec.get("instructions"))
    return {
        "slug": spec["slug"],
        "title_en": titles.get("en", ""),
        "title_ko": titles.get("ko", ""),
        "instructions_en": instructions.get("en", ""),
        "instructions_ko": instructions.get("ko", ""),
        "default_locale": default,
        "languages": spec.get("languages", []),
        "timezone": spec["timezone"],
        "opens_at": _naive(spec["opens_at"], spec["timezone"]),
        "closes_at": _naive(spec["closes_at"], spec["timezone"]),
        "duration_minutes": spec["duration_minutes"],
        "cohort_size": spec["cohort_size"],
        "grace_seconds": spec["grace_seconds"],
        "shuffle_questions": spec["shuffle_questions"],
        "sections": [
            {
                "title": s.get("title", ""),
                "bank": s["bank"],
                "topic": s.get("topic") or "",
                "tags": ", ".join(s.get("tags", [])),
                "draw": s["draw"],
            }
            for s in spec["sections"]
        ],
        "accommodations": "\n".join(
            f"{a['email']}, {a['time_factor']:g}" for a in spec.get("accommodations", [])
        ),
        "applications": application_form.from_data(spec.get("applications")),
    }
