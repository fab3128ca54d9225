"""Staff sign-in and sign-out."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from exam_engine import clock
from exam_engine.auth.forms import LoginForm, PasswordForm, ProfileForm
from exam_engine.extensions import db, login_manager
from exam_engine.models import Role, User
from exam_engine.services import audit, throttle, users
from exam_engine.services.users import authenticate

bp = Blueprint("auth", __name__, url_prefix="/staff")

login_manager.login_view = "auth.login"
login_manager.login_message = None


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Flask-Login's loader: staff only, and only under their current session version."""
    user_id, _dot, version = session_id.partition(".")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def safe_next(target: str) -> str | None:
    """``target`` if it is a path on this site, else ``None``.

    Browsers read ``/\\evil``, ``//evil`` and paths with tabs or newlines (``/%09/evil``) as
    other sites, so anything but a plain local path is refused.
    """
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if "\\" in target or any(ord(c) < 0x21 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def home_for(user: User) -> str:
    """Where a staff member lands after signing in."""
    if user.role == Role.AUTHOR:
        return url_for("author.banks")
    if user.role == Role.ADMIN:
        return url_for("admin.staff")
    return url_for("committee.exams")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int, dict[str, str]]:
    """Sign in with email and password."""
    form = LoginForm()
    if form.validate_on_submit():
        now = clock.now()
        keys = throttle.keys_for(form.email.data or "", request.remote_addr)
        wait = throttle.retry_after(keys, now)
        if wait:
            return _throttled(form, wait, now)
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            throttle.succeeded(keys)
            db.session.commit()
            login_user(user)
            return redirect(safe_next(request.args.get("next", "")) or home_for(user))
        wait = throttle.failed(keys, now)
        if wait:
            audit.record("auth.throttled", now=now, details={"keys": keys, "seconds": wait})
        db.session.commit()
        flash(_("Wrong email or password."), "error")
    elif current_user.is_authenticated:
        return redirect(home_for(current_user))
    return render_template("auth/login.html", form=form)


def _throttled(form: LoginForm, wait: int, now: datetime) -> tuple[str, int, dict[str, str]]:
    """429: too many failed sign-ins for this account or address; say how long to wait."""
    audit.record("auth.refused_while_throttled", now=now, details={"seconds": wait})
    db.session.commit()
    minutes = max(1, (wait + 59) // 60)
    flash(
        ngettext(
            "Too many failed sign-ins. Try again in %(num)d minute.",
            "Too many failed sign-ins. Try again in %(num)d minutes.",
            minutes,
        ),
        "error",
    )
    page = render_template("auth/login.html", form=form)
    return page, 429, {"Retry-After": str(wait)}


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Sign out here and everywhere else: every session of this account ends."""
    current_user.session_version += 1
    db.session.commit()
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> str | Response:
    """Choose the language the staff pages use."""
    form = ProfileForm(locale=current_user.locale or "en")
    if form.validate_on_submit():
        current_user.locale = form.locale.data
        db.session.commit()
        flash(_("Your settings are saved."), "info")
        response = redirect(url_for("auth.profile"))
        response.delete_cookie("lang")  # the profile now decides
        return response
    return render_template("auth/profile.html", form=form, password=PasswordForm(formdata=None))


@bp.post("/password")
@login_required
def change_password() -> str | Response:
    """Change one's own password: every other session of the account ends."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            users.change_password(
                current_user, form.current.data or "", form.new.data or "", clock.now()
            )
        except users.WrongPassword:
            form.current.errors = [_("This is not your current password.")]
        else:
            db.session.commit()
            login_user(
                current_user._get_current_object()
            )  # this session carries on under the new version
            flash(_("Your password is changed. You are signed out everywhere else."), "info")
            return redirect(url_for("auth.profile"))
    profile_form = ProfileForm(formdata=None, locale=current_user.locale or "en")
    return render_template("auth/profile.html", form=profile_form, password=form)
