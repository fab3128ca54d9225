"""The application form: name, e-mail, consent, and the programme's own fields."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from exam_engine.services.applications import ApplicationSettings


class ApplyForm(FlaskForm):
    """Fixed fields; :func:`build_form` adds the programme's."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = StringField(
        _l("E-mail address"),
        validators=[
            DataRequired(),
            Length(max=254),
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                message=_l("Enter an e-mail address such as name@example.org."),
            ),
        ],
    )
    consent = BooleanField(
        _l("I have read the programme's terms above and agree to them."),
        validators=[DataRequired(message=_l("You can apply only if you agree to the terms."))],
    )
    submit = SubmitField(_l("Send my application"))


def build_form(settings: ApplicationSettings, locale: str, **kwargs: Any) -> ApplyForm:
    """An :class:`ApplyForm` with one text field per programme field (``extra_<name>``)."""

    class Form(ApplyForm):
        pass

    for item in settings.fields:
        checks = [DataRequired()] if item.required else [Optional()]
        setattr(
            Form,
            f"extra_{item.name}",
            StringField(item.label_in(locale), validators=[*checks, Length(max=200)]),
        )
    return Form(**kwargs)


def extra_fields(form: ApplyForm, settings: ApplicationSettings) -> dict[str, str]:
    """The programme fields' answers, by field name."""
    return {
        item.name: str(getattr(form, f"extra_{item.name}").data or "").strip()
        for item in settings.fields
    }
