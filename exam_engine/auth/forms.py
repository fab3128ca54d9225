"""Sign-in form for staff."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length


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
