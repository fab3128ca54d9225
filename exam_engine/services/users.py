"""Staff accounts: creation and password checks with argon2."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from sqlalchemy import func, select

from exam_engine.errors import DomainError
from exam_engine.extensions import db
from exam_engine.models import Role, User

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
