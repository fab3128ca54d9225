"""Staff accounts: creation and password checks with argon2."""

from __future__ import annotations

from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from sqlalchemy import func, select

from exam_engine.errors import DomainError
from exam_engine.extensions import db
from exam_engine.models import Role, User
from exam_engine.services import audit

_hasher = PasswordHasher()
# Verifying against this keeps unknown-email logins as slow as wrong-password ones.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_PASSWORD_LENGTH = 10


class UserExists(DomainError):
    """A staff account with that email already exists."""

    status = 409
    code = "user_exists"


def hash_password(password: str) -> str:
    """Hash a password with argon2id.

    :param password: the plain password.
    :returns: the encoded hash.
    """
    return _hasher.hash(password)


def create_user(email: str, password: str, role: Role | str, name: str = "") -> User:
    """Create a staff account.

    :param email: unique sign-in email (compared case-insensitively).
    :param password: at least ``MIN_PASSWORD_LENGTH`` characters.
    :param role: admin, author or committee.
    :param name: display name.
    :returns: the new user (flushed).
    :raises UserExists: when the email is taken.
    :raises ValueError: for a short password or an unknown role.
    """
    email = email.strip().lower()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    role = Role(role)
    if find_user(email) is not None:
        raise UserExists(_("a staff account for %(email)s already exists", email=email))
    user = User(email=email, password_hash=hash_password(password), role=role, name=name)
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Give ``user`` a new password and end every session they have (flushed).

    :raises ValueError: for a short password.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = hash_password(password)
    user.session_version += 1
    db.session.flush()


def find_user(email: str) -> User | None:
    """The staff account with this email, if any."""
    stmt = select(User).where(func.lower(User.email) == email.strip().lower())
    return db.session.scalars(stmt).first()


def authenticate(email: str, password: str) -> User | None:
    """Check a sign-in; rehash old-parameter hashes on success.

    :returns: the user, or ``None`` when the email or password is wrong or the account is inactive.
    """
    user = find_user(email)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


class WrongPassword(DomainError):
    """The current password given to change it was wrong."""

    status = 403
    code = "wrong_password"


def change_password(user: User, current: str, new: str, now: datetime) -> None:
    """A staff member changes their own password; every other session of theirs ends.

    :param current: their present password, checked first.
    :param new: the new one (at least ``MIN_PASSWORD_LENGTH`` characters).
    :raises WrongPassword: when ``current`` is wrong.
    :raises ValueError: for a short new password.
    """
    try:
        _hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError) as exc:
        raise WrongPassword(_("the current password is wrong")) from exc
    set_password(user, new)
    audit.record("user.password_changed", now=now, actor=user, target=user)


class CannotDeactivateSelf(DomainError):
    """An administrator cannot lock themself out."""

    status = 409
    code = "cannot_deactivate_self"


def set_active(user: User, active: bool, actor: User, now: datetime) -> None:
    """Deactivate a staff account (it cannot sign in and its sessions end at once) or
    reactivate it; audited.

    :raises CannotDeactivateSelf: when ``actor`` deactivates their own account.
    """
    if not active and user.id == actor.id:
        raise CannotDeactivateSelf(_("you cannot deactivate your own account"))
    if user.active == active:
        return
    user.active = active
    user.session_version += 1  # every session of the account ends now
    audit.record(
        "user.activated" if active else "user.deactivated",
        now=now,
        actor=actor,
        target=user,
        details={"email": user.email},
    )
    db.session.flush()
