"""Question authors' pages: banks, questions, and a preview of any variant."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from sqlalchemy import select

from exam_engine.auth.guards import role_required
from exam_engine.banks import LANGUAGES
from exam_engine.errors import NotFound
from exam_engine.extensions import db
from exam_engine.models import Bank, Question, Role
from exam_engine.services import authoring, questions

bp = Blueprint("author", __name__, url_prefix="/author")

MAX_SEED = 2**62


@bp.get("/")
@role_required(Role.AUTHOR)
def banks() -> str:
    """Every bank with its questions."""
    found = db.session.scalars(select(Bank).order_by(Bank.slug)).all()
    return render_template("author/banks.html", banks=found)


@bp.get("/questions/<int:question_id>")
@role_required(Role.AUTHOR)
def preview(question_id: int) -> str:
    """A question's current version at a chosen seed, maths rendered, with its model answers."""
    question = db.session.get(Question, question_id)
    if question is None or question.current_version is None:
        raise NotFound()
    seed = request.args.get("seed", "1")
    try:
        seed_value = int(seed)
    except ValueError:
        seed_value, seed_error = 1, True
    else:
        seed_error = not 0 <= seed_value < MAX_SEED
        if seed_error:
            seed_value = 1
    lang = request.args.get("lang", "")
    if lang not in LANGUAGES:
        lang = str(get_locale())
    variant = questions.variant(question.current_version, seed_value, lang)
    return render_template(
        "author/preview.html",
        lang=lang,
        question=question,
        version=question.current_version,
        variant=variant,
        seed=seed_value,
        seed_error=seed_error,
        history=authoring.version_history(question),
    )


# The editor and the import/export pages register their views on ``bp``.
from exam_engine.author import editor, transfer  # noqa: E402, F401
