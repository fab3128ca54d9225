"""The committee's forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange


class AddTimeForm(FlaskForm):
    """Extra minutes for a running attempt, with the reason (audited)."""

    minutes = IntegerField(_l("Extra minutes"), validators=[DataRequired(), NumberRange(1, 240)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Add time"))
