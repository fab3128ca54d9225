"""Administrators' exam pages: the list by status, the form (new and edit), open, close and
the YAML download. The form and ``exam-engine exams create`` share one service and one model."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from exam_engine import clock
from exam_engine.admin import application_form, exam_forms
from exam_engine.admin.routes import bp
from exam_engine.auth.guards import role_required
from exam_engine.banks import LocalText
from exam_engine.banks.topics import merged
from exam_engine.committee.routes import exam_by_slug
from exam_engine.errors import DomainError
from exam_engine.extensions import db
from exam_engine.i18n import topic_text
from exam_engine.models import Attempt, AttemptStatus, Bank, Exam, ExamStatus, Invitation, Role
from exam_engine.services import exam_spec, pinning, questions
from exam_engine.services import exams as exam_service

LOCKED_FIELDS = ("slug", "timezone", "opens_at", "duration_minutes", "shuffle_questions")
LOCKED_WHEN_OPEN = (*LOCKED_FIELDS, "languages")
NEW_EXAM = {
    "timezone": "UTC",
    "default_locale": "en",
    "duration_minutes": 90,
    "cohort_size": 10,
    "grace_seconds": 30,
    "shuffle_questions": True,
}


class ActionForm(FlaskForm):
    """Only a CSRF token: open and close are one button each."""


@dataclass
class Pool:
    """How many current questions a bank holds, by topic and by tag."""

    bank: str
    size: int
    topics: Counter[str] = field(default_factory=Counter)
    tags: Counter[str] = field(default_factory=Counter)
    titles: dict[str, LocalText] = field(default_factory=dict)


def pools() -> list[Pool]:
    """Every bank's pool sizes, for the form's choices and its pool table."""
    found = []
    for slug, titles in db.session.execute(select(Bank.slug, Bank.topics).order_by(Bank.slug)):
        versions = questions.current_versions(slug)
        pool = Pool(slug, len(versions), titles=titles or {})
        for v in versions:
            pool.topics[v.topic] += 1
            pool.tags.update(v.tags)
        found.append(pool)
    return found


def _counts(exam_ids: list[int]) -> dict[int, dict[str, int]]:
    """Invited, started and submitted per exam, in three grouped queries."""
    counts: dict[int, dict[str, int]] = {
        i: {"invited": 0, "started": 0, "submitted": 0} for i in exam_ids
    }
    invited = select(Invitation.exam_id, func.count()).group_by(Invitation.exam_id)
    for exam_id, n in db.session.execute(invited):
        if exam_id in counts:
            counts[exam_id]["invited"] = n
    started = select(Attempt.exam_id, Attempt.status, func.count()).group_by(
        Attempt.exam_id, Attempt.status
    )
    for exam_id, status, n in db.session.execute(started):
        if exam_id in counts:
            counts[exam_id]["started"] += n
            if status != AttemptStatus.OPEN:
                counts[exam_id]["submitted"] += n
    return counts


@bp.get("/exams")
@role_required(Role.ADMIN)
def exams() -> str:
    """Every exam by status (upcoming, open, closed), with its counts."""
    now = clock.now()
    found = list(db.session.scalars(select(Exam)))
    found.sort(key=lambda e: e.closes_at if e.status(now) == ExamStatus.OPEN else e.opens_at)
    groups = [
        (status, [e for e in found if e.status(now) == status])
        for status in (ExamStatus.UPCOMING, ExamStatus.OPEN, ExamStatus.CLOSED)
    ]
    groups[2][1].reverse()  # the most recently closed first
    return render_template(
        "admin/exams.html",
        groups=groups,
        counts=_counts([e.id for e in found]),
        now=now,
        action=ActionForm(),
    )


def _choices(form: exam_forms.ExamForm, found: list[Pool]) -> None:
    banks = [SelectChoice("", _("Choose a bank"))] + [
        SelectChoice(p.bank, f"{p.bank} ({p.size})") for p in found
    ]
    topics = sorted({t for p in found for t in p.topics})
    titles = merged(p.titles for p in found)
    topic_choices = [SelectChoice("", _("Any topic"))] + [
        SelectChoice(t, topic_text(t, titles)) for t in topics
    ]
    for entry in form.sections:
        entry.form.bank.choices = banks
        entry.form.topic.choices = topic_choices


def _matches(form: exam_forms.ExamForm) -> list[int | None]:
    """How many questions each section row can draw from (``None`` for blank rows)."""
    sizes: list[int | None] = []
    for entry in form.sections:
        s = entry.form
        if s.is_blank() or not s.bank.data:
            sizes.append(None)
            continue
        tags = [t.strip() for t in (s.tags.data or "").split(",") if t.strip()]
        size = len(questions.pool(s.bank.data, s.topic.data or None, tags))
        sizes.append(size)
        if s.draw.data and s.draw.data > size:
            s.draw.errors = [
                *s.draw.errors,
                ngettext(
                    "Only %(num)d question matches; draw at most that many.",
                    "Only %(num)d questions match; draw at most that many.",
                    size,
                ),
            ]
    return sizes


def _service_error(form: exam_forms.ExamForm, exc: DomainError) -> None:
    """Put a service's message beside the field it names (``closes_at: ...``)."""
    text = str(exc)
    name, _sep, rest = text.partition(":")
    target = form._fields.get(name.split("[")[0].split(".")[0])
    if target is not None and rest:
        target.errors = [*target.errors, rest.strip()]
    else:
        form.form_errors.append(text)


