"""Administrators' pages: staff accounts and candidates' invitations."""

from __future__ import annotations

import csv
import io
import itertools

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response as BaseResponse

from exam_engine import csvout
from exam_engine.admin.forms import InviteForm, InviteUploadForm, UserForm
from exam_engine.auth.guards import role_required
from exam_engine.committee.routes import exam_by_slug
from exam_engine.errors import DomainError
from exam_engine.extensions import db
from exam_engine.models import Exam, Invitation, Role, User
from exam_engine.services import exams, users

bp = Blueprint("admin", __name__, url_prefix="/admin")

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


@bp.route("/", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def staff() -> str | BaseResponse:
    """Staff accounts, and a form for a new one."""
    form = UserForm()
    if form.validate_on_submit():
        try:
            users.create_user(
                form.email.data or "",
                form.password.data or "",
                form.role.data or "author",
                form.name.data or "",
            )
        except (DomainError, ValueError) as exc:
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("The account is created."), "info")
            return redirect(url_for("admin.staff"))
    accounts = db.session.scalars(select(User).order_by(User.email)).all()
    found = db.session.scalars(select(Exam).order_by(Exam.opens_at.desc())).all()
    return render_template("admin/staff.html", form=form, accounts=accounts, exams=found)


def _invitations(exam: Exam) -> list[Invitation]:
    stmt = (
        select(Invitation)
        .where(Invitation.exam_id == exam.id)
        .options(joinedload(Invitation.candidate))
        .order_by(Invitation.id)
    )
    return list(db.session.scalars(stmt))


def _link(invitation: Invitation) -> str:
    # The configured public address (never the request's Host header, which the sender picks);
    # only the development server, which may have none, falls back to its own address.
    base = str(current_app.config.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    return base + url_for("candidate.invitation", token=invitation.token)


@bp.route("/exams/<slug>/invitations", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def invitations(slug: str) -> str | BaseResponse:
    """The exam's invitations with their links; invite one candidate here."""
    exam = exam_by_slug(slug)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            exams.invite(
                exam,
                form.email.data or "",
                form.name.data or "",
                float(form.time_factor.data or 1.0),
            )
        except DomainError as exc:
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("The candidate is invited."), "info")
            return redirect(url_for("admin.invitations", slug=exam.slug))
    return render_template(
        "admin/invitations.html",
        exam=exam,
        form=form,
        upload=InviteUploadForm(formdata=None),
        invitations=_invitations(exam),
        link=_link,
    )


@bp.post("/exams/<slug>/invitations/upload")
@role_required(Role.ADMIN)
def upload(slug: str) -> str | BaseResponse:
    """Invite every candidate of a CSV; a bad row names itself and nothing is kept."""
    exam = exam_by_slug(slug)
    form = InviteUploadForm()
    if form.validate_on_submit():
        raw = form.file.data.read(MAX_UPLOAD_BYTES + 1)
        try:
            if len(raw) > MAX_UPLOAD_BYTES:
                raise DomainError(_("The file is larger than 5 MB."))
            text = raw.decode("utf-8-sig")
            added = exams.invite_many(exam, list(csv.reader(io.StringIO(text))))
        except UnicodeDecodeError:
            form.file.errors = [_("The file is not UTF-8 text.")]
        except (DomainError, csv.Error) as exc:
            db.session.rollback()
            form.file.errors = [str(getattr(exc, "message", exc))]
        else:
            db.session.commit()
            flash(
                ngettext("%(num)d candidate invited.", "%(num)d candidates invited.", len(added)),
                "info",
            )
            return redirect(url_for("admin.invitations", slug=exam.slug))
    return render_template(
        "admin/invitations.html",
        exam=exam,
        form=InviteForm(formdata=None),
        upload=form,
        invitations=_invitations(exam),
        link=_link,
    )


@bp.get("/exams/<slug>/invitations.csv")
@role_required(Role.ADMIN)
def invitations_csv(slug: str) -> Response:
    """Every invitation with its link, for a mail merge."""
    exam = exam_by_slug(slug)
    header = [["email", "name", "time_factor", "link", "opened_at"]]
    rows = (
        [
            i.candidate.email,
            i.candidate.name,
            f"{i.time_factor:g}",
            _link(i),
            i.opened_at.isoformat() if i.opened_at else "",
        ]
        for i in _invitations(exam)
    )
    return csvout.download(itertools.chain(header, rows), f"{exam.slug}-invitations.csv")
