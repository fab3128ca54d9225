"""The save path, lean: lock the attempt, check it is open, one conditional write, the history.

A save is the request a sitting sends most (every candidate, every few seconds), so it loads
no ORM objects: it runs four SQL statements at most, compiled once per process:

1. the attempt's state under its lock (:mod:`exam_engine.services.locks`), with the exam's
   grace;
2. ``INSERT … ON CONFLICT (attempt_id, part_key) DO UPDATE … WHERE responses.seq <
   excluded.seq RETURNING seq``: the conditional write, which stores nothing for a stale or
   repeated ``seq``;
3. the history row of the value;
4. the page's mark (``client_id``), only when another page saves or once a minute.

The parts an attempt has (their keys and validation settings) are worked out once per
process from the question versions, without instantiating a variant, and kept (an attempt's
questions never change once it started; whatever changes them must call
:func:`forget_parts`). The validation echo reads the settings from there too: a sitting
of thousands of candidates would otherwise re-instantiate a candidate's questions at every
keystroke burst once their variants fall out of the per-process variant cache.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, lru_cache
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from exam_engine import banks
from exam_engine.banks.variants import part_settings
from exam_engine.errors import (
    AttemptClosed,
    DeadlinePassed,
    InvalidAnswer,
    NotFound,
    StaleSave,
)
from exam_engine.extensions import db
from exam_engine.grading import PartSettings
from exam_engine.models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    Exam,
    IntegrityEvent,
    QuestionVersion,
    Response,
)
from exam_engine.models import ResponseHistory as History
from exam_engine.services import integrity
from exam_engine.services.locks import begin_write

# ``seq`` is a 64-bit column: a page's counter must fit it.
MAX_SEQ = 2**63 - 1
# Attempts whose parts each app in this process keeps (a few kilobytes each: the keys are
# interned, the settings shared by every attempt that drew the version); cleared past this.
KEYS_KEPT = 50_000
# Where an app keeps them (``app.extensions``).
_KEPT = "exam_engine.attempt_parts"

_attempts = Attempt.__table__.c
_questions = AttemptQuestion.__table__.c
_responses = Response.__table__.c


@cache
def _statements(dialect: str) -> dict[str, Any]:
    """The save's statements, built once per dialect with named parameters (building a
    statement costs more than running a compiled one)."""
    upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Response.__table__)
    row: dict[str, Any] = {
        "attempt_id": bindparam("a"),
        "part_key": bindparam("p"),
        "saved_at": bindparam("t"),
    }
    upsert = upsert.values(**row, value=bindparam("v"), seq=bindparam("s"))
    excluded = upsert.excluded
    return {
        "state": select(
            _attempts.status,
            _attempts.deadline_at,
            Exam.__table__.c.grace_seconds,
            _attempts.client_id,
            _attempts.client_seen_at,
        )
        .join_from(Attempt.__table__, Exam.__table__, Exam.__table__.c.id == _attempts.exam_id)
        .where(_attempts.id == bindparam("a"))
        .with_for_update(of=Attempt.__table__),
        "upsert": upsert.on_conflict_do_update(
            index_elements=[_responses.attempt_id, _responses.part_key],
            set_={"value": excluded.value, "seq": excluded.seq, "saved_at": excluded.saved_at},
            where=_responses.seq < excluded.seq,
        ).returning(_responses.seq),
        "history": insert(History.__table__).values(
            **row, value=bindparam("v"), seq=bindparam("s")
        ),
        "stored": select(_responses.seq, _responses.value, _responses.saved_at).where(
            _responses.attempt_id == bindparam("a"), _responses.part_key == bindparam("p")
        ),
        "mark": update(Attempt.__table__)
        .where(_attempts.id == bindparam("a"))
        .values(client_id=bindparam("c"), client_seen_at=bindparam("t")),
        "event": insert(IntegrityEvent.__table__).values(
            attempt_id=bindparam("a"),
            kind="second_session",
            at=bindparam("t"),
            details=bindparam("d"),
        ),
    }


@dataclass(frozen=True)
class Stored:
    """What a save acknowledges, and the attempt's deadline as it stands (extra time reaches
    the page with every save)."""

    seq: int
    saved_at: datetime
    deadline: datetime


def attempt_parts(attempt_id: int) -> Mapping[str, PartSettings]:
    """The attempt's parts: each key (``q<position>-<part>``) with its validation settings,
    kept per process.

    Worked out from the question versions' part lists, without instantiating any variant (a
    part's key and settings do not depend on the variant).

    :raises NotFound: for an attempt that does not exist.
    """
    kept = _kept()
    parts = kept.get(attempt_id)
    if parts is None:
        found = db.session.execute(
            select(_questions.position, QuestionVersion.id, QuestionVersion.content_hash)
            .join_from(AttemptQuestion, QuestionVersion)
            .where(_questions.attempt_id == attempt_id)
        ).all()
        if not found:
            raise NotFound()
        parts = {
            sys.intern(f"q{position}-{key}"): settings
            for position, version_id, content_hash in found
            for key, settings in _version_parts(content_hash, version_id)
        }
        if len(kept) >= KEYS_KEPT:
            kept.clear()
        kept[attempt_id] = parts
    return parts


# One entry per stored question version: hundreds in a deployment, never one per candidate.
@lru_cache(maxsize=4096)
def _version_parts(content_hash: str, version_id: int) -> tuple[tuple[str, PartSettings], ...]:
    """The parts of a stored question version, key and settings (memoised: versions never
    change)."""
    data = db.session.execute(
        select(QuestionVersion.data).where(QuestionVersion.id == version_id)
    ).scalar_one()
    return tuple((part.key, part_settings(part)) for part in banks.question_from_data(data).parts)


def kept_parts(app: Flask, attempt_id: int) -> Mapping[str, PartSettings] | None:
    """The attempt's parts if this process has them already (no query), else None."""
    kept: dict[int, Mapping[str, PartSettings]] = app.extensions.get(_KEPT, {})
    return kept.get(attempt_id)


