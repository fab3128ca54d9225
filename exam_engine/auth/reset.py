"""Forgotten staff passwords: an e-mailed link that is signed, expires and works once.

The request page answers the same whether or not an account exists, and takes the same time:
looking the address up and writing the e-mail happen in a task, not in the request. The link
carries the account's session version (and a piece of its password hash); setting the new
password raises the version, so the link cannot be used again, and every session ends.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from exam_engine import clock
from exam_engine.errors import DomainError
from exam_engine.extensions import db
from exam_engine.jobs import SEND_RESET, enqueue
from exam_engine.models import User
from exam_engine.services import audit, throttle, users

bp = Blueprint("reset", __name__, url_prefix="/staff")

SALT = "exam-engine.password-reset"
PER_ACCOUNT_PER_HOUR = 3
PER_ADDRESS_PER_HOUR = 20


class InvalidResetLink(DomainError):
    """A reset link that was altered, has expired or was used."""

    code = "invalid_reset_link"
    message = _l(
        "This password-reset link has expired or was already used. Ask for a new one from the "
        "sign-in page."
    )


class ForgotForm(FlaskForm):
    """The address to send a reset link to."""

    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))


class ResetForm(FlaskForm):
    """The new password, twice."""

    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=users.MIN_PASSWORD_LENGTH, max=200)],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
    )
    submit = SubmitField(_l("Set the new password"))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(user: User) -> str:
    """A reset token for ``user``, valid until it is used or ``RESET_LINK_MINUTES`` pass."""
    return str(
        _serializer().dumps(
            {"u": user.id, "v": user.session_version, "h": user.password_hash[-16:]}
        )
    )


def user_for(token: str) -> User:
    """The account a reset token is for.

    :raises InvalidResetLink: when it was altered, expired, or the account changed since.
    """
    minutes = int(current_app.config["RESET_LINK_MINUTES"])
    try:
        data = _serializer().loads(token, max_age=minutes * 60)
    except BadSignature:
        raise InvalidResetLink() from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if (
        user is None
        or not user.active
        or user.session_version != data.get("v")
        or user.password_hash[-16:] != data.get("h")
    ):
        raise InvalidResetLink()
    return user


@bp.route("/forgot", methods=["GET", "POST"])
def forgot() -> str | tuple[str, int, dict[str, str]]:
    """Ask for a reset link; the answer never says whether the account exists."""
    form = ForgotForm()
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        now = clock.now()
        hour = timedelta(hours=1)
        wait = max(
            throttle.hit(
                f"reset-address:{request.remote_addr or '-'}", now, PER_ADDRESS_PER_HOUR, hour
            ),
            throttle.hit(f"reset-account:{email}"[:300], now, PER_ACCOUNT_PER_HOUR, hour),
        )
        db.session.commit()
        if wait:
            flash(_("Too many requests. Try again later."), "error")
            page = render_template("auth/reset_request.html", form=form)
            return page, 429, {"Retry-After": str(wait)}
        enqueue(SEND_RESET, email)
        minutes = int(current_app.config["RESET_LINK_MINUTES"])
        return render_template("auth/reset_sent.html", email=email, minutes=minutes)
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> str | Response:
    """Choose a new password through the e-mailed link."""
    user = user_for(token)
    form = ResetForm()
    if form.validate_on_submit():
        users.set_password(user, form.password.data or "")
        audit.record("auth.password_reset", now=clock.now(), details={"user": user.id})
        db.session.commit()
        flash(_("Your password is changed. Sign in with the new one."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_form.html", form=form, email=user.email)
