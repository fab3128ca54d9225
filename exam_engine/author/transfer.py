"""Bank import and export pages: a bank as a zip of YAML, and STACK questions from Moodle XML."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from exam_engine import banks
from exam_engine.auth.guards import role_required
from exam_engine.author.editor import bank_folder
from exam_engine.author.forms import MoodleImportForm, ZipImportForm
from exam_engine.author.routes import bp
from exam_engine.banks.archive import ArchiveError, export_bank
from exam_engine.banks.moodle import MoodleError
from exam_engine.extensions import db
from exam_engine.models import Role
from exam_engine.services import authoring


@bp.get("/banks/<bank>/export.zip")
@role_required(Role.AUTHOR)
def export_zip(bank: str) -> Response:
    """Download a bank as a zip of its YAML files."""
    import io

    data = export_bank(bank_folder(bank))
    return send_file(
        io.BytesIO(data), "application/zip", as_attachment=True, download_name=f"{bank}.zip"
    )


def _forms() -> tuple[ZipImportForm, MoodleImportForm]:
    from pathlib import Path

    root = Path(current_app.config["QUESTION_BANKS_PATH"])
    names = sorted(p.parent.name for p in root.glob("*/bank.yaml"))
    moodle_form = MoodleImportForm(prefix="moodle")
    moodle_form.bank.choices = [SelectChoice(n, n) for n in names]
    return ZipImportForm(prefix="zip"), moodle_form


def _page(**extra: Any) -> str:
    zip_form, moodle_form = extra.pop("forms", None) or _forms()
    return render_template(
        "author/import.html", zip_form=zip_form, moodle_form=moodle_form, **extra
    )


@bp.get("/import")
@role_required(Role.AUTHOR)
def import_page() -> str:
    """The import forms."""
    return _page()


@bp.post("/import/zip")
@role_required(Role.AUTHOR)
def import_zip() -> str | Response:
    """Check, validate and import a bank archive; nothing is written when it has problems."""
    from pathlib import Path

    forms = _forms()
    zip_form = forms[0]
    if not zip_form.validate_on_submit():
        return _page(forms=forms)
    root = Path(current_app.config["QUESTION_BANKS_PATH"])
    try:
        done = authoring.import_archive(root, zip_form.archive.data.read())
    except ArchiveError as exc:
        return _page(forms=forms, zip_error=str(exc))
    except banks.BankError as exc:
        return _page(forms=forms, zip_error=_("The bank does not validate; nothing was imported."),
                     problems=exc.problems)  # fmt: skip
    db.session.commit()
    r = done.report
    flash(
        _("%(bank)s: %(files)d file(s) imported; %(questions)d new question(s), "
          "%(versions)d new version(s).", bank=done.bank, files=done.files,
          questions=r.new_questions, versions=r.new_versions),
        "success",
    )  # fmt: skip
    return redirect(url_for("author.banks"))


@bp.post("/import/moodle")
@role_required(Role.AUTHOR)
def import_moodle() -> str:
    """Import STACK questions and show what was imported, skipped, and why."""
    forms = _forms()
    moodle_form = forms[1]
    if not moodle_form.validate_on_submit():
        return _page(forms=forms)
    folder = bank_folder(moodle_form.bank.data)
    try:
        outcomes = authoring.import_moodle(
            folder, moodle_form.xml.data.read(), moodle_form.topic.data
        )
    except MoodleError as exc:
        return _page(forms=forms, moodle_error=str(exc))
    db.session.commit()
    return _page(forms=forms, outcomes=outcomes)
