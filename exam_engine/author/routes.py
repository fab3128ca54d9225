"""Question authors' pages: banks, questions, and a preview of any variant."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from exam_engine import clock
from exam_engine.auth.guards import role_required
from exam_engine.author.forms import PublishForm
from exam_engine.banks import LANGUAGES, VariantPart
from exam_engine.banks.mathml import math_or_source
from exam_engine.errors import NotFound
from exam_engine.extensions import db
from exam_engine.grading import get_pool
from exam_engine.grading.typed import typed_key
from exam_engine.models import Bank, Exam, Question, Role
from exam_engine.services import authoring, pinning, questions

bp = Blueprint("author", __name__, url_prefix="/author")

MAX_SEED = 2**62


@bp.app_template_global()
def model_answer(part: VariantPart) -> Markup:
    """A part's model answer as a candidate would type it, and as the echo would draw it.

    :param part: an instantiated part.
    :returns: ``<code>`` with the typed form, followed by its MathML when it reads back.
    """
    typed = typed_key(part.model_answer, part.settings)
    shown = Markup("<code>{}</code>").format(typed)
    if part.input_type in ("choice", "multichoice"):
        return shown
    checked = get_pool().validate(typed, part.settings)
    if checked.valid and checked.display:
        return shown + Markup(" = ") + Markup(math_or_source(checked.display))
    return shown


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
        serving=pinning.open_exams_serving(question, clock.now()),
        publish_form=PublishForm(),
    )


@bp.post("/questions/<int:question_id>/publish")
@role_required(Role.AUTHOR)
def publish(question_id: int) -> Response:
    """Serve the question's current version in an open exam (author tests first; audited)."""
    question = db.session.get(Question, question_id)
    form = PublishForm()
    if question is None or not form.validate():
        raise NotFound()
    exam = db.session.scalars(select(Exam).where(Exam.slug == form.exam.data)).first()
    if exam is None:
        raise NotFound()
    try:
        done = pinning.publish(exam, question, current_user, clock.now())
    except pinning.PublishRefused as exc:
        db.session.rollback()
        flash(_("Not published: %(reason)s", reason=str(exc.message)), "error")
    else:
        db.session.commit()
        flash(
            ngettext(
                "Published to %(exam)s. %(num)d candidate had already been shown the old "
                "version and keeps it.",
                "Published to %(exam)s. %(num)d candidates had already been shown the old "
                "version and keep it.",
                len(done.saw_old),
                exam=exam.title,
            ),
            "success",
        )
    return redirect(url_for("author.preview", question_id=question.id))
