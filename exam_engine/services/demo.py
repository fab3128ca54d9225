"""Turning an empty database into a ready demo."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from exam_engine.extensions import db
from exam_engine.models import Exam, Invitation, Role, User
from exam_engine.services import applications, exams, membership, questions, users

# The demo exam takes applications at /apply/fellowship-demo.
DEMO_APPLICATIONS = {
    "enabled": True,
    "terms": {
        "en": (
            "Your name, e-mail address and answers are used only to select this year's fellows. "
            "The selection committee sees them; they are deleted a year after the programme ends."
        ),
        "ko": (
            "이름, 이메일 주소와 답안은 올해 펠로 선발에만 사용됩니다. 선발 위원회가 이를 보며, "
            "프로그램이 끝나고 1년 뒤에 삭제됩니다."
        ),
    },
    "fields": [
        {"name": "university", "label": {"en": "University", "ko": "대학교"}},
        {"name": "year", "label": {"en": "Year of study", "ko": "학년"}},
    ],
}

DEMO_STAFF = (
    ("admin@example.org", Role.ADMIN, "Demo Admin"),
    ("author@example.org", Role.AUTHOR, "Demo Author"),
    ("committee@example.org", Role.COMMITTEE, "Demo Committee"),
)
DEMO_CANDIDATES = (
    ("ada@example.org", "Ada Lovelace", 1.0),
    ("emmy@example.org", "Emmy Noether", 1.0),
    ("srinivasa@example.org", "Srinivasa Ramanujan", 1.0),
    ("sophie@example.org", "Sophie Germain", 1.5),
    ("minji@example.org", "김민지", 1.0),
)


@dataclass
class DemoReport:
    """What the demo created: passwords are shown once, then only their hashes remain."""

    exam: Exam
    staff: list[tuple[str, str, str]] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)


def is_empty() -> bool:
    """Whether the database has no staff and no exams yet."""
    staff = db.session.scalar(select(func.count()).select_from(User))
    found = db.session.scalar(select(func.count()).select_from(Exam))
    return not staff and not found


def build_demo(banks_path: str | Path, now: datetime) -> DemoReport:
    """Import the sample banks, open a 90-minute exam for a month, add staff and candidates.

    :param banks_path: the ``question_banks`` folder.
    :param now: the current time; the window opens a day before it.
    :returns: the exam, staff credentials and invitations.
    """
    questions.import_banks(banks_path)
    exam = exams.save_exam(
        {
            "slug": "fellowship-demo",
            "title": "AI Research Fellowship: Mathematics Screening (demo)",
            "instructions": (
                "Answers are saved as you type. Write maths as you would "
                "on a calculator: 2*x^2, sqrt(3)/2, binomial(10,3)/2^10, [[1,2],[3,4]]. "
                "The preview under each box shows how we read your answer."
            ),
            "opens_at": (now - timedelta(days=1)).isoformat(),
            "closes_at": (now + timedelta(days=30)).isoformat(),
            "timezone": "Asia/Seoul",
            "duration_minutes": 90,
            "cohort_size": 2,
            "sections": [
                {
                    "title": "Linear algebra",
                    "bank": "fellowship",
                    "topic": "linear-algebra",
                    "draw": 2,
                },
                {"title": "Calculus", "bank": "fellowship", "topic": "calculus", "draw": 2},
                {"title": "Probability", "bank": "fellowship", "topic": "probability", "draw": 2},
                {"title": "Statistics", "bank": "fellowship", "topic": "statistics", "draw": 2},
            ],
        }
    )
    applications.configure(exam, DEMO_APPLICATIONS)
    report = DemoReport(exam=exam)
    for email, role, name in DEMO_STAFF:
        password = secrets.token_urlsafe(12)
        user = users.create_user(email, password, role, name)
        if role == Role.COMMITTEE:
            membership.add_member(exam, user, None, now)
        report.staff.append((email, role.value, password))
    for email, name, factor in DEMO_CANDIDATES:
        report.invitations.append(exams.invite(exam, email, name, factor))
    return report
