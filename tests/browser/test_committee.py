"""A committee member reviews the ranking, overrides a mark with a reason, exports the CSV."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from exam_engine.extensions import db
from exam_engine.jobs.analysis import analyse_now, run_analysis
from exam_engine.models import JobKind
from exam_engine.services import jobs
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
    analyse_now(exam, replicates=100)  # what the worker's analysis job stores
    db.session.commit()
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

    # The override queued an analysis; the ranking shows it updating until a worker ran it.
    page.goto(f"{live_server}/committee/exams/{exam.slug}/ranking")
    expect(page.locator("#analysis-progress")).to_be_attached()
    run_queued_analysis(exam.id)
    page.goto(f"{live_server}/committee/exams/{exam.slug}/ranking")
    expect(page.locator("#analysis-progress")).to_have_count(0)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    text = download_info.value.path().read_text(encoding="utf-8-sig")
    header, first_row, second_row = text.splitlines()[:3]
    assert header.startswith("rank,candidate,email,score (percent of marks available),total")
    assert "ada@example.org" in first_row and "bob@example.org" in second_row
    assert second_row.split(",")[4] == "1"  # Bob's total now counts the override


def run_queued_analysis(exam_id: int) -> None:
    """Run the exam's queued analysis job here, as a worker would."""
    db.session.rollback()
    job_id = jobs.next_queued(exam_id, JobKind.ANALYSIS)
    assert job_id is not None
    job = jobs.claim(job_id, datetime.now(UTC), timedelta(minutes=2))
    assert job is not None
    run_analysis(job, replicates=100)
    db.session.commit()
