"""A committee member reviews the ranking, overrides a mark with a reason, exports the CSV."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.helpers import sign_in
from tests.factories import make_exam, make_staff, right, sit

pytestmark = pytest.mark.browser


def test_review_override_and_export(app: Flask, live_server: str, page: Page) -> None:
    now = datetime.now(UTC)
    exam = make_exam(
        now=now, sections=[{"bank": "fellowship", "topic": "probability", "draw": 3}], cohort_size=1
    )
    sit(exam, "ada@example.org", right, now)
    sit(exam, "bob@example.org", None, now)
    make_staff("committee")
    sign_in(page, live_server, "committee@example.org")
    page.goto(f"{live_server}/committee/exams/{exam.slug}/ranking")
    rows = page.locator("#ranking tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Ada")
    expect(rows.nth(1)).to_contain_text("Bob")
    rows.nth(1).get_by_role("link", name="Bob").click()

    first = page.locator("form.override").first
    first.get_by_label("New mark").fill("1")
    first.get_by_role("button", name="Override mark").click()
    expect(page.locator("form.override").first.get_by_label("Reason")).to_have_js_property(
        "validity.valueMissing", True
    )  # the browser itself asks for the reason
    first = page.locator("form.override").first
    first.get_by_label("New mark").fill("1")
    first.get_by_label("Reason").fill("correct method, arithmetic slip")
    first.get_by_role("button", name="Override mark").click()
    expect(page.get_by_text("The mark is changed and the reason recorded.")).to_be_visible()
    expect(page.locator("details").first).to_contain_text("correct method, arithmetic slip")

    page.goto(f"{live_server}/committee/exams/{exam.slug}/ranking")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    text = download_info.value.path().read_text(encoding="utf-8-sig")
    header, first_row, second_row = text.splitlines()[:3]
    assert header.startswith("rank,tied,candidate,email,total")
    assert "ada@example.org" in first_row and "bob@example.org" in second_row
    assert second_row.split(",")[4] == "1"  # Bob's total now counts the override
