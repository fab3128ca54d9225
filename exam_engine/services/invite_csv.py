"""Invitations from a CSV file, reported row by row as a spreadsheet numbers them (issue 15.6).

Every good row is invited; every bad row is reported with its line number (the header is line
1, and a cell with a line break inside quotes is still one line, as in a spreadsheet); rows whose
e-mail appears earlier in the file or is already invited are reported as duplicates and skipped.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, insert, select
from sqlalchemy.orm import joinedload

from exam_engine.extensions import db
from exam_engine.models import Candidate, Exam, Invitation
from exam_engine.services.exam_spec import MAX_TIME_FACTOR, InvalidExam

MOST = f"{MAX_TIME_FACTOR:g}"  # the largest extra-time factor, as people write it

MAX_INVITES_PER_UPLOAD = 50_000
CHUNK = 1000  # e-mails looked up per query
_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+")


@dataclass(frozen=True)
class RowProblem:
    """A row that was not invited: what was wrong with it, or which row it repeats."""

    line: int
    kind: str  # "email", "time_factor", "in_file" (a repeat) or "invited" (already invited)
    value: str = ""
    first_line: int = 0

    def message(self) -> str:
        """What went wrong, for a person, in the current language (without the line number)."""
        if self.kind == "email":
            if not self.value:
                return _("the e-mail address is missing")
            return _("%(value)s is not an e-mail address", value=self.value)
        if self.kind == "time_factor":
            return _(
                "the extra-time factor %(value)s is not a number from 1 to %(most)s",
                value=self.value,
                most=MOST,
            )
        if self.kind == "in_file":
            return _(
                "%(email)s appears again (first on line %(first)d)",
                email=self.value,
                first=self.first_line,
            )
        return _("%(email)s is already invited", email=self.value)


@dataclass
class InviteReport:
    """What an upload did: the invitations made, the duplicates skipped, the rows refused."""

    invited: list[Invitation] = field(default_factory=list)
    duplicates: list[RowProblem] = field(default_factory=list)
    errors: list[RowProblem] = field(default_factory=list)


def read_csv(text: str) -> list[list[str]]:
    """The records of a CSV text, blank lines included, so that record *n* is line *n*.

    :raises csv.Error: for text the csv module cannot read (e.g. an unclosed quote at the end).
    """
    return list(csv.reader(io.StringIO(text, newline=""), strict=True))


def _factor(cell: str) -> float | None:
    try:
        factor = float(cell) if cell.strip() else 1.0
    except ValueError:
        return None
    return factor if 1.0 <= factor <= MAX_TIME_FACTOR else None


def _already_invited(exam: Exam) -> set[str]:
    stmt = (
        select(func.lower(Candidate.email))
        .join(Invitation, Invitation.candidate_id == Candidate.id)
        .where(Invitation.exam_id == exam.id)
    )
    return set(db.session.scalars(stmt))


def invite_rows(exam: Exam, rows: list[list[str]]) -> InviteReport:
    """Invite every good row (``email[,name[,time_factor]]``, an optional header on line 1).

    :param exam: the exam.
    :param rows: the file's records in order, blank ones included (see :func:`read_csv`).
    :returns: the report; the invitations are flushed, not committed.
    :raises InvalidExam: for a file with more than ``MAX_INVITES_PER_UPLOAD`` rows.
    """
    if len(rows) > MAX_INVITES_PER_UPLOAD + 1:
        raise InvalidExam(
            _("at most %(count)d invitations at a time", count=MAX_INVITES_PER_UPLOAD)
        )
    report = InviteReport()
    invited = _already_invited(exam)
    seen: dict[str, int] = {}
    wanted: list[tuple[str, str, float]] = []
    for line, row in enumerate(rows, start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if line == 1 and cells[0].lower() in ("email", "e-mail"):
            continue
        email = cells[0].lower()
        if not _EMAIL.fullmatch(email):
            report.errors.append(RowProblem(line, "email", cells[0]))
            continue
        factor = _factor(cells[2]) if len(cells) > 2 else 1.0
        if factor is None:
            report.errors.append(RowProblem(line, "time_factor", cells[2]))
            continue
        if email in seen:
            report.duplicates.append(RowProblem(line, "in_file", email, seen[email]))
            continue
        seen[email] = line
        if email in invited:
            report.duplicates.append(RowProblem(line, "invited", email))
            continue
        name = " ".join(cells[1].split()) if len(cells) > 1 else ""  # one line, as shown
        wanted.append((email, name, factor))
    report.invited = _invite_all(exam, wanted)
    return report


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _invite_all(exam: Exam, wanted: list[tuple[str, str, float]]) -> list[Invitation]:
    """Invite many new candidates in a few bulk statements (10,000 rows in a few seconds).

    :returns: the invitations with their candidates loaded, in the order wanted.
    """
    known: dict[str, int] = {}
    for emails in _chunks([email for email, _name, _factor in wanted]):
        pairs = select(Candidate.id, Candidate.email).where(func.lower(Candidate.email).in_(emails))
        known.update((email.lower(), id_) for id_, email in db.session.execute(pairs))
    new = [{"email": e, "name": n} for e, n, _f in wanted if e not in known]
    for rows in _chunks(new):
        added = db.session.execute(insert(Candidate).returning(Candidate.id, Candidate.email), rows)
        known.update((email.lower(), id_) for id_, email in added)
    floor = exam.accommodations
    tokens = {email: secrets.token_urlsafe(24) for email, _name, _factor in wanted}
    rows = [
        {
            "exam_id": exam.id,
            "candidate_id": known[email],
            "token": tokens[email],
            "time_factor": max(factor, floor.get(email, 1.0)),
        }
        for email, _name, factor in wanted
    ]
    for chunk in _chunks(rows):
        db.session.execute(insert(Invitation), chunk)
    found: dict[str, Invitation] = {}
    for chunk in _chunks(list(tokens.values())):
        stmt = (
            select(Invitation)
            .where(Invitation.exam_id == exam.id, Invitation.token.in_(chunk))
            .options(joinedload(Invitation.candidate))
        )
        found.update((i.token, i) for i in db.session.scalars(stmt))
    return [found[tokens[email]] for email, _name, _factor in wanted]


def summary(report: InviteReport) -> str:
    """What happened, counted: "5 invited, 1 duplicate skipped, 2 rows with errors"."""
    parts = [ngettext("%(num)d invited", "%(num)d invited", len(report.invited))]
    if report.duplicates:
        parts.append(
            ngettext(
                "%(num)d duplicate skipped",
                "%(num)d duplicates skipped",
                len(report.duplicates),
            )
        )
    if report.errors:
        parts.append(
            ngettext("%(num)d row with errors", "%(num)d rows with errors", len(report.errors))
        )
    return ", ".join(parts)
