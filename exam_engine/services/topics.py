"""Topic titles for pages: the titles the banks an exam draws from give their topics."""

from __future__ import annotations

from sqlalchemy import select

from exam_engine.banks import LocalText
from exam_engine.banks.topics import merged
from exam_engine.extensions import db
from exam_engine.models import Bank, Exam, ExamSection


def titles_for_exam(exam: Exam) -> dict[str, LocalText]:
    """The topic titles of the banks ``exam``'s sections draw from (one statement).

    When two banks title the same topic differently, the bank whose slug sorts first wins, so
    the page reads the same on every view.

    :param exam: the exam.
    :returns: topic slug -> title (show it with :func:`exam_engine.banks.topics.topic_title`).
    """
    used = select(ExamSection.bank_slug).where(ExamSection.exam_id == exam.id)
    stmt = select(Bank.topics).where(Bank.slug.in_(used)).order_by(Bank.slug)
    return merged(t or {} for t in db.session.scalars(stmt))
