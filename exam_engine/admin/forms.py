"""Administrators' forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import FloatField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from exam_engine.services.users import MIN_PASSWORD_LENGTH


class UserForm(FlaskForm):
    """A new staff account."""

    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice("author", _l("Question author")),
            SelectChoice("committee", _l("Selection committee")),
            SelectChoice("admin", _l("Administrator")),
        ],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )
    submit = SubmitField(_l("Create account"))


class InviteForm(FlaskForm):
    """One candidate's invitation."""

    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    time_factor = FloatField(
        _l("Extra-time factor"),
        default=1.0,
        validators=[DataRequired(), NumberRange(1, 4)],
        description=_l("1 for none; 1.5 gives half as long again."),
    )
    submit = SubmitField(_l("Invite"))


class InviteUploadForm(FlaskForm):
    """A CSV of candidates: email[,name[,time_factor]]."""

    file = FileField(_l("CSV file"), validators=[FileRequired()])
    submit = SubmitField(_l("Upload and invite"))
