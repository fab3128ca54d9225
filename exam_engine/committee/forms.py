"""The committee's forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional


class AddTimeForm(FlaskForm):
    """Extra minutes for a running attempt, with the reason (audited)."""

    minutes = IntegerField(_l("Extra minutes"), validators=[DataRequired(), NumberRange(1, 240)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Add time"))


class OverrideForm(FlaskForm):
    """A hand-set mark for one response; the reason is required."""

    part_key = HiddenField(validators=[DataRequired(), Length(max=64)])
    score = FloatField(_l("New mark"), validators=[InputRequired(), NumberRange(0, 10_000)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Override mark"))


class DecisionForm(FlaskForm):
    """The committee's decision on a candidate."""

    kind = SelectField(
        _l("Decision"),
        choices=[
            SelectChoice("", _l("(none)")),
            SelectChoice("shortlist", _l("Shortlist")),
            SelectChoice("offer", _l("Offer")),
            SelectChoice("waitlist", _l("Waitlist")),
            SelectChoice("reject", _l("Reject")),
        ],
        validators=[Optional()],
    )
    note = StringField(_l("Note"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Save decision"))


class ItemForm(FlaskForm):
    """Drop a question, give everyone full marks on it, or undo."""

    question_id = HiddenField(validators=[DataRequired()])
    action = SelectField(
        _l("Action"),
        choices=[
            SelectChoice("", _l("Count normally")),
            SelectChoice("drop", _l("Drop from the exam")),
            SelectChoice("full_marks", _l("Full marks for everyone")),
        ],
        validators=[Optional()],
    )
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Apply"))


class RegradeForm(FlaskForm):
    """Which question versions a regrade uses; a dry run comes first."""

    policy = SelectField(
        _l("Grade with"),
        choices=[
            SelectChoice("shown", _l("the version each candidate saw (grader fix)")),
            SelectChoice("current", _l("each question's current version (key fix)")),
        ],
    )
    confirm = HiddenField()
    submit = SubmitField(_l("Dry run"))


class ConfirmForm(FlaskForm):
    """A bare form: a button and the CSRF token."""


class MemberForm(FlaskForm):
    """An administrator assigns a committee account to an exam, or takes it off."""

    email = StringField(_l("Committee member"), validators=[DataRequired(), Length(max=254)])
    add = SubmitField(_l("Assign"))
    remove = SubmitField(_l("Remove"))


class StageForm(FlaskForm):
    """Invite this exam's shortlisted candidates to a second exam, in one step."""

    second = SelectField(_l("Second-stage exam"), choices=[], validators=[DataRequired()])
    include_offers = BooleanField(_l("Also invite candidates with an offer"))
    submit = SubmitField(_l("Invite the shortlisted to the second exam"))
