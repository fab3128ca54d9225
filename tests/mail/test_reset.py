"""Password reset by e-mail: one answer for every address, a link that expires and works once."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from exam_engine.auth import reset
from exam_engine.extensions import db
from exam_engine.jobs.mail import send_reset
from exam_engine.models import MailMessage, User
from tests.conftest import PASSWORD, csrf_token
from tests.factories import login, make_staff
from tests.mail.conftest import BASE, send_queued
from tests.smtp_server import SmtpServer, link

NEW = "a brand new passphrase"


# A CSRF token is signed with the second it was made in: two pages made a second apart differ
# there, and only there.
SIGNED_TOKEN = re.compile(r'(csrf[-_]token"[^>]*?(?:content|value)=")[^"]*')


def ask(client: FlaskClient, email: str) -> tuple[int, str]:
    """The answer to a reset request, with its page's CSRF tokens blanked."""
    token = csrf_token(client, "/staff/forgot")
    response = client.post("/staff/forgot", data={"email": email, "csrf_token": token})
    return response.status_code, SIGNED_TOKEN.sub(r"\1", response.get_data(as_text=True))


def test_reset_through_the_mailed_link_ends_sessions_and_works_once(
    app: Flask, client: FlaskClient, smtp: SmtpServer
) -> None:
    user = make_staff("author", "writer@example.org")
    other = app.test_client()
    login(other, user)
    assert other.get("/author/").status_code == 200
    assert "/staff/forgot" in client.get("/staff/login").get_data(as_text=True)
    status, page = ask(client, "Writer@Example.org")
    assert status == 200 and "a link to choose a new password is on its way" in page
    assert send_reset("writer@example.org") is True  # what the queued task does
    assert send_queued() == 1
    url = link(smtp.wait_for("writer@example.org", "Reset"), "/staff/reset/")
    assert url.startswith(f"{BASE}/staff/reset/")
    path = url.removeprefix(BASE)
    form = client.get(path)
    assert form.status_code == 200 and "writer@example.org" in form.get_data(as_text=True)
    token = csrf_token(client, path)
    mismatch = client.post(path, data={"password": NEW, "confirm": NEW + "x", "csrf_token": token})
    assert "The two passwords are not the same." in mismatch.get_data(as_text=True)
    done = client.post(path, data={"password": NEW, "confirm": NEW, "csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith("/staff/login")
    # Every session of the account ended, and the link does not work twice.
    assert other.get("/author/").status_code == 302
    used = client.get(path)
    assert used.status_code == 400 and "already used" in used.get_data(as_text=True)
    token = csrf_token(client, "/staff/login")
    old = client.post(
        "/staff/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
    )
    assert old.status_code == 200
    new = client.post(
        "/staff/login", data={"email": user.email, "password": NEW, "csrf_token": token}
    )
    assert new.status_code == 302


def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    app: Flask, client: FlaskClient
) -> None:
    make_staff("admin", "boss@example.org")
    known_status, known = ask(client, "boss@example.org")
    unknown_status, unknown = ask(client, "nobody@example.org")
    assert known_status == unknown_status == 200
    assert known.replace("boss@example.org", "X") == unknown.replace("nobody@example.org", "X")
    assert send_reset("nobody@example.org") is False
    assert db.session.scalars(select(MailMessage)).first() is None


def test_inactive_accounts_get_no_link_and_old_links_stop(app: Flask, client: FlaskClient) -> None:
    user = make_staff("committee", "leaver@example.org")
    path = f"/staff/reset/{reset.make_token(user)}"
    assert client.get(path).status_code == 200
    user.active = False
    db.session.commit()
    assert send_reset("leaver@example.org") is False
    assert client.get(path).status_code == 400


def test_links_expire_and_cannot_be_altered(app: Flask, client: FlaskClient) -> None:
    user = make_staff("committee", "c@example.org")

    class Old(TimestampSigner):
        """Signs as if two hours ago (links last one)."""

        def get_timestamp(self) -> int:
            return int((datetime.now(UTC) - timedelta(hours=2)).timestamp())

    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=reset.SALT, signer=Old)
    payload = {"u": user.id, "v": user.session_version, "h": user.password_hash[-16:]}
    assert client.get(f"/staff/reset/{serializer.dumps(payload)}").status_code == 400
    good = reset.make_token(user)
    assert client.get(f"/staff/reset/{good[:-2]}zz").status_code == 400
    assert db.session.get(User, user.id) is not None


def test_reset_requests_are_throttled(app: Flask, client: FlaskClient) -> None:
    codes = [ask(client, "same@example.org")[0] for _ in range(4)]
    assert codes == [200, 200, 200, 429]