def _kept() -> dict[int, Mapping[str, PartSettings]]:
    """The app's parts by attempt (one app, one database)."""
    kept: dict[int, Mapping[str, PartSettings]] = current_app.extensions.setdefault(_KEPT, {})
    return kept


def forget_parts(attempt_id: int | None = None) -> None:
    """Drop the kept parts of one attempt (or of all): after its questions changed."""
    if attempt_id is None:
        _kept().clear()
    else:
        _kept().pop(attempt_id, None)


def acceptable(value: str, seq: int, max_chars: int) -> bool:
    """Whether a value and ``seq`` can be stored (:func:`check_value` says why not)."""
    return 0 <= seq <= MAX_SEQ and len(value) <= max_chars and "\x00" not in value


def check_value(value: str, seq: int, max_chars: int) -> None:
    """Refuse a value or ``seq`` that cannot be stored.

    :raises InvalidAnswer: with a message for the page.
    """
    from flask_babel import gettext as _

    if acceptable(value, seq, max_chars):
        return
    if not 0 <= seq <= MAX_SEQ:
        raise InvalidAnswer(_("seq must be a whole number from 0 to 2^63 - 1."))
    if len(value) > max_chars:
        raise InvalidAnswer(
            _("Answers are limited to %(n)s characters.", n=max_chars), limit=max_chars
        )
    if "\x00" in value:
        raise InvalidAnswer(_("The answer contains a NUL character."))


def store_answer(
    attempt_id: int, part_key: str, value: str, seq: int, now: datetime, client_id: str | None
) -> Stored:
    """Store a part's value if ``seq`` is newer than the stored one, under the attempt's lock.

    The caller checked ``part_key`` (:func:`attempt_parts`) and the value (:func:`check_value`),
    and commits.

    :param client_id: the saving page's id (``X-Client-Id``), for the second-session check.
    :returns: the acknowledged ``seq`` and time (a retried request gets the stored ones).
    :raises NotFound: for an attempt that does not exist.
    :raises DeadlinePassed: after the deadline plus grace (the attempt is then closed, flushed).
    :raises AttemptClosed: after submission.
    :raises StaleSave: when ``seq`` is lower than the stored one, or equal with another value;
        it carries the stored value (``stored``) so the page can show it.
    """
    session = db.session()
    begin_write(session)
    try:
        return write_answer(session.connection(), attempt_id, part_key, value, seq, now, client_id)
    except PastDeadline:
        from exam_engine.services.attempts import finalize_if_due, get_attempt

        finalize_if_due(get_attempt(attempt_id), now)
        raise DeadlinePassed() from None


class PastDeadline(DeadlinePassed):
    """The attempt is still open in the database but its deadline plus grace has passed: the
    caller closes it (:func:`store_answer` does) and refuses the save."""


def write_answer(
    connection: Connection,
    attempt_id: int,
    part_key: str,
    value: str,
    seq: int,
    now: datetime,
    client_id: str | None,
) -> Stored:
    """:func:`store_answer`'s statements on ``connection``, in its transaction, which already
    holds the write lock on SQLite (:func:`exam_engine.services.locks.begin_write`).

    :raises PastDeadline: instead of closing the attempt; otherwise as :func:`store_answer`.
    """
    run = _statements(connection.dialect.name)
    row = connection.execute(run["state"], {"a": attempt_id}).first()
    if row is None:
        raise NotFound()
    status, deadline, grace, last_client, seen_at = row
    if status != AttemptStatus.OPEN:
        raise DeadlinePassed() if status == AttemptStatus.EXPIRED else AttemptClosed()
    if now > deadline + timedelta(seconds=grace):
        raise PastDeadline()
    values = {"a": attempt_id, "p": part_key, "v": value, "s": seq, "t": now}
    if connection.execute(run["upsert"], values).first() is None:
        stored = connection.execute(run["stored"], values).one()
        if stored.seq == seq and stored.value == value:
            # A retried request: already acknowledged.
            return Stored(stored.seq, stored.saved_at, deadline)
        raise StaleSave(
            stored_seq=stored.seq,
            stored={
                "value": stored.value,
                "seq": stored.seq,
                "saved_at": stored.saved_at.isoformat(),
            },
        )
    connection.execute(run["history"], values)
    change = integrity.client_change(last_client, seen_at, client_id, now)
    if change is not None:
        new_id, second_session = change
        if second_session:
            details = {"previous": last_client, "new": new_id}
            connection.execute(run["event"], {"a": attempt_id, "t": now, "d": details})
        connection.execute(run["mark"], {"a": attempt_id, "c": new_id, "t": now})
    return Stored(seq, now, deadline)
