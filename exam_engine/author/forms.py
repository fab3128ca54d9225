"""The authors' forms: the question editor, and bank imports.

Metadata are ordinary fields. The sections that are lists of structures (parameters,
conditions, parts with their rules and choices, author tests) are YAML text areas in exactly
the syntax of the bank files, checked on submit with messages naming the field and line.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from exam_engine.banks.model import TOPICS

SLUG = r"^[a-z0-9][a-z0-9_-]*$"
MAX_SECTION = 100_000


class QuestionForm(FlaskForm):
    """Every field of a question, plus the preview, "try an answer" and test controls."""

    id = StringField(
        _l("Id"),
        validators=[
            DataRequired(),
            Length(max=100),
            Regexp(SLUG, message=_l("Use lower-case letters, digits, '-' or '_'.")),
        ],
        description=_l("Also the file name; it cannot change once saved."),
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    title_ko = StringField(
        _l("Title in Korean"),
        validators=[Optional(), Length(max=300)],
        description=_l("Optional: candidates reading Korean see it; others see the title."),
    )
    topic = SelectField(_l("Topic"), choices=[SelectChoice(t, t) for t in TOPICS])
    tags = StringField(
        _l("Tags"), validators=[Length(max=500)], description=_l("Separated by commas.")
    )
    difficulty = IntegerField(
        _l("Difficulty"), default=3, validators=[DataRequired(), NumberRange(1, 5)]
    )
    points = StringField(
        _l("Points"),
        validators=[Optional(), Length(max=20)],
        description=_l("Optional: by default the sum of the parts' points."),
    )
    body = TextAreaField(
        _l("Body"),
        validators=[Length(max=MAX_SECTION)],
        description=_l("Markdown with $...$ maths; {{name}} inserts a parameter."),
    )
    body_ko = TextAreaField(
        _l("Body in Korean"),
        validators=[Length(max=MAX_SECTION)],
        description=_l("Optional. Prompts and choices take {en: ..., ko: ...} in the parts."),
    )
    parameters = TextAreaField(
        _l("Parameters"),
        validators=[Length(max=MAX_SECTION)],
        description=_l(
            "One per line: name: randint(2, 9), choice([...]), rational(...) or an expression."
        ),
    )
    conditions = TextAreaField(
        _l("Conditions"),
        validators=[Length(max=MAX_SECTION)],
        description=_l("One per line, e.g. a != b; a draw is rejected unless all hold."),
    )
    parts = TextAreaField(
        _l("Parts"),
        validators=[Length(max=MAX_SECTION)],
        description=_l(
            "A YAML list as in the bank files: key, prompt, input, answer, test, options, "
            "points, variables, allow_floats, implicit_multiplication, forbidden_words, "
            "choices, shuffle, rules, feedback."
        ),
    )
    tests = TextAreaField(
        _l("Author tests"),
        validators=[Length(max=MAX_SECTION)],
        description=_l("A YAML list: part/response/expected, or parts/expected; optional note."),
    )
    base_hash = HiddenField()
    seed = IntegerField(_l("Seed"), default=1, validators=[Optional(), NumberRange(0, 2**62)])
    try_part = StringField(_l("Part"), validators=[Length(max=32)])
    try_response = StringField(_l("Response"), validators=[Length(max=2000)])
    variants = IntegerField(
        _l("Variants to test"), default=10, validators=[Optional(), NumberRange(1, 200)]
    )


class ZipImportForm(FlaskForm):
    """Upload a bank as a zip of YAML files."""

    archive = FileField(_l("Bank archive (.zip)"), validators=[FileRequired()])
    submit = SubmitField(_l("Import archive"))


class MoodleImportForm(FlaskForm):
    """Upload STACK questions as Moodle XML, into a bank and topic."""

    xml = FileField(_l("Moodle XML file"), validators=[FileRequired()])
    bank = SelectField(_l("Bank"), choices=[])
    topic = SelectField(_l("Topic"), choices=[SelectChoice(t, t) for t in TOPICS])
    submit = SubmitField(_l("Import STACK questions"))


class PublishForm(FlaskForm):
    """Publish a question's current version to one open exam (the exam's slug)."""

    exam = HiddenField(validators=[DataRequired(), Length(max=100)])
