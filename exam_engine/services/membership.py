"""Committee membership per exam: a committee member sees only the exams they are assigned to.

Administrators see every exam. Every change is audited.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from exam_engine.errors import DomainError
from exam_engine.extensions import db
from exam_engine.models import CommitteeMember, Exam, Role, User
from exam_engine.services import audit


class MembershipError(DomainError):
    """A membership change that cannot be made as asked."""

    code = "membership"


def visible_exam_ids(user: User) -> set[int] | None:
    """The ids of the exams ``user`` may see on committee pages; ``None`` means all (admins).

    :param user: a signed-in staff member.
    :returns: a set of exam ids (empty for staff on no committee), or ``None`` for admins.
    """
    if user.role == Role.ADMIN:
        return None
    if user.role != Role.COMMITTEE:
        return set()
    stmt = select(CommitteeMember.exam_id).where(CommitteeMember.user_id == user.id)
    return set(db.session.scalars(stmt))


def can_see(user: User, exam_id: int) -> bool:
    """Whether ``user`` may see the committee pages of the exam ``exam_id`` (one statement)."""
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.COMMITTEE:
        return False
    found = db.session.scalar(
        select(func.count())
        .select_from(CommitteeMember)
        .where(CommitteeMember.user_id == user.id, CommitteeMember.exam_id == exam_id)
    )
    return bool(found)


def members_of(exam_ids: list[int]) -> dict[int, list[User]]:
    """The committee members of each of these exams, by exam id, ordered by email."""
    found: dict[int, list[User]] = {exam_id: [] for exam_id in exam_ids}
    if exam_ids:
        stmt = (
            select(CommitteeMember.exam_id, User)
            .join(User, User.id == CommitteeMember.user_id)
            .where(CommitteeMember.exam_id.in_(exam_ids))
            .order_by(User.email)
        )
        for exam_id, user in db.session.execute(stmt):
            found[exam_id].append(user)
    return found


def committee_users() -> list[User]:
    """Every committee account, by email (the choices of the assignment form)."""
    stmt = select(User).where(User.role == Role.COMMITTEE).order_by(User.email)
    return list(db.session.scalars(stmt))


def _membership(exam: Exam, user: User) -> CommitteeMember | None:
    stmt = select(CommitteeMember).where(
        CommitteeMember.exam_id == exam.id, CommitteeMember.user_id == user.id
    )
    return db.session.scalars(stmt).first()


def add_member(exam: Exam, user: User, actor: User | None, now: datetime) -> bool:
    """Assign a committee user to an exam (audited); assigning twice changes nothing.

    :param actor: the administrator, or ``None`` for the command line.
    :returns: whether a membership was added.
    :raises MembershipError: when ``user`` is not a committee account.
    """
    if user.role != Role.COMMITTEE:
        raise MembershipError(_("%(email)s is not a committee account", email=user.email))
    if _membership(exam, user) is not None:
        return False
    db.session.add(
        CommitteeMember(
            exam_id=exam.id, user_id=user.id, added_at=now, added_by_id=actor.id if actor else None
        )
    )
    audit.record(
        "committee.member_added",
        now=now,
        actor=actor,
        target=exam,
        details={"user": user.email},
    )
    db.session.flush()
    return True


def remove_member(exam: Exam, user: User, actor: User | None, now: datetime) -> bool:
    """Take a committee user off an exam (audited).

    :returns: whether a membership was removed.
    """
    membership = _membership(exam, user)
    if membership is None:
        return False
    db.session.delete(membership)
    audit.record(
        "committee.member_removed",
        now=now,
        actor=actor,
        target=exam,
        details={"user": user.email},
    )
    db.session.flush()
    return True
