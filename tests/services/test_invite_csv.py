"""CSV invitations: each bad row by its spreadsheet line, duplicates named, honest counts."""

from __future__ import annotations

import csv

import pytest
from flask import Flask
from sqlalchemy import func, select

from exam_engine.extensions import db
from exam_engine.models import Invitation
from exam_engine.services.exams import InvalidExam, invite_many
from exam_engine.services.invite_csv import invite_rows, read_csv, summary
from tests.factories import make_exam, make_invitation

# Line numbers as a spreadsheet shows them: the header is line 1, the quoted name with a line
# break inside is one line (4), and the blank line (6) is a line too.
FILE = (
    "email,name,time_factor\r\n"  # 1
    "a@example.org,Ada,1.5\r\n"  # 2
    "not-an-email,Bad,1\r\n"  # 3
    'b@example.org,"Bo\r\nLee",1\r\n'  # 4
    "A@Example.org,Ada again,1\r\n"  # 5
    "\r\n"  # 6
    "c@example.org,Cy,fast\r\n"  # 7
    "old@example.org,Old,1\r\n"  # 8
    "d@example.org,,\r\n"  # 9
    ",no email,1\r\n"  # 10
    "e@example.org,Eve,5\r\n"  # 11
)


def test_every_problem_is_reported_with_its_line(app: Flask) -> None:
    exam = make_exam()
    make_invitation(exam, "old@example.org")
    report = invite_rows(exam, read_csv(FILE))
    db.session.commit()
    assert [i.candidate.email for i in report.invited] == [
        "a@example.org",
        "b@example.org",
        "d@example.org",
    ]
    assert report.invited[0].time_factor == 1.5 and report.invited[1].candidate.name == "Bo Lee"
    assert [(p.line, p.kind) for p in report.errors] == [
        (3, "email"),
        (7, "time_factor"),
        (10, "email"),
        (11, "time_factor"),
    ]
    assert [(p.line, p.kind, p.first_line) for p in report.duplicates] == [
        (5, "in_file", 2),
        (8, "invited", 0),
    ]
    assert [p.message() for p in report.duplicates] == [
        "a@example.org appears again (first on line 2)",
        "old@example.org is already invited",
    ]
    assert report.errors[0].message() == "not-an-email is not an e-mail address"
    assert report.errors[2].message() == "the e-mail address is missing"
    assert summary(report) == "3 invited, 2 duplicates skipped, 4 rows with errors"
    count = db.session.scalar(select(func.count()).select_from(Invitation))
    assert count == 4  # the old one and the three good rows


def test_the_counts_use_singular_and_plural(app: Flask) -> None:
    exam = make_exam()
    report = invite_rows(exam, read_csv("a@example.org\nbad\na@example.org\n"))
    assert summary(report) == "1 invited, 1 duplicate skipped, 1 row with errors"
    assert summary(invite_rows(exam, read_csv("z@example.org\n"))) == "1 invited"
    again = invite_rows(exam, read_csv("a@example.org\nz@example.org\n"))
    assert summary(again) == "0 invited, 2 duplicates skipped"


def test_a_file_without_a_header_starts_on_line_one(app: Flask) -> None:
    report = invite_rows(make_exam(), read_csv("bad\nx@example.org\n"))
    assert [p.line for p in report.errors] == [1] and len(report.invited) == 1


def test_an_unclosed_quote_is_a_csv_error() -> None:
    with pytest.raises(csv.Error):
        read_csv('a@example.org,"Ada\n')


def test_all_or_nothing_invite_many_names_the_first_bad_line(app: Flask) -> None:
    with pytest.raises(InvalidExam, match="line 3: nope is not an e-mail address"):
        invite_many(make_exam(), read_csv("email\na@example.org\nnope\n"))


def test_known_candidates_are_reused_and_accommodations_apply(app: Flask) -> None:
    from exam_engine.models import Candidate

    other = make_exam("other")
    make_invitation(other, "Known@Example.org")
    exam = make_exam(accommodations=[{"email": "slow@example.org", "time_factor": 2}])
    report = invite_rows(exam, read_csv("known@example.org,K\nslow@example.org,S,1.25\n"))
    db.session.commit()
    assert [i.candidate.email for i in report.invited] == ["known@example.org", "slow@example.org"]
    assert [i.time_factor for i in report.invited] == [1.0, 2.0]
    assert db.session.scalar(select(func.count()).select_from(Candidate)) == 2
    assert all(i.exam_id == exam.id and len(i.token) >= 32 for i in report.invited)