def _lock(form: exam_forms.ExamForm, exam: Exam, now: datetime) -> tuple[str, ...]:
    """Fields the exam's definition fixes: the slug always; the draw once it has opened."""
    values = exam_forms.from_spec(exam_spec.to_spec(exam))
    frozen = pinning.is_frozen(exam, now)
    locked = (*LOCKED_WHEN_OPEN, "sections") if frozen else ("slug",)
    for name in locked:
        if name == "sections":
            continue  # below: their titles stay editable
        field = form[name]
        field.process(None, values[name])
        # A value the exam supplies counts as given (InputRequired), and renders as itself.
        field.raw_data = [field._value() if hasattr(field, "_value") else str(field.data)]
    if frozen:
        titles = [e.form.title.data for e in form.sections]
        rows = [
            {**row, "title": t or row["title"]}
            for row, t in zip(values["sections"], titles, strict=False)
        ]
        form.sections.process(None, rows)
    return locked


def _render(form: exam_forms.ExamForm, exam: Exam | None, locked: tuple[str, ...]) -> str:
    found = pools()
    _choices(form, found)
    return render_template(
        "admin/exam_form.html",
        form=form,
        exam=exam,
        locked=locked,
        pools=found,
        matches=_matches(form),
        zones=exam_forms.ZONES,
    )


def _save(
    form: exam_forms.ExamForm, exam: Exam | None, locked: tuple[str, ...]
) -> str | BaseResponse:
    """Validate, save through the service, commit; or show the form with its errors."""
    _choices(form, pools())
    if form.add_section.data:
        form.sections.append_entry()
        return _render(form, exam, locked)
    if form.add_field.data:
        form.applications.form.fields.append_entry()
        return _render(form, exam, locked)
    valid = form.validate()
    sizes = _matches(form)
    if (
        valid
        and not any(e.form.draw.errors for e in form.sections)
        and all(s is None or s > 0 for s in sizes)
    ):
        try:
            saved = exam_service.save_exam(_definition(form, exam, locked), clock.now())
        except exam_service.ExamNotReady as exc:
            db.session.rollback()
            form.form_errors.append(_("The questions are not ready: %(detail)s", detail=str(exc)))
        except DomainError as exc:
            db.session.rollback()
            _service_error(form, exc)
        else:
            db.session.commit()
            flash(_("The exam is saved."), "info")
            return redirect(url_for("admin.exams", _anchor=f"exam-{saved.slug}"))
    return _render(form, exam, locked)


