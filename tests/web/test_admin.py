"""Administrators: staff accounts and invitations, with bad input refused clearly."""

from __future__ import annotations

import csv
import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from exam_engine.extensions import db
from exam_engine.models import Invitation, User
from tests.conftest import csrf_token
from tests.factories import login, make_exam, make_staff


def test_only_admins_get_in(app: Flask, client: FlaskClient) -> None:
    login(client, make_staff("committee"))
    assert client.get("/admin/").status_code == 404


def test_admin_creates_a_staff_account(app: Flask, client: FlaskClient) -> None:
    login(client, make_staff("admin"))
    token = csrf_token(client, "/admin/")
    short = client.post(
        "/admin/",
        data={"csrf_token": token, "email": "x@example.org", "role": "author", "password": "short"},
    )
    assert short.status_code == 200 and "between 10 and 200" in short.get_data(as_text=True)
    made = client.post(
        "/admin/",
        data={
            "csrf_token": token,
            "email": "x@example.org",
            "role": "author",
            "password": "long enough pass",
        },
    )
    assert made.status_code == 302
    again = client.post(
        "/admin/",
        data={
            "csrf_token": token,
            "email": "X@example.org",
            "role": "author",
            "password": "long enough pass",
        },
    )
    assert "already exists" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 2


def test_invitations_one_by_one_and_from_csv(app: Flask, client: FlaskClient) -> None:
    app.config["BASE_URL"] = "https://exam.example.org"
    exam = make_exam()
    login(client, make_staff("admin"))
    url = f"/admin/exams/{exam.slug}/invitations"
    token = csrf_token(client, url)
    one = client.post(
        url, data={"csrf_token": token, "email": "solo@example.org", "time_factor": "1.5"}
    )
    assert one.status_code == 302
    good = "email,name,time_factor\na@example.org,김민지,1\nb@example.org,B,1.25\n"
    done = client.post(
        f"{url}/upload",
        data={"csrf_token": token, "file": (io.BytesIO(good.encode("utf-8-sig")), "c.csv")},
    )
    assert done.status_code == 302
    mixed = "email,name\nc@example.org,C\nnot-an-email,D\na@example.org,A again\n"
    reported = client.post(
        f"{url}/upload", data={"csrf_token": token, "file": (io.BytesIO(mixed.encode()), "c.csv")}
    )
    page = reported.get_data(as_text=True)
    assert reported.status_code == 200
    assert "1 invited, 1 duplicate skipped, 1 row with errors" in page
    assert "Line 3: not-an-email is not an e-mail address" in page
    assert "Line 4: a@example.org is already invited" in page
    binary = client.post(
        f"{url}/upload",
        data={"csrf_token": token, "file": (io.BytesIO(b"\xff\xfe\x00bad"), "c.csv")},
    )
    assert "not UTF-8" in binary.get_data(as_text=True)
    unclosed = client.post(
        f"{url}/upload",
        data={"csrf_token": token, "file": (io.BytesIO(b'x@example.org,"X\n'), "c.csv")},
    )
    assert "The file is not readable as CSV" in unclosed.get_data(as_text=True)
    emails = db.session.scalars(select(Invitation.candidate_id)).all()
    assert len(emails) == 4  # the good row of the mixed upload is kept
    client.set_cookie("lang", "ko")
    again = client.post(
        f"{url}/upload", data={"csrf_token": token, "file": (io.BytesIO(mixed.encode()), "c.csv")}
    ).get_data(as_text=True)
    assert "0명 초대함, 중복 2건 건너뜀, 오류가 있는 행 1개" in again
    assert "3행: not-an-email은(는) 이메일 주소가 아닙니다" in again
    client.delete_cookie("lang")
    exported = client.get(f"/admin/exams/{exam.slug}/invitations.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    assert [r["email"] for r in rows] == [
        "solo@example.org",
        "a@example.org",
        "b@example.org",
        "c@example.org",
    ]
    assert rows[1]["name"] == "김민지" and rows[0]["time_factor"] == "1.5"
    # The configured public address, never the request's Host header.
    assert all(r["link"].startswith("https://exam.example.org/i/") for r in rows)
