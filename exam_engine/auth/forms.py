"""Sign-in form for staff."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from exam_engine.services.users import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Sign in"))


class ProfileForm(FlaskForm):
    """A staff member's own settings."""

    locale = SelectField(
        _l("Language"),
        choices=[SelectChoice("en", "English"), SelectChoice("ko", "한국어")],
        validators=[DataRequired()],
    )
    submit = SubmitField(_l("Save"))


class PasswordForm(FlaskForm):
    """A new password: the current one, and the new one twice."""

    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=_l("At least %(num)d characters.", num=MIN_PASSWORD_LENGTH),
        render_kw={"autocomplete": "new-password"},
    )
    repeat = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    change = SubmitField(_l("Change password"))