def _definition(
    form: exam_forms.ExamForm, exam: Exam | None, locked: tuple[str, ...]
) -> dict[str, Any]:
    """The form's definition; fields the exam fixes come from the exam itself, exactly."""
    spec = exam_forms.to_spec(form)
    if exam is not None and (exam.settings or {}).get("applications"):
        spec.setdefault("applications", application_form.EMPTY)  # cleared in the form: off
    if exam is None or "sections" not in locked:
        return spec
    current = exam_spec.to_spec(exam)
    for name in LOCKED_WHEN_OPEN:
        spec[name] = current.get(name, [])  # "languages" is left out of a file when empty
    titles = [s["title"] for s in spec["sections"]]
    spec["sections"] = [
        {**s, "title": t or s["title"]}
        for s, t in zip(current["sections"], titles + [""] * len(current["sections"]), strict=False)
    ]
    return spec


@bp.route("/exams/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_exam() -> str | BaseResponse:
    """A new exam, from the form."""
    if request.method == "POST":
        form = exam_forms.ExamForm()
        if _slug_taken(form.slug.data or ""):
            _choices(form, pools())
            form.validate()
            form.slug.errors = [
                *form.slug.errors,
                _("An exam with this short name exists already."),
            ]
            return _render(form, None, ())
        return _save(form, None, ())
    form = exam_forms.ExamForm(formdata=None, data=NEW_EXAM)
    return _render(form, None, ())


def _slug_taken(slug: str) -> bool:
    """Whether an exam has this slug (a new exam must not overwrite it)."""
    stmt = select(func.count()).select_from(Exam).where(Exam.slug == slug.strip())
    return bool(db.session.scalar(stmt))


@bp.route("/exams/<slug>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_exam(slug: str) -> str | BaseResponse:
    """Edit an exam: everything before it opens, the safe fields after."""
    exam = exam_by_slug(slug)
    now = clock.now()
    if request.method == "POST":
        form = exam_forms.ExamForm()
        locked = _lock(form, exam, now)
        return _save(form, exam, locked)
    values = exam_forms.from_spec(exam_spec.to_spec(exam))
    form = exam_forms.ExamForm(formdata=None, data=values)
    locked = _lock(form, exam, now)
    unreadable = application_form.problem((exam.settings or {}).get("applications"))
    if unreadable:
        form.form_errors.append(
            _(
                "The stored applications settings cannot be read (%(detail)s). The Applications "
                "part starts empty: saving the exam replaces them.",
                detail=unreadable,
            )
        )
    if "sections" not in locked:
        form.sections.append_entry()
    return _render(form, exam, locked)


@bp.post("/exams/<slug>/open")
@role_required(Role.ADMIN)
def open_exam(slug: str) -> BaseResponse:
    """Open an upcoming exam now (after its author tests pass)."""
    exam = exam_by_slug(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        exam_service.open_now(exam, current_user, clock.now())
    except exam_service.ExamNotReady as exc:
        db.session.rollback()
        flash(_("The exam cannot open: %(detail)s", detail=str(exc)), "error")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(
            _("%(title)s is open. Its question versions are now fixed.", title=exam.title), "info"
        )
    return redirect(url_for("admin.exams", _anchor=f"exam-{exam.slug}"))


@bp.post("/exams/<slug>/close")
@role_required(Role.ADMIN)
def close_exam(slug: str) -> BaseResponse:
    """Close an open exam now: no new starts; those who started keep their time."""
    exam = exam_by_slug(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        exam_service.close_now(exam, current_user, clock.now())
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(
            _("%(title)s is closed. Candidates who had started keep their time.", title=exam.title),
            "info",
        )
    return redirect(url_for("admin.exams", _anchor=f"exam-{exam.slug}"))


@bp.get("/exams/<slug>/exam.yaml")
@role_required(Role.ADMIN)
def exam_yaml(slug: str) -> Response:
    """The exam's definition as the YAML file ``exam-engine exams create`` reads."""
    exam = exam_by_slug(slug)
    return Response(
        exam_spec.to_yaml(exam),
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{exam.slug}.yaml"'},
    )
