"""Staff accounts: changing one's own password, and an administrator deactivating an account."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from exam_engine.extensions import db
from exam_engine.models import AuditEntry
from tests.conftest import PASSWORD, csrf_token
from tests.factories import login, make_staff

NEW = "a brand new passphrase"


def change(client: FlaskClient, current: str, new: str, repeat: str) -> str:
    token = csrf_token(client, "/staff/profile")
    response = client.post(
        "/staff/password",
        data={"csrf_token": token, "current": current, "new": new, "repeat": repeat},
        follow_redirects=True,
    )
    return response.get_data(as_text=True)


def test_changing_a_password_ends_the_other_sessions(app: Flask) -> None:
    user = make_staff("committee")
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user)
    login(elsewhere, user)
    assert "This is not your current password." in change(here, "wrong", NEW, NEW)
    assert "The two new passwords differ." in change(here, PASSWORD, NEW, NEW + "!")
    assert "Field must be between 10 and 200 characters long." in change(
        here, PASSWORD, "short", "short"
    )
    page = change(here, PASSWORD, NEW, NEW)
    assert "Your password is changed. You are signed out everywhere else." in page
    assert here.get("/committee/").status_code == 200  # this session carries on
    assert elsewhere.get("/committee/").status_code == 302  # the other one has ended
    fresh = app.test_client()
    token = csrf_token(fresh, "/staff/login")
    refused = fresh.post(
        "/staff/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert refused.status_code == 200  # the old password no longer works
    accepted = fresh.post(
        "/staff/login", data={"email": user.email, "password": NEW, "csrf_token": token}
    )
    assert accepted.status_code == 302
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "user.password_changed")
    ).one()
    assert entry.actor_id == user.id


def test_a_deactivated_account_is_signed_out_and_cannot_sign_in(app: Flask) -> None:
    admin, member = make_staff("admin"), make_staff("committee")
    admin_client, member_client = app.test_client(), app.test_client()
    login(admin_client, admin)
    login(member_client, member)
    admin_token = csrf_token(admin_client, "/admin/")
    done = admin_client.post(
        f"/admin/users/{member.id}/deactivate",
        data={"csrf_token": admin_token},
        follow_redirects=True,
    )
    assert "committee@example.org is deactivated and signed out everywhere." in done.get_data(True)
    assert member_client.get("/committee/").status_code == 302  # at once
    token = csrf_token(member_client, "/staff/login")
    refused = member_client.post(
        "/staff/login", data={"email": member.email, "password": PASSWORD, "csrf_token": token}
    )
    assert "Wrong email or password." in refused.get_data(True)
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "user.deactivated")
    ).one()
    assert (entry.actor_id, entry.target_id) == (admin.id, str(member.id))
    admin_client.post(f"/admin/users/{member.id}/reactivate", data={"csrf_token": admin_token})
    login(member_client, member)
    assert member_client.get("/committee/").status_code == 200


def test_an_admin_cannot_deactivate_themself(app: Flask, client: FlaskClient) -> None:
    admin = make_staff("admin")
    login(client, admin)
    token = csrf_token(client, "/admin/")
    page = client.post(
        f"/admin/users/{admin.id}/deactivate", data={"csrf_token": token}, follow_redirects=True
    ).get_data(True)
    assert "You cannot deactivate your own account." in page
    assert client.get("/admin/").status_code == 200
    assert client.post(f"/admin/users/{admin.id}/deactivate", data={}).status_code == 400
    assert client.post("/admin/users/999/deactivate", data={"csrf_token": token}).status_code == 404


def test_only_admins_deactivate(app: Flask, client: FlaskClient) -> None:
    author = make_staff("author")
    login(client, make_staff("committee"))
    token = csrf_token(client, "/staff/profile")
    response = client.post(f"/admin/users/{author.id}/deactivate", data={"csrf_token": token})
    assert response.status_code == 404
    db.session.refresh(author)
    assert author.active
