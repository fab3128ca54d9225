"""The task queue sends the mail: a real ``exam-engine worker`` and a real SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from exam_engine.extensions import db
from exam_engine.mail import messages, outbox
from exam_engine.models import MailMessage, MailState
from tests.conftest import csrf_token
from tests.factories import make_exam, make_invitation, make_staff
from tests.smtp_server import SmtpServer, link
from tests.workers import Worker, wait_for


def test_a_worker_retries_refused_mail_with_backoff_and_sends_resets(
    app: Flask, client: FlaskClient, smtp: SmtpServer, tmp_path: Path
) -> None:
    worker = Worker.for_app(
        app,
        tmp_path,
        beat=False,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp.port,
        MAIL_RETRY_SECONDS=0.5,
        BASE_URL="http://exam.test",
        SECRET_KEY=app.config["SECRET_KEY"],
    ).start()
    try:
        smtp.refuse_next(2)
        message = messages.invitation(make_invitation(make_exam()), datetime.now(UTC))
        db.session.commit()
        assert message is not None and outbox.dispatch([message]) == 1
        assert smtp.wait_for("cand@example.org", "invitation")

        def sent() -> MailMessage | None:
            db.session.expire_all()
            stored = db.session.get(MailMessage, message.id)
            return stored if stored and stored.state == MailState.SENT else None

        stored = wait_for(sent)
        assert stored.tries == 3 and len(smtp.messages) == 1
        # A reset asked for on the page is looked up and mailed by the worker.
        make_staff("admin", "boss@example.org")
        token = csrf_token(client, "/staff/forgot")
        client.post("/staff/forgot", data={"email": "boss@example.org", "csrf_token": token})
        mail = smtp.wait_for("boss@example.org", "Reset")
        url = link(mail, "/staff/reset/")
        assert url.startswith("http://exam.test/staff/reset/")
        assert client.get(url.removeprefix("http://exam.test")).status_code == 200
    finally:
        worker.stop()
