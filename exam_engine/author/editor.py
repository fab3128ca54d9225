"""The question editor: create and edit a question, preview a seed, try an answer, run the
author tests, save (the YAML file first, then a new version in the database)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from exam_engine import banks, clock
from exam_engine.auth.guards import role_required
from exam_engine.author.editing import NEW_PARTS, Parsed, data_from_form, form_from_data
from exam_engine.author.forms import QuestionForm
from exam_engine.author.routes import bp
from exam_engine.banks.limited import limited_author_tests, limited_instantiate
from exam_engine.errors import NotFound
from exam_engine.extensions import db
from exam_engine.grading import get_pool
from exam_engine.models import Bank, Question, Role
from exam_engine.services import authoring, pinning


def bank_folder(bank: str) -> Path:
    """The folder of a bank under ``QUESTION_BANKS_PATH``; 404 when there is no such bank."""
    root = Path(current_app.config["QUESTION_BANKS_PATH"])
    folder = root / bank
    if not authoring.QUESTION_ID.fullmatch(bank) or not (folder / "bank.yaml").is_file():
        raise NotFound()
    return folder


def _preview(parsed: Parsed, form: QuestionForm) -> dict[str, Any]:
    """The variant at the form's seed, and the grader's verdict on the tried answer."""
    out: dict[str, Any] = {}
    if not parsed.ok:
        return out
    spec = banks.question_from_data(parsed.data)
    try:
        # In the reader's language, as a candidate reading it would see it.
        variant = limited_instantiate(spec, form.seed.data or 0, str(get_locale() or "en"))
    except banks.ParameterError as exc:
        out["preview_error"] = str(exc)
        return out
    out["variant"] = variant
    action = request.form.get("action")
    if action == "try":
        try:
            part = variant.part(form.try_part.data or "")
        except KeyError:
            form.try_part.errors = [_("Choose one of the part keys.")]
            return out
        result = get_pool().grade_part(form.try_response.data or "", part.rules, part.settings)
        out["verdict"] = result
        out["verdict_feedback"] = banks.render_markdown(result.feedback)
        if not result.correct and result.error is None:
            out["verdict_incorrect"] = banks.render_markdown(part.feedback_incorrect)
        out["verdict_display"] = (
            banks.render_markdown(f"${result.display}$") if result.display else ""
        )
    elif action == "test":
        out["failures"] = limited_author_tests(spec, range(form.variants.data or 10))
        out["tested"] = True
    return out


def _render(form: QuestionForm, bank: str, parsed: Parsed | None, **extra: Any) -> str:
    context = _preview(parsed, form) if parsed else {}
    return render_template(
        "author/edit.html",
        form=form,
        bank=bank,
        serving=_serving(bank, request.view_args.get("question_id") if request.view_args else None),
        publish_form=None,  # publishing happens from the question's page, after saving
        **context,
        **extra,
    )


def _serving(bank: str, slug: str | None) -> list[pinning.Serving]:
    """The open exams serving this question (the editor says so before anyone saves)."""
    if not slug:
        return []
    question = db.session.scalars(
        select(Question).join(Bank).where(Bank.slug == bank, Question.slug == slug)
    ).first()
    return pinning.open_exams_serving(question, clock.now()) if question else []


def _save(form: QuestionForm, bank: str, folder: Path, parsed: Parsed) -> str | Response:
    try:
        saved = authoring.save_question(folder, parsed.data, form.base_hash.data or None)
    except authoring.EditConflict as exc:
        editing = bool(form.base_hash.data)
        if editing:
            # The author has now seen both; saving again deliberately replaces theirs (or
            # writes the file anew when it was deleted meanwhile).
            form.base_hash.data = banks.content_hash(exc.current) if exc.current else ""
        return _render(form, bank, parsed, conflict=str(exc), theirs=exc.text, can_replace=editing)
    except banks.BankError as exc:  # a race with a file written meanwhile
        parsed.errors.setdefault("id", []).extend(p.message for p in exc.problems)
        return _render(form, bank, parsed)
    db.session.commit()
    if saved.new_version:
        flash(_("Saved: a new version of %(id)s.", id=parsed.data["id"]), "success")
    else:
        flash(_("Saved: nothing changed."), "success")
    return redirect(url_for("author.preview", question_id=saved.version.question_id))


def _handle(form: QuestionForm, bank: str, folder: Path) -> str | Response:
    """Every editor action posts the whole form, so nothing the author typed is lost."""
    valid = form.validate_on_submit()
    parsed = data_from_form(form)
    for name, messages in parsed.errors.items():
        field = getattr(form, name)
        field.errors = [*field.errors, *messages]
    ok = valid and parsed.ok
    if request.form.get("action") == "save":
        if ok:
            return _save(form, bank, folder, parsed)
        flash(_("Not saved: fix the problems marked below."), "error")
    return _render(form, bank, parsed if ok else None)


@bp.route("/banks/<bank>/new", methods=["GET", "POST"])
@role_required(Role.AUTHOR)
def new_question(bank: str) -> str | Response:
    """A blank question in ``bank``."""
    folder = bank_folder(bank)
    form = QuestionForm()
    if request.method == "GET":
        form.parts.data = NEW_PARTS
        return _render(form, bank, None)
    return _handle(form, bank, folder)


@bp.route("/banks/<bank>/questions/<question_id>/edit", methods=["GET", "POST"])
@role_required(Role.AUTHOR)
def edit_question(bank: str, question_id: str) -> str | Response:
    """Edit the question as its file is now."""
    folder = bank_folder(bank)
    stored = authoring.find_file(folder, question_id)
    if stored is None:
        raise NotFound()
    form = QuestionForm()
    if request.method == "GET":
        form_from_data(form, stored.data, stored.content_hash)
        return _render(form, bank, data_from_form(form))
    form.id.data = question_id  # the id is the file name: it does not change here
    return _handle(form, bank, folder)
