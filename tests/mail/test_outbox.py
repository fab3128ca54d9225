"""E-mail through a real SMTP server: rendering per language, retries, failures shown, receipts."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from celery.exceptions import Retry
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from exam_engine.extensions import db
from exam_engine.mail import messages
from exam_engine.models import Attempt, Invitation, MailMessage, MailState
from tests.conftest import Databases, csrf_token, make_app
from tests.factories import login, make_exam, make_invitation, make_staff, start
from tests.mail.conftest import BASE, send_queued
from tests.smtp_server import SmtpServer, body, link


def all_messages() -> list[MailMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(MailMessage).order_by(MailMessage.id)))


def test_an_invitation_arrives_with_its_link_in_the_candidates_language(
    app: Flask, smtp: SmtpServer
) -> None:
    exam = make_exam()
    english = make_invitation(exam, "ann@example.org")
    korean = make_invitation(exam, "kim@example.org")
    korean.candidate.locale = "ko"
    now = datetime.now(UTC)
    messages.invitation(english, now)
    messages.invitation(korean, now)
    db.session.commit()
    assert send_queued() == 2
    first = smtp.wait_for("ann@example.org")
    assert first["Subject"] == "Your invitation: Screening"
    assert link(first, "/i/") == f"{BASE}/i/{english.token}"
    assert "90 minutes" in body(first)
    second = smtp.wait_for("kim@example.org")
    assert second["Subject"] == "초대장: Screening"
    assert f"{BASE}/i/{korean.token}" in body(second) and "90분" in body(second)
    assert all(m.state == MailState.SENT and m.tries == 1 for m in all_messages())


def test_a_refused_send_is_retried_then_sent(app: Flask, smtp: SmtpServer) -> None:
    from exam_engine.jobs.mail import send_mail

    invite = make_invitation(make_exam())
    message = messages.invitation(invite, datetime.now(UTC))
    db.session.commit()
    assert message is not None
    smtp.refuse_next(1)  # 451: a temporary failure
    with pytest.raises(Retry):
        send_mail(message.id)
    stored = all_messages()[0]
    assert stored.state == MailState.RETRYING and stored.tries == 1
    assert "451" in (stored.last_error or "")
    assert smtp.messages == []
    assert send_mail(message.id) is True
    stored = all_messages()[0]
    assert stored.state == MailState.SENT and stored.tries == 2 and stored.last_error is None
    assert send_mail(message.id) is True  # a duplicate task message sends nothing twice
    assert len(smtp.messages) == 1


def test_a_permanent_refusal_fails_at_once_and_the_admin_sees_it_and_retries(
    app: Flask, client: FlaskClient, smtp: SmtpServer
) -> None:
    from exam_engine.jobs.mail import send_mail

    exam = make_exam()
    invite = make_invitation(exam, "gone@example.org")
    message = messages.invitation(invite, datetime.now(UTC))
    db.session.commit()
    assert message is not None
    smtp.refuse_next(1, "550 5.1.1 No such mailbox")
    assert send_mail(message.id) is False  # no retry for a permanent refusal
    assert all_messages()[0].state == MailState.FAILED
    login(client, make_staff("admin"))
    page = client.get(f"/admin/exams/{exam.slug}/mail").get_data(as_text=True)
    assert "gone@example.org" in page and "No such mailbox" in page and "Try again" in page
    everywhere = client.get("/admin/mail").get_data(as_text=True)
    assert "gone@example.org" in everywhere
    token = csrf_token(client, f"/admin/exams/{exam.slug}/mail")
    response = client.post(f"/admin/mail/{message.id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    assert all_messages()[0].state == MailState.QUEUED and all_messages()[0].tries == 0
    assert send_queued() == 1
    assert smtp.wait_for("gone@example.org")
    assert "Nothing has failed." in client.get(f"/admin/exams/{exam.slug}/mail").get_data(
        as_text=True
    )


def test_a_send_that_keeps_failing_stops_after_its_tries(app: Flask, smtp: SmtpServer) -> None:
    from exam_engine.jobs.mail import send_mail

    app.config["MAIL_MAX_TRIES"] = 2
    message = messages.invitation(make_invitation(make_exam()), datetime.now(UTC))
    db.session.commit()
    assert message is not None
    smtp.refuse_next(5)
    with pytest.raises(Retry):
        send_mail(message.id)
    assert send_mail(message.id) is False
    stored = all_messages()[0]
    assert stored.state == MailState.FAILED and stored.tries == 2


def test_backoff_doubles_up_to_an_hour(app: Flask) -> None:
    from exam_engine.mail.outbox import backoff

    assert [backoff(n) for n in (1, 2, 3)] == [30.0, 60.0, 120.0]
    assert backoff(20) == 3600.0


def test_admin_sends_one_or_every_invitation_not_yet_sent(
    app: Flask, client: FlaskClient, smtp: SmtpServer
) -> None:
    from exam_engine.jobs.mail import mail_invitations

    exam = make_exam()
    invites = [make_invitation(exam, f"c{i}@example.org") for i in range(3)]
    login(client, make_staff("admin"))
    page = client.get(f"/admin/exams/{exam.slug}/mail").get_data(as_text=True)
    assert "E-mail all 3 invitations" in page
    token = csrf_token(client, f"/admin/exams/{exam.slug}/mail")
    one = client.post(
        f"/admin/exams/{exam.slug}/mail/invitations/{invites[0].id}", data={"csrf_token": token}
    )
    assert one.status_code == 302
    assert [m.to_address for m in all_messages()] == ["c0@example.org"]
    rest = client.post(f"/admin/exams/{exam.slug}/mail/invitations", data={"csrf_token": token})
    assert rest.status_code == 302  # it enqueued the task; here it runs as a worker would
    assert "2 invitations are on their way." in client.get(rest.headers["Location"]).get_data(
        as_text=True
    )
    assert mail_invitations(exam.id) == 2
    assert mail_invitations(exam.id) == 0
    assert sorted(m.to_address for m in all_messages()) == [
        "c0@example.org",
        "c1@example.org",
        "c2@example.org",
    ]
    assert len(all_messages()) == 3  # "not yet sent" means not yet sent
    assert send_queued() == 3
    assert len(smtp.messages) == 3
    page = client.get(f"/admin/exams/{exam.slug}/mail").get_data(as_text=True)
    assert "Every invitation has been e-mailed." in page and "Sent: 3" in page
    # Without the token nothing is sent.
    assert client.post(f"/admin/exams/{exam.slug}/mail/invitations").status_code == 400


def test_the_mail_page_is_for_administrators_only(app: Flask, client: FlaskClient) -> None:
    exam = make_exam()
    login(client, make_staff("committee"))
    assert client.get(f"/admin/exams/{exam.slug}/mail").status_code == 404


def test_the_receipt_mail_carries_the_fingerprint_once(
    app: Flask, client: FlaskClient, smtp: SmtpServer
) -> None:
    from exam_engine.jobs.mail import send_receipt

    invitation = make_invitation(make_exam(), "sat@example.org")
    attempt_id = start(client, invitation)
    state = client.get(f"/api/attempts/{attempt_id}").get_json()
    part = next(p["key"] for q in state["questions"] for p in q["parts"] if p["input"] != "choice")
    h = {"X-CSRFToken": csrf_token(client, f"/attempts/{attempt_id}")}
    saved = client.put(
        f"/api/attempts/{attempt_id}/answers/{part}", json={"value": "1/2", "seq": 1}, headers=h
    )
    assert saved.status_code == 200
    receipt = client.post(f"/api/attempts/{attempt_id}/submit", headers=h).get_json()["receipt"]
    assert send_receipt(attempt_id) is True
    assert send_receipt(attempt_id) is False  # made once only
    assert send_queued() == 1
    mail = smtp.wait_for("sat@example.org", "Receipt")
    text = body(mail)
    assert receipt in text
    total = sum(len(q["parts"]) for q in state["questions"])
    assert f"Parts answered: 1 of {total}" in text
    assert "Question 1:" in text


def test_the_sweep_mails_receipts_of_attempts_the_deadline_closed(
    app: Flask, client: FlaskClient, smtp: SmtpServer
) -> None:
    from exam_engine.jobs.mail import mail_sweep
    from exam_engine.services import attempts

    invitation = make_invitation(make_exam(), "late@example.org")
    attempt_id = start(client, invitation)
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt is not None
    assert attempts.finalize_if_due(attempt, attempt.deadline_at + timedelta(minutes=5))
    db.session.commit()
    result = mail_sweep()
    assert result["receipts"] == 1
    assert mail_sweep()["receipts"] == 0
    assert send_queued() == 1
    assert attempt.receipt in body(smtp.wait_for("late@example.org", "Receipt"))


def test_the_sweep_resends_messages_whose_task_was_lost(app: Flask) -> None:
    from exam_engine.jobs.mail import mail_sweep

    message = messages.invitation(make_invitation(make_exam()), datetime.now(UTC))
    assert message is not None
    message.queued_at = datetime.now(UTC) - timedelta(hours=1)
    db.session.commit()
    assert mail_sweep()["resent"] == 1
    assert all_messages()[0].queued_at > datetime.now(UTC) - timedelta(minutes=1)
    assert mail_sweep()["resent"] == 0


def test_cli_invites_create_send(app: Flask, runner, smtp: SmtpServer) -> None:  # type: ignore[no-untyped-def]
    make_exam(slug="spring")
    result = runner.invoke(
        args=["invites", "create", "--exam", "spring", "--email", "cli@example.org", "--send"]
    )
    assert result.exit_code == 0, result.output
    assert "1 invitation e-mail(s) queued" in result.output
    assert [m.kind for m in all_messages()] == ["invitation"]
    assert send_queued() == 1
    assert "/i/" in body(smtp.wait_for("cli@example.org"))


def test_without_a_mail_server_mail_goes_to_the_log_and_the_instance_folder(
    databases: Databases, engine: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "dev-mail"
    dev = make_app(databases.fresh(engine), MAIL_FILE_PATH=str(folder), BASE_URL=BASE)
    with dev.app_context():
        from exam_engine.mail import outbox

        invite = make_invitation(make_exam(), "new@example.org")
        message = messages.invitation(invite, datetime.now(UTC))
        db.session.commit()
        assert message is not None
        with caplog.at_level(logging.INFO, logger="exam_engine.mail"):
            assert outbox.deliver(message, datetime.now(UTC))
        files = list(folder.glob("*.eml"))
        assert len(files) == 1
        assert f"{BASE}/i/{invite.token}" in files[0].read_text()
        assert any(f"/i/{invite.token}" in r.getMessage() for r in caplog.records)
        db.session.remove()
        db.engine.dispose()


def test_the_bulk_send_works_in_batches_and_mails_nobody_twice(app: Flask) -> None:
    from exam_engine.jobs import mail as mail_jobs
    from exam_engine.services import exams

    exam = make_exam()
    for i in range(7):
        exams.invite(exam, f"b{i}@example.org")
    db.session.commit()
    batch = mail_jobs.INVITATION_BATCH
    mail_jobs.INVITATION_BATCH = 3
    try:
        assert mail_jobs.mail_invitations(exam.id) == 7
    finally:
        mail_jobs.INVITATION_BATCH = batch
    first = messages.not_yet_invited(exam)
    assert first == []
    keys = [m.key for m in all_messages()]
    assert len(keys) == 7 and len(set(keys)) == 7
    # A second message with a taken key is not made.
    invite = db.session.scalars(select(Invitation)).first()
    assert invite is not None
    again = messages.invitation(invite, datetime.now(UTC), key=f"first-invitation:{invite.id}")
    assert again is None
