"""One writer at a time per attempt: the attempt's row lock on PostgreSQL, an immediate
transaction on SQLite.

Every write to a sitting (a save, the submit, finalising at the deadline, the start) first
calls :func:`begin_write` or :func:`lock`, and then re-reads what it decides on, so the
decision and the write happen under one lock:

- PostgreSQL: ``SELECT … FROM attempts WHERE id = … FOR UPDATE`` holds the attempt's row until
  the commit; a second writer waits for it and then reads the committed state.
- SQLite has no row locks, only one writer per database. pysqlite (in its default mode) opens
  a transaction only before the first INSERT/UPDATE/DELETE, so the reads before it ran
  without a transaction; :func:`begin_write` issues ``BEGIN IMMEDIATE`` there and then, which
  takes the database's write lock at once (waiting up to the busy timeout). The reads that
  follow see the latest commit, and the later write can never fail with "database is locked"
  the way a read transaction upgraded to a writer can.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from exam_engine.extensions import db

# What a writer re-reads under the lock: the attempt's state, never its relationships.
STATE = (
    "status",
    "deadline_at",
    "submitted_at",
    "graded_at",
    "receipt",
    "extra_minutes",
    "client_id",
    "client_seen_at",
)


def begin_write(target: Session | Connection | None = None) -> None:
    """Make the transaction of a session (default: the app's) or of a connection a writer's
    from now on (SQLite: ``BEGIN IMMEDIATE``).

    A no-op on PostgreSQL (rows are locked one by one there) and inside a SQLite transaction
    that already wrote (it holds the write lock already).
    """
    if isinstance(target, Connection):
        connection = target
    else:
        connection = (target or db.session()).connection()
    if connection.dialect.name != "sqlite":
        return
    raw: Any = connection.connection.driver_connection
    if not raw.in_transaction:
        raw.execute("BEGIN IMMEDIATE")


def lock(row: Any, names: tuple[str, ...] = STATE) -> Any:
    """Take ``row``'s lock for the rest of the transaction and re-read ``names`` under it.

    Call it before changing the row: pending changes to ``names`` would be overwritten.

    :returns: ``row``, refreshed.
    """
    begin_write()
    db.session.refresh(row, attribute_names=list(names), with_for_update=True)
    return row
