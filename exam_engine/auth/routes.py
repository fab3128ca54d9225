"""Staff sign-in and sign-out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from exam_engine.auth.forms import LoginForm, ProfileForm
from exam_engine.extensions import db, login_manager
from exam_engine.models import Role, User
from exam_engine.services.users import authenticate

bp = Blueprint("auth", __name__, url_prefix="/staff")

login_manager.login_view = "auth.login"
login_manager.login_message = None


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: staff only."""
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def home_for(user: User) -> str:
    """Where a staff member lands after signing in."""
    if user.role == Role.AUTHOR:
        return url_for("author.banks")
    if user.role == Role.ADMIN:
        return url_for("admin.staff")
    return url_for("committee.exams")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """Sign in with email and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            db.session.commit()
            login_user(user)
            target = request.args.get("next", "")
            if not target.startswith("/") or target.startswith("//"):
                target = home_for(user)
            return redirect(target)
        flash(_("Wrong email or password."), "error")
    elif current_user.is_authenticated:
        return redirect(home_for(current_user))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Sign out."""
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
        session.pop("lang", None)  # the profile now decides
        flash(_("Your settings are saved."), "info")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form)
