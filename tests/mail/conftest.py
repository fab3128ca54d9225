"""Fixtures for e-mail tests: a real SMTP server, and the app pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import Databases, make_app
from tests.smtp_server import SmtpServer

BASE = "http://exam.test"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def app(databases: Databases, engine: str, smtp: SmtpServer, tmp_path: Path) -> Iterator[Flask]:
    """The app on a fresh database, sending mail to the test's SMTP server."""
    from exam_engine.extensions import db

    application = make_app(
        databases.fresh(engine),
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp.port,
        MAIL_FILE_PATH=str(tmp_path / "mail"),
        BASE_URL=BASE,
    )
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


def send_queued() -> int:
    """Run the send task for every queued message, as a worker would; returns how many sent."""
    from sqlalchemy import select

    from exam_engine.extensions import db
    from exam_engine.jobs.mail import send_mail
    from exam_engine.models import MailMessage, MailState

    db.session.expire_all()
    ids = list(
        db.session.scalars(select(MailMessage.id).where(MailMessage.state == MailState.QUEUED))
    )
    return sum(bool(send_mail(i)) for i in ids)
