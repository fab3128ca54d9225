"""Role guards for staff pages, and the committee's per-exam access."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from exam_engine.errors import NotFound
from exam_engine.models import Exam, Role
from exam_engine.services import membership

F = TypeVar("F", bound=Callable[..., Any])


def role_required(*roles: Role) -> Callable[[F], F]:
    """Only signed-in staff with one of ``roles`` (or admins) get through; others get 404.

    A 404 rather than 403 so that a candidate cannot learn which staff pages exist.
    """

    def decorate(view: F) -> F:
        @wraps(view)
        @login_required
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles):
                abort(404)
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def require_exam(exam: Exam) -> Exam:
    """The exam, if the signed-in staff member sits on its committee (admins: every exam).

    :raises NotFound: otherwise — the same answer as for an exam that does not exist.
    """
    if not membership.can_see(current_user, exam.id):
        raise NotFound()
    return exam
