"""An applicant applies, confirms by e-mail, practises, sits and gets the receipt by e-mail; a
staff member resets a forgotten password from the sign-in page. English and Korean, in Chromium,
with a real SMTP server and a real task-queue worker sending the mail."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect

from exam_engine.extensions import db
from exam_engine.services import applications
from tests.browser.helpers import answer_every_part
from tests.conftest import Databases, make_app
from tests.factories import make_exam, make_staff
from tests.smtp_server import SmtpServer, body, link
from tests.workers import Worker

pytestmark = pytest.mark.browser

TEXT = {
    "en": {
        "locale": "en-GB",
        "consent_error": "You can apply only if you agree to the terms.",
        "sent": "Check your e-mail",
        "confirm_subject": "Confirm your application",
        "confirmed": "Your address is confirmed",
        "check": "Check my answer",
        "start": "Start the exam",
        "next": "Next question",
        "review": "Review and submit",
        "submit": "Submit my answers",
        "done": "Your exam is submitted",
        "receipt_subject": "Receipt",
        "forgot": "Forgotten your password?",
        "send_link": "Send me a link",
        "reset_subject": "Reset",
        "changed": "Your password is changed.",
    },
    "ko": {
        "locale": "ko-KR",
        "consent_error": "약관에 동의해야 지원할 수 있습니다.",
        "sent": "이메일을 확인하세요",
        "confirm_subject": "지원 확인",
        "confirmed": "주소가 확인되었습니다",
        "check": "답 확인",
        "start": "시험 시작",
        "next": "다음 문제",
        "review": "검토 후 제출",
        "submit": "답안 제출",
        "done": "시험이 제출되었습니다",
        "receipt_subject": "접수증",
        "forgot": "비밀번호를 잊으셨나요?",
        "send_link": "링크 보내기",
        "reset_subject": "비밀번호 재설정",
        "changed": "비밀번호가 바뀌었습니다.",
    },
}
NEW_PASSWORD = "a fresh passphrase 42"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def app(databases: Databases, engine: str, smtp: SmtpServer) -> Iterator[Flask]:
    """The app, sending mail to the test's SMTP server."""
    application = make_app(databases.fresh(engine), MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def worker(app: Flask, live_server: str, smtp: SmtpServer, tmp_path: Path) -> Iterator[Worker]:
    """A task-queue worker that sends mail with links to the live server."""
    app.config["BASE_URL"] = live_server
    started = Worker.for_app(
        app,
        tmp_path,
        beat=False,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp.port,
        BASE_URL=live_server,
        SECRET_KEY=app.config["SECRET_KEY"],  # the reset links it signs are checked by the app
    ).start()
    yield started
    started.stop()


@pytest.mark.parametrize("language", ["en", "ko"])
def test_apply_confirm_practise_sit_and_get_the_receipt(
    app: Flask,
    live_server: str,
    browser: Browser,
    smtp: SmtpServer,
    worker: Worker,
    language: str,
) -> None:
    text = TEXT[language]
    sections = [{"bank": "fellowship", "topic": "probability", "draw": 2}]
    exam = make_exam(slug="fellows", sections=sections, languages=["en", "ko"])
    applications.configure(
        exam,
        {
            "enabled": True,
            "terms": {"en": "Answers are kept one year.", "ko": "답안은 1년간 보관합니다."},
            "fields": [{"name": "university", "label": {"en": "University", "ko": "대학교"}}],
        },
    )
    db.session.commit()
    context = browser.new_context(locale=text["locale"])
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server}/apply/fellows")
    expect(page.locator("#terms-text")).to_have_text(
        "Answers are kept one year." if language == "en" else "답안은 1년간 보관합니다."
    )
    page.locator("#name").fill("Grace Hopper")
    page.locator("#email").fill(f"grace-{language}@example.org")
    page.locator("#extra_university").fill("Yale")
    page.locator("#submit").click()  # consent not given yet
    expect(page.get_by_text(text["consent_error"])).to_be_visible()
    page.locator("#consent").check()
    page.locator("#submit").click()
    expect(page.get_by_role("heading", name=text["sent"])).to_be_visible()

    mail = smtp.wait_for(f"grace-{language}@example.org", text["confirm_subject"])
    page.goto(link(mail, "/confirm/"))
    page.locator("#confirm-application").click()  # opening the link alone confirms nothing
    expect(page.get_by_text(text["confirmed"])).to_be_visible()

    # The practice question: the echo as in the exam, then a check that counts for nothing.
    answer = page.locator("#practice-answer")
    answer.fill("3x^")
    expect(page.locator("#practice-echo")).to_have_class(re.compile(r"\binvalid\b"))
    answer.fill("3x^2 + 2")
    expect(page.locator("#practice-echo math")).to_have_count(1)
    page.get_by_role("button", name=text["check"]).click()
    expect(page.locator("#practice-verdict")).to_have_class(re.compile(r"\bright\b"))

    page.get_by_role("button", name=text["start"]).click()
    expect(page.locator("#clock")).not_to_have_text("--:--")
    answer_every_part(page, next_name=text["next"])
    page.get_by_role("button", name=text["review"]).click()
    page.get_by_role("button", name=text["submit"]).click()
    expect(page.get_by_role("heading", name=text["done"])).to_be_visible()
    fingerprint = page.locator("#receipt").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint)

    receipt = smtp.wait_for(f"grace-{language}@example.org", text["receipt_subject"])
    assert fingerprint in body(receipt)
    assert errors == []
    context.close()


@pytest.mark.parametrize("language", ["en", "ko"])
def test_staff_reset_a_forgotten_password_from_the_sign_in_page(
    app: Flask,
    live_server: str,
    browser: Browser,
    smtp: SmtpServer,
    worker: Worker,
    language: str,
) -> None:
    text = TEXT[language]
    user = make_staff("admin", f"boss-{language}@example.org")
    if language == "ko":
        user.locale = "ko"
        db.session.commit()
    context = browser.new_context(locale=text["locale"])
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(f"{live_server}/staff/login")
    page.get_by_role("link", name=text["forgot"]).click()
    page.locator("#email").fill(user.email)
    page.get_by_role("button", name=text["send_link"]).click()
    expect(page.locator("#reset-sent")).to_contain_text(user.email)

    mail = smtp.wait_for(user.email, text["reset_subject"])
    page.goto(link(mail, "/staff/reset/"))
    page.locator("#password").fill(NEW_PASSWORD)
    page.locator("#confirm").fill(NEW_PASSWORD)
    page.locator("#submit").click()
    expect(page.get_by_text(text["changed"])).to_be_visible()
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(NEW_PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/admin/?$"))
    context.close()
