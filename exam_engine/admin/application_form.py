"""The exam form's "Applications" part: self-registration at ``/apply/<slug>``.

It builds the same ``applications`` mapping the exam file carries
(``{enabled, terms: {en, ko}, fields: [{name, label: {en, ko}, required}]}``) and checks it with
:func:`services.applications.parse_settings`, so the file and the form read one format.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FieldList, Form, FormField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from exam_engine.services.applications import (
    FIELD_NAME,
    ApplicationSettings,
    InvalidSettings,
    parse_settings,
)

BLANK_ROWS = 2  # empty rows offered for new fields


class FieldRowForm(Form):
    """One extra question for applicants; a row left empty is ignored."""

    name = StringField(
        _l("Field name"),
        validators=[Optional(), Length(max=40)],
        description=_l("Lower-case letters, digits and _, e.g. university."),
    )
    label_en = StringField(_l("Label in English"), validators=[Optional(), Length(max=200)])
    label_ko = StringField(_l("Label in Korean"), validators=[Optional(), Length(max=200)])
    required = BooleanField(_l("Required"))

    def is_blank(self) -> bool:
        """Whether nothing was typed in the row (a removed or unused row)."""
        return not (
            (self.name.data or "").strip() or _by_language(self.label_en.data, self.label_ko.data)
        )


class ApplicationsForm(Form):
    """Whether the exam accepts applications, its terms and its extra fields."""

    enabled = BooleanField(_l("Accept applications"))
    terms_en = TextAreaField(_l("Terms in English"), validators=[Optional(), Length(max=20000)])
    terms_ko = TextAreaField(_l("Terms in Korean"), validators=[Optional(), Length(max=20000)])
    fields = FieldList(FormField(FieldRowForm), min_entries=BLANK_ROWS)


def _by_language(en: str | None, ko: str | None) -> dict[str, str]:
    """An English and a Korean box as a text per language (empty boxes left out)."""
    return {k: v.strip() for k, v in (("en", en or ""), ("ko", ko or "")) if v.strip()}


def to_data(form: ApplicationsForm) -> dict[str, Any]:
    """The filled part as the exam file's ``applications`` mapping."""
    rows = [
        {
            "name": (row.name.data or "").strip(),
            "label": _by_language(row.label_en.data, row.label_ko.data),
            "required": bool(row.required.data),
        }
        for row in (entry.form for entry in form.fields)
        if not row.is_blank()
    ]
    return {
        "enabled": bool(form.enabled.data),
        "terms": _by_language(form.terms_en.data, form.terms_ko.data),
        "fields": rows,
    }


EMPTY: dict[str, Any] = {"enabled": False, "terms": {}, "fields": []}


def spec_part(form: ApplicationsForm) -> dict[str, Any]:
    """``{"applications": ...}`` for the exam's definition; nothing when the part is untouched
    (an exam that never took applications keeps its file free of the block)."""
    data = to_data(form)
    return {} if data == EMPTY else {"applications": data}


def problem(data: Any) -> str | None:
    """Why an exam's stored ``applications`` mapping cannot be read, if it cannot (settings
    written around the validated save path: by hand in the database, say)."""
    try:
        parse_settings(data or {})
    except InvalidSettings as exc:
        return str(exc)
    return None


def from_data(data: dict[str, Any] | None) -> dict[str, Any]:
    """Field values for the part, from an exam's stored ``applications`` mapping; a mapping
    that cannot be read gives an empty part (the edit page says why: :func:`problem`)."""
    try:
        parsed = parse_settings(data or {})
    except InvalidSettings:
        parsed = ApplicationSettings()
    rows = [
        {
            "name": f.name,
            "label_en": f.label.get("en", ""),
            "label_ko": f.label.get("ko", ""),
            "required": f.required,
        }
        for f in parsed.fields
    ]
    blank = {"name": "", "label_en": "", "label_ko": "", "required": False}
    return {
        "enabled": parsed.enabled,
        "terms_en": parsed.terms.get("en", ""),
        "terms_ko": parsed.terms.get("ko", ""),
        "fields": rows + [blank] * BLANK_ROWS,
    }


def check(form: ApplicationsForm) -> bool:
    """Put each problem beside the field it concerns; ``True`` when there is none."""
    ok = True
    seen: set[str] = set()
    for entry in form.fields:
        row = entry.form
        if row.is_blank():
            continue
        name = (row.name.data or "").strip()
        if not FIELD_NAME.match(name):
            row.name.errors = [
                *row.name.errors,
                _("Start with a lower-case letter; then letters, digits or _ (at most 40)."),
            ]
            ok = False
        elif name in seen:
            row.name.errors = [*row.name.errors, _("Another field has this name.")]
            ok = False
        seen.add(name)
        if not (row.label_en.data or "").strip():
            row.label_en.errors = [*row.label_en.errors, _("The label is needed in English.")]
            ok = False
    if ok:
        try:
            parse_settings(to_data(form))
        except InvalidSettings as exc:
            form.enabled.errors = [*form.enabled.errors, str(exc)]
            ok = False
    return ok
