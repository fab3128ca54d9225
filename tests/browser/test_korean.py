"""The exam and the dashboard in Korean, in a real browser."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import answer_every_part, sign_in
from tests.factories import make_exam, make_invitation, make_staff

pytestmark = pytest.mark.browser


def test_candidate_sits_the_exam_in_korean(app: Flask, live_server: str, browser: Browser) -> None:
    sections = [{"bank": "fellowship", "topic": "probability", "draw": 3}]
    invitation = make_invitation(make_exam(sections=sections, languages=["en", "ko"]))
    context = browser.new_context(locale="ko-KR")
    page = context.new_page()
    page.goto(f"{live_server}/i/{invitation.token}")
    expect(page.get_by_role("heading", name="안내")).to_be_visible()
    page.get_by_role("button", name="시험 시작").click()
    expect(page.locator("#save-state")).to_have_text("모든 답안 저장됨")
    for body in page.locator("section.question .body").all():  # the questions too, in Korean
        assert re.search(r"[\uac00-\ud7a3]", body.inner_text()), body.inner_text()
    answer_every_part(page, next_name="다음 문제")
    expect(page.locator("#save-state")).to_have_text("모든 답안 저장됨")
    page.get_by_role("button", name="검토 후 제출").click()
    expect(page.locator("#summary-unanswered")).to_have_text("모든 소문항에 답했습니다.")
    page.get_by_role("button", name="답안 제출").click()
    expect(page.get_by_role("heading", name="시험이 제출되었습니다")).to_be_visible()
    expect(page.locator("#receipt")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    assert page.locator("html").get_attribute("lang") == "ko"
    context.close()


def test_committee_switches_the_dashboard_to_korean(
    app: Flask, live_server: str, page: Page
) -> None:
    exam = make_exam()
    make_invitation(exam)
    make_staff("committee")
    sign_in(page, live_server, "committee@example.org")
    page.goto(f"{live_server}/committee/exams/{exam.slug}")
    expect(page.locator("dt").first).to_have_text("Invited")
    page.get_by_role("button", name="한국어").click()
    expect(page.locator("dt").first).to_have_text("초대함")
    page.goto(f"{live_server}/committee/exams/{exam.slug}/ranking")
    expect(page.get_by_role("link", name="CSV 내보내기")).to_be_visible()


def test_times_are_shown_where_the_reader_is(
    app: Flask, live_server: str, browser: Browser
) -> None:
    """The window's close is rewritten in the browser's own zone (here Seoul, UTC+9)."""
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    closes = (now + timedelta(days=3)).replace(hour=15, minute=30, second=0, microsecond=0)
    exam = make_exam(closes_at=closes.isoformat(), timezone="UTC")
    invitation = make_invitation(exam)
    context = browser.new_context(locale="en-GB", timezone_id="Asia/Seoul")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{live_server}/i/{invitation.token}")
        shown = page.locator("time.local-time").first.inner_text()
        # 15:30 UTC is half past midnight the next day in Seoul.
        assert (
            re.search(r"\b(00|12):30\b", shown) and str((closes + timedelta(days=1)).day) in shown
        )
        assert "GMT+9" in shown or "KST" in shown, shown
        assert errors == []
    finally:
        context.close()
