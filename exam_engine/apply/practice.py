"""The practice question on the instructions page: untimed, never stored, never ranked.

It uses the same validation echo as the exam, so candidates learn how to type maths and how
the page reads it back before their clock starts. Its answer is public by design.
"""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.wrappers import Response

from exam_engine import grading
from exam_engine.api.echo import echo
from exam_engine.apply.routes import bp
from exam_engine.banks.mathml import math_or_source
from exam_engine.errors import InvalidAnswer

# d/dx (x^3 + 2x): an answer with a power, a product and a sum, as most exam answers have.
PRACTICE_LATEX = r"\frac{d}{dx}\left(x^3 + 2x\right)"
PRACTICE_ANSWER = "3*x^2 + 2"


@bp.app_template_global("practice_question")
def practice_question() -> Markup:
    """The practice question's maths, as MathML (made by our server from our own LaTeX)."""
    return Markup(math_or_source(PRACTICE_LATEX))


@bp.post("/practice/check")
def practice_check() -> Response:
    """Echo a practice answer and say whether it is right; nothing is saved."""
    data = request.get_json(silent=True)
    value = data.get("value") if isinstance(data, dict) else None
    if not isinstance(value, str):
        raise InvalidAnswer(_('expected {"value": string}'))
    if len(value) > current_app.config["MAX_ANSWER_CHARS"]:
        raise InvalidAnswer(_("The answer is too long."))
    shown = echo(value, grading.PartSettings())
    correct = None
    if shown["valid"] and value.strip():
        correct = grading.get_pool().grade(value, PRACTICE_ANSWER).correct
    if correct is True:
        verdict = _("Right. In the exam nothing tells you this: only the preview is shown.")
    elif correct is False:
        verdict = _("Not quite: the derivative of x^3 is 3*x^2. Try again, as often as you like.")
    else:
        verdict = ""
    return jsonify({**shown, "correct": correct, "verdict": verdict})
