"""Staff accounts: administrators, question authors and the selection committee."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Enum, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from exam_engine.extensions import db
from exam_engine.models.types import UTCDateTime, utcnow


class Role(enum.StrEnum):
    """What a staff member may do."""

    ADMIN = "admin"
    AUTHOR = "author"
    COMMITTEE = "committee"


class User(UserMixin, db.Model):  # type: ignore[name-defined]
    """A staff member who signs in with an email and an argon2-hashed password."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    locale: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Part of every session's id: raising it signs the user out everywhere (logout, new password).
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    def get_id(self) -> str:
        """Flask-Login's session id: the user and the session version it was issued under."""
        return f"{self.id}.{self.session_version}"

    @property
    def is_active(self) -> bool:
        """Deactivated accounts cannot sign in."""
        return self.active

    def has_role(self, *roles: Role) -> bool:
        """Admins may do everything; others only what their role names."""
        return self.role == Role.ADMIN or self.role in roles


class LoginThrottle(db.Model):  # type: ignore[name-defined]
    """Failed sign-ins counted per account and per address, with the back-off they earned."""

    __tablename__ = "login_throttles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
