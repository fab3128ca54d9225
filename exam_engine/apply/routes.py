"""Applications: the public form of an exam, the e-mailed confirmation link, and after it the
same instructions page an invitation leads to."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from exam_engine import clock
from exam_engine.apply.forms import ApplyForm, build_form, extra_fields
from exam_engine.errors import NotFound
from exam_engine.extensions import db
from exam_engine.mail import messages, outbox, public_base
from exam_engine.models import Exam, MailMessage
from exam_engine.services import applications, throttle
from exam_engine.services.applications import ApplicationSettings

bp = Blueprint("apply", __name__)

PER_EMAIL_PER_HOUR = 5  # confirmation e-mails to one address: nobody's inbox is flooded


def _exam(slug: str) -> tuple[Exam, ApplicationSettings]:
    """The exam, if it takes applications; else a 404 that says so."""
    exam = db.session.scalars(select(Exam).where(Exam.slug == slug)).first()
    settings = applications.settings_of(exam) if exam is not None else None
    if exam is None or settings is None or not settings.enabled:
        raise NotFound(_("This exam does not take applications."))
    g.exam_locale = exam.default_locale
    return exam, settings


def _closed(exam: Exam, now: datetime, status: int) -> tuple[str, int]:
    return render_template("apply/closed.html", exam=exam, now=now), status


def _throttled(slug: str, email: str, now: datetime) -> int:
    """Seconds to wait when this address or this network has applied too often (0: go on)."""
    hour = timedelta(hours=1)
    per_address = int(current_app.config["APPLY_PER_ADDRESS_PER_HOUR"])
    waits = [
        throttle.hit(f"apply-address:{request.remote_addr or '-'}", now, per_address, hour),
        throttle.hit(f"apply-email:{slug}:{email}"[:300], now, PER_EMAIL_PER_HOUR, hour),
    ]
    return max(waits)


@bp.route("/apply/<slug>", methods=["GET", "POST"])
def apply(slug: str) -> str | Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    """The application form; a valid one e-mails a confirmation link."""
    exam, settings = _exam(slug)
    now = clock.now()
    if not exam.is_open(now):
        return _closed(exam, now, 409 if request.method == "POST" else 200)
    locale = str(get_locale())
    form = build_form(settings, locale)
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        wait = _throttled(exam.slug, email, now)
        if wait:
            db.session.commit()
            minutes = max(1, (wait + 59) // 60)
            flash(
                ngettext(
                    "Too many applications from here. Try again in %(num)d minute.",
                    "Too many applications from here. Try again in %(num)d minutes.",
                    minutes,
                ),
                "error",
            )
            return _form(exam, settings, form, locale), 429, {"Retry-After": str(wait)}
        message = _send_link(exam, settings, form, email, locale, now)
        db.session.commit()
        outbox.dispatch([message])
        session["applied_email"] = email
        return redirect(url_for("apply.sent", slug=exam.slug))
    return _form(exam, settings, form, locale)


def _form(exam: Exam, settings: ApplicationSettings, form: ApplyForm, locale: str) -> str:
    extra = [getattr(form, f"extra_{item.name}") for item in settings.fields]
    return render_template(
        "apply/form.html", exam=exam, form=form, terms=settings.terms_in(locale), extra=extra
    )


def _send_link(
    exam: Exam,
    settings: ApplicationSettings,
    form: ApplyForm,
    email: str,
    locale: str,
    now: datetime,
) -> MailMessage | None:
    """The confirmation e-mail; to an address that has its link already, that link again."""
    found = applications.existing(exam, email)
    if found is not None:
        return messages.already_applied(found, locale, now)
    name = str(form.name.data or "").strip()
    token = applications.sign(
        exam,
        {
            "email": email,
            "name": name,
            "locale": locale,
            "fields": extra_fields(form, settings),
            "consented_at": now.isoformat(),
            "terms": settings.terms_in(locale),
        },
    )
    link = public_base() + url_for("apply.confirm", slug=exam.slug, token=token)
    hours = int(current_app.config["APPLY_LINK_HOURS"])
    return messages.confirm_application(exam, email, name, locale, link, hours, now)


@bp.get("/apply/<slug>/sent")
def sent(slug: str) -> str:
    """Where the form leads: check your e-mail."""
    exam, _settings = _exam(slug)
    hours = int(current_app.config["APPLY_LINK_HOURS"])
    return render_template(
        "apply/sent.html", exam=exam, email=session.get("applied_email"), hours=hours
    )


@bp.route("/apply/<slug>/confirm/<token>", methods=["GET", "POST"])
def confirm(slug: str, token: str) -> Response | tuple[str, int] | str:
    """The e-mailed link: a page with one button (a GET never writes: mail scanners open links
    too); pressing it confirms the address and gives the applicant their invitation."""
    exam, _settings = _exam(slug)
    now = clock.now()
    hours = int(current_app.config["APPLY_LINK_HOURS"])
    data = applications.read(exam, token, hours * 3600)  # or InvalidApplicationLink
    if now >= exam.closes_at:
        return _closed(exam, now, 409)
    if request.method == "GET":
        found = applications.existing(exam, str(data["email"]).strip().lower())
        if found is not None:  # confirmed before: straight to the exam page (nothing written)
            return redirect(url_for("candidate.invitation", token=found.token))
        return render_template("apply/confirm.html", exam=exam, token=token, email=data["email"])
    try:
        invite, created = applications.accept(exam, data, now)
        welcome = messages.invitation(invite, now) if created else None
        db.session.commit()
    except IntegrityError:  # the same link opened twice at once: the other request made it
        db.session.rollback()
        invite, created = applications.accept(exam, data, now)
        welcome = None
    outbox.dispatch([welcome])
    if created:
        flash(_("Your address is confirmed. We have also e-mailed you this page's link."), "info")
    else:
        flash(_("Your address was already confirmed: this is your exam page."), "info")
    return redirect(url_for("candidate.invitation", token=invite.token))
