"""Applications over HTTP: the form, the e-mailed confirmation, duplicates, windows, abuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from exam_engine.extensions import db
from exam_engine.models import Exam, Invitation, MailMessage
from exam_engine.services import applications
from tests.conftest import csrf_token
from tests.factories import login, make_exam, make_invitation, make_staff, start
from tests.mail.conftest import BASE, send_queued
from tests.smtp_server import SmtpServer, body, link

SETTINGS = {
    "enabled": True,
    "terms": {"en": "We keep your answers for a year.", "ko": "답안은 1년 동안 보관합니다."},
    "fields": [
        {"name": "university", "label": {"en": "University", "ko": "대학교"}, "required": True},
        {"name": "year", "label": {"en": "Year of study", "ko": "학년"}},
    ],
}


def open_exam(**overrides: Any) -> Exam:
    exam = make_exam(**overrides)
    applications.configure(exam, SETTINGS)
    db.session.commit()
    return exam


def apply(client: FlaskClient, slug: str, **fields: Any) -> Any:
    data = {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "extra_university": "KAIST",
        "extra_year": "3",
        "consent": "y",
        "csrf_token": csrf_token(client, f"/apply/{slug}"),
        **fields,
    }
    return client.post(f"/apply/{slug}", data={k: v for k, v in data.items() if v is not None})


def mails() -> list[MailMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(MailMessage).order_by(MailMessage.id)))


def test_apply_confirm_by_email_and_reach_the_instructions(
    app: Flask, client: FlaskClient, smtp: SmtpServer
) -> None:
    exam = open_exam()
    form = client.get(f"/apply/{exam.slug}").get_data(as_text=True)
    assert "We keep your answers for a year." in form and "University" in form
    response = apply(client, exam.slug)
    assert response.status_code == 302 and response.headers["Location"].endswith("/sent")
    assert "ada@example.org" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalars(select(Invitation)).first() is None  # nothing before confirming
    assert send_queued() == 1
    message = smtp.wait_for("ada@example.org", "Confirm your application")
    url = link(message, "/confirm/")
    assert url.startswith(f"{BASE}/apply/{exam.slug}/confirm/")
    page = client.get(url.removeprefix(BASE))  # a mail scanner's GET confirms nothing
    assert page.status_code == 200 and "ada@example.org" in page.get_data(as_text=True)
    assert db.session.scalars(select(Invitation)).first() is None
    path = url.removeprefix(BASE)
    confirmed = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert confirmed.status_code == 302
    invite = db.session.scalars(select(Invitation)).one()
    assert confirmed.headers["Location"] == f"/i/{invite.token}"
    assert invite.source == "application"
    assert invite.details is not None and invite.details["fields"] == {
        "university": "KAIST",
        "year": "3",
    }
    assert invite.details["terms"] == "We keep your answers for a year."
    assert invite.candidate.name == "Ada Lovelace" and invite.candidate.locale == "en"
    page = client.get(f"/i/{invite.token}").get_data(as_text=True)
    assert "Your address is confirmed" in page and "Start the exam" in page
    # The invitation link also arrives by e-mail, so it is not lost with the tab.
    assert send_queued() == 1
    assert f"{BASE}/i/{invite.token}" in body(smtp.wait_for("ada@example.org", "invitation"))
    # Opening the confirmation link again leads to the same page, adding nothing.
    again = client.get(url.removeprefix(BASE))
    assert again.headers["Location"] == f"/i/{invite.token}"
    assert len(db.session.scalars(select(Invitation)).all()) == 1


def test_the_committee_sees_where_a_candidate_came_from(
    app: Flask, client: FlaskClient, smtp: SmtpServer
) -> None:
    exam = open_exam()
    invited = make_invitation(exam, "invited@example.org")
    data = {"email": "applied@example.org", "name": "Applied", "fields": {"university": "SNU"}}
    applied, created = applications.accept(exam, data, datetime.now(UTC))
    db.session.commit()
    assert created
    ids = [start(client, invited), start(client, applied)]
    login(client, make_staff("committee"))
    first = client.get(f"/committee/attempts/{ids[0]}").get_data(as_text=True)
    second = client.get(f"/committee/attempts/{ids[1]}").get_data(as_text=True)
    assert "an invitation" in first and "an application" not in first
    assert "an application" in second and "SNU" in second


def test_korean_applicants_get_korean_mail(
    app: Flask, client: FlaskClient, smtp: SmtpServer
) -> None:
    exam = open_exam()
    client.set_cookie("lang", "ko")
    form = client.get(f"/apply/{exam.slug}").get_data(as_text=True)
    assert "답안은 1년 동안 보관합니다." in form and "대학교" in form
    assert apply(client, exam.slug, email="kim@example.org").status_code == 302
    send_queued()
    message = smtp.wait_for("kim@example.org")
    assert message["Subject"] == "지원 확인: Screening"
    path = link(message, "/confirm/").removeprefix(BASE)
    client.post(path, data={"csrf_token": csrf_token(client, path)})
    invite = db.session.scalars(select(Invitation)).one()
    assert invite.candidate.locale == "ko"
    send_queued()
    assert smtp.wait_for("kim@example.org", "초대장")


def test_a_duplicate_address_gets_its_existing_link_by_mail(
    app: Flask, client: FlaskClient, smtp: SmtpServer
) -> None:
    exam = open_exam()
    invite = make_invitation(exam, "ada@example.org")
    response = apply(client, exam.slug, email="ADA@example.org")
    assert response.status_code == 302
    # The page says the same as for a new address (it tells no one who applied) ...
    assert "ada@example.org" in client.get(response.headers["Location"]).get_data(as_text=True)
    # ... and the mail says it clearly, with the link the address already has.
    send_queued()
    message = smtp.wait_for("ada@example.org", "Your link")
    assert "You already have a place" in body(message)
    assert link(message, "/i/") == f"{BASE}/i/{invite.token}"
    assert len(db.session.scalars(select(Invitation)).all()) == 1


def test_consent_and_required_fields_are_checked(app: Flask, client: FlaskClient) -> None:
    exam = open_exam()
    no_consent = apply(client, exam.slug, consent=None)
    assert no_consent.status_code == 200
    assert "You can apply only if you agree to the terms." in no_consent.get_data(as_text=True)
    no_field = apply(client, exam.slug, extra_university="")
    assert no_field.status_code == 200 and "field-error" in no_field.get_data(as_text=True)
    bad_email = apply(client, exam.slug, email="not-an-address")
    assert "Enter an e-mail address such as" in bad_email.get_data(as_text=True)
    assert mails() == []


def test_exams_without_applications_and_closed_windows(app: Flask, client: FlaskClient) -> None:
    plain = make_exam(slug="plain")
    assert client.get(f"/apply/{plain.slug}").status_code == 404
    assert "does not take applications" in client.get("/apply/nothing").get_data(as_text=True)
    now = datetime.now(UTC)
    later = open_exam(
        slug="later",
        opens_at=(now + timedelta(days=2)).isoformat(),
        closes_at=(now + timedelta(days=9)).isoformat(),
    )
    page = client.get(f"/apply/{later.slug}")
    assert page.status_code == 200 and "Applications open at" in page.get_data(as_text=True)
    over = open_exam(
        slug="over",
        opens_at=(now - timedelta(days=9)).isoformat(),
        closes_at=(now - timedelta(days=2)).isoformat(),
    )
    assert "Applications closed at" in client.get(f"/apply/{over.slug}").get_data(as_text=True)
    token = csrf_token(client, f"/apply/{over.slug}")
    posted = client.post(f"/apply/{over.slug}", data={"csrf_token": token, "name": "x"})
    assert posted.status_code == 409
    # A link mailed while the window was open does not work after it closed.
    url = applications.sign(over, {"email": "late@example.org", "name": "Late"})
    closed = client.get(f"/apply/{over.slug}/confirm/{url}")
    assert closed.status_code == 409 and "Applications closed at" in closed.get_data(as_text=True)
    assert db.session.scalars(select(Invitation)).first() is None


def test_altered_expired_and_foreign_links_are_refused(app: Flask, client: FlaskClient) -> None:
    exam = open_exam()
    other = open_exam(slug="other")
    good = applications.sign(exam, {"email": "a@example.org", "name": "A"})
    tampered = client.get(f"/apply/{exam.slug}/confirm/{good[:-3]}xyz")
    assert tampered.status_code == 400 and "not valid" in tampered.get_data(as_text=True)
    foreign = client.get(f"/apply/{other.slug}/confirm/{good}")
    assert foreign.status_code == 400

    class Old(TimestampSigner):
        """Signs as if 49 hours ago (links last 48)."""

        def get_timestamp(self) -> int:
            return int((datetime.now(UTC) - timedelta(hours=49)).timestamp())

    old = URLSafeTimedSerializer(
        app.config["SECRET_KEY"], salt=applications.SALT, signer=Old
    ).dumps({"exam": exam.slug, "email": "a@example.org"})
    expired = client.get(f"/apply/{exam.slug}/confirm/{old}")
    assert expired.status_code == 400 and "has expired" in expired.get_data(as_text=True)
    assert db.session.scalars(select(Invitation)).first() is None


def test_applications_are_throttled_per_network_and_per_address(
    app: Flask, client: FlaskClient
) -> None:
    app.config["APPLY_PER_ADDRESS_PER_HOUR"] = 3
    exam = open_exam()
    for n in range(3):
        assert apply(client, exam.slug, email=f"p{n}@example.org").status_code == 302
    refused = apply(client, exam.slug, email="p9@example.org")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many applications from here" in refused.get_data(as_text=True)
    assert len(mails()) == 3
    # One address is not flooded, whichever network asks.
    app.config["APPLY_PER_ADDRESS_PER_HOUR"] = 1000
    codes = [apply(client, exam.slug, email="same@example.org").status_code for _ in range(6)]
    assert codes == [302] * 5 + [429]


def test_the_form_needs_its_csrf_token(app: Flask, client: FlaskClient) -> None:
    exam = open_exam()
    response = apply(client, exam.slug, csrf_token="forged")
    assert response.status_code == 400
    assert "Reload and try again" in response.get_data(as_text=True)
    assert mails() == []


def test_the_demo_exam_takes_applications(app: Flask, client: FlaskClient) -> None:
    from exam_engine.services.demo import build_demo
    from tests.conftest import BANKS

    report = build_demo(BANKS, datetime.now(UTC))
    db.session.commit()
    page = client.get(f"/apply/{report.exam.slug}")
    assert page.status_code == 200 and "Year of study" in page.get_data(as_text=True)


def test_settings_are_validated(app: Flask) -> None:
    import pytest

    with pytest.raises(applications.InvalidSettings, match="fields\\[0\\]"):
        applications.parse_settings({"fields": [{"name": "Bad Name"}]})
    with pytest.raises(applications.InvalidSettings, match="same name"):
        applications.parse_settings({"fields": [{"name": "a"}, {"name": "a"}]})
    parsed = applications.parse_settings({"enabled": True, "terms": "Plain text"})
    assert parsed.terms_in("ko") == "Plain text"


def test_an_exam_file_turns_applications_on(app: Flask, runner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.web.test_cli import EXAM_YAML

    now = datetime.now(UTC)
    text = EXAM_YAML.format(opens=now.isoformat(), closes=(now + timedelta(days=2)).isoformat())
    exam_file = tmp_path / "exam.yaml"
    exam_file.write_text(
        text
        + "applications:\n  enabled: true\n  terms: {en: Be kind., ko: 친절하게.}\n"
        + "  fields:\n    - {name: year, label: {en: Year, ko: 학년}}\n"
    )
    result = runner.invoke(args=["exams", "create", str(exam_file)])
    assert result.exit_code == 0, result.output
    exam = db.session.scalars(select(Exam).where(Exam.slug == "spring")).one()
    settings = applications.settings_of(exam)
    assert settings.enabled and settings.terms_in("ko") == "친절하게."
    assert [f.name for f in settings.fields] == ["year"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(text + "applications:\n  fields: [{name: Bad Name}]\n")
    result = runner.invoke(args=["exams", "create", str(bad)])
    assert result.exit_code == 1 and "applications.fields[0]" in result.output
