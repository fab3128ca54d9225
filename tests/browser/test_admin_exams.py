"""An administrator creates and opens an exam, changes a password and deactivates an account,
in a real browser, in English and in Korean (screenshots at 375 and 1280 px)."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from exam_engine.extensions import db
from exam_engine.models import Exam, ExamStatus
from tests.conftest import PASSWORD
from tests.factories import make_exam, make_staff

pytestmark = pytest.mark.browser

WORDS = {
    "en": {
        "email": "Email",
        "password": "Password",
        "sign_in": "Sign in",
        "new": "New exam",
        "save": "Save the exam",
        "problem": "There is a problem",
        "title_needed": "The title is needed in the default language.",
        "open_now": "Open now…",
        "open": "Open autumn now",
        "opened": "is open. Its question versions are now fixed.",
        "badge": "Open",
        "add": "Add a section",
    },
    "ko": {
        "email": "이메일",
        "password": "비밀번호",
        "sign_in": "로그인",
        "new": "새 시험",
        "save": "시험 저장",
        "problem": "문제가 있습니다",
        "title_needed": "기본 언어로 된 제목이 필요합니다.",
        "open_now": "지금 열기…",
        "open": "autumn 지금 열기",
        "opened": "시험이 열렸습니다. 이제 문제 버전이 고정됩니다.",
        "badge": "진행 중",
        "add": "섹션 추가",
    },
}


def shots(tmp_path: Path) -> Path:
    """Where screenshots go: $EXAM_ENGINE_SHOTS when set, else the test's own folder."""
    folder = Path(os.environ.get("EXAM_ENGINE_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def snap(page: Page, folder: Path, name: str) -> None:
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def admin_page(browser: Browser, base: str, lang: str) -> Page:
    """A browser in ``lang`` signed in as admin@example.org (close it with ``page.context``)."""
    context = browser.new_context(locale="ko-KR" if lang == "ko" else "en-GB")
    context.set_default_timeout(20_000)
    page = context.new_page()
    sign_in(page, base, "admin@example.org", WORDS[lang])
    return page


def sign_in(page: Page, base: str, email: str, words: dict[str, str]) -> None:
    page.goto(f"{base}/staff/login")
    page.get_by_label(words["email"]).fill(email)
    page.get_by_label(words["password"], exact=True).fill(PASSWORD)
    page.get_by_role("button", name=words["sign_in"]).click()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_an_administrator_creates_and_opens_an_exam(
    app: Flask, live_server: str, browser: Browser, tmp_path: Path, lang: str
) -> None:
    words = WORDS[lang]
    folder = shots(tmp_path)
    make_staff("admin")
    page = admin_page(browser, live_server, lang)
    page.goto(f"{live_server}/admin/exams")
    page.get_by_role("link", name=words["new"]).click()
    opens = datetime.now(UTC).astimezone(ZoneInfo("Asia/Seoul")) + timedelta(days=3)
    page.locator("#slug").fill("autumn")
    page.locator("#timezone").select_option("Asia/Seoul")
    page.locator("#opens_at").fill(opens.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#closes_at").fill((opens + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#sections-0-bank").select_option("fellowship")
    page.locator("#sections-0-topic").select_option("calculus")
    page.locator("#sections-0-draw").fill("2")
    page.get_by_role("button", name=words["add"]).click()
    page.locator("#sections-1-bank").select_option("fellowship")
    page.locator("#sections-1-topic").select_option("probability")
    page.locator("#sections-1-draw").fill("1")
    page.get_by_role("button", name=words["save"]).click()  # no title yet
    summary = page.locator("#error-summary")
    expect(summary.get_by_role("heading", name=words["problem"])).to_be_visible()
    expect(summary).to_contain_text(words["title_needed"])
    expect(page.locator("#pool-0")).to_be_visible()  # the pool's size beside the section
    snap(page, folder, f"exam-form-errors-{lang}")
    summary.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"#title_en$"))
    page.locator("#title_en").fill("Autumn screening")
    page.locator("#title_ko").fill("가을 선발 시험")
    page.locator("#instructions_ko").fill("90분 동안 풉니다.")
    page.get_by_role("button", name=words["save"]).click()
    row = page.locator("#exam-autumn")
    expect(row).to_be_visible()
    snap(page, folder, f"exam-list-{lang}")
    row.get_by_text(words["open_now"]).click()
    row.get_by_role("button", name=words["open"]).click()
    expect(page.locator(".flash")).to_contain_text(words["opened"])
    expect(page.locator("#exam-autumn .badge")).to_have_text(words["badge"])
    exam = db.session.scalars(select_autumn()).one()
    assert exam.status(datetime.now(UTC)) == ExamStatus.OPEN
    assert exam.title_in("ko") == "가을 선발 시험" and exam.timezone == "Asia/Seoul"
    assert [s.draw_count for s in exam.sections] == [2, 1]
    page.goto(f"{live_server}/admin/exams/autumn/edit")
    expect(page.locator("#locked-note")).to_be_visible()
    expect(page.locator("#duration_minutes")).to_be_disabled()
    snap(page, folder, f"exam-edit-open-{lang}")
    page.context.close()


def select_autumn():  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    db.session.expire_all()
    return select(Exam).where(Exam.slug == "autumn")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_accounts_and_invitation_report_pages(
    app: Flask, live_server: str, browser: Browser, tmp_path: Path, lang: str
) -> None:
    """The pages as people see them: settings with the password form, staff with deactivate,
    the CSV report; screenshots to look at."""
    folder = shots(tmp_path)
    make_staff("admin")
    make_staff("committee")
    exam = make_exam()
    page = admin_page(browser, live_server, lang)
    page.goto(f"{live_server}/staff/profile")
    page.locator("#current").fill("wrong password")
    page.locator("#new").fill("a new long password")
    page.locator("#repeat").fill("a different one")
    page.locator("#password-form button, #password-form input[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    snap(page, folder, f"profile-password-{lang}")
    page.goto(f"{live_server}/admin/")
    page.locator("#accounts button").first.click()
    expect(page.locator("tr.inactive")).to_have_count(1)
    snap(page, folder, f"staff-{lang}")
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("email,name\na@example.org,A\nbad,B\na@example.org,A\n")
    page.goto(f"{live_server}/admin/exams/{exam.slug}/invitations")
    page.locator("input[type=file]").set_input_files(str(csv_file))
    page.locator("form[enctype] input[type=submit], form[enctype] button").click()
    expect(page.locator("#invite-report")).to_be_visible()
    expect(page.locator("#row-errors li")).to_have_count(1)
    snap(page, folder, f"invite-report-{lang}")
    page.context.close()
