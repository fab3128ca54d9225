"""Each role's main path in a real browser: sit the exam, see the ranking, preview a question."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from exam_engine.extensions import db
from exam_engine.jobs.analysis import analyse_now
from exam_engine.jobs.grading import grade_pending
from tests.browser.helpers import answer_every_part, next_text_box, sign_in
from tests.factories import make_exam, make_invitation, make_staff

pytestmark = pytest.mark.browser


def test_candidate_sits_exam_then_committee_sees_ranking(
    app: Flask, live_server: str, page: Page
) -> None:
    exam = make_exam()
    invitation = make_invitation(exam, "grace@example.org")
    make_staff("committee")
    page.goto(f"{live_server}/i/{invitation.token}")
    page.get_by_role("button", name="Start the exam").click()
    expect(page.locator("#clock")).to_have_text(re.compile(r"^1:(29|30):\d\d$"))
    answer_every_part(page)
    expect(page.locator("#save-state")).to_have_text("All answers saved")
    page.get_by_role("button", name="Review and submit").click()
    expect(page.locator("#summary-unanswered")).to_have_text("Every part has an answer.")
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name="Your exam is submitted")).to_be_visible()
    expect(page.locator("#receipt")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))

    # What the workers do in the background: grade the attempt, then analyse the exam.
    grade_pending(datetime.now(UTC))
    analyse_now(exam, replicates=100)
    db.session.commit()
    sign_in(page, live_server, "committee@example.org")
    page.goto(f"{live_server}/committee/exams/{exam.slug}/ranking")
    expect(page.locator("#ranking")).to_contain_text("Grace")


def test_echo_shows_a_message_for_invalid_input(app: Flask, live_server: str, page: Page) -> None:
    invitation = make_invitation(make_exam())
    page.goto(f"{live_server}/i/{invitation.token}")
    page.get_by_role("button", name="Start the exam").click()
    box = next_text_box(page)
    box.fill("(x+1")
    echo = page.locator(".echo.invalid").first
    expect(echo).not_to_be_empty()


def test_author_previews_a_question(app: Flask, live_server: str, page: Page) -> None:
    make_staff("author")
    sign_in(page, live_server, "author@example.org")
    expect(page.get_by_role("heading", name="Question banks")).to_be_visible()
    page.locator("table a").first.click()
    expect(page.locator("#preview math").first).to_be_attached()
    page.get_by_label("Seed").fill("42")
    page.get_by_role("button", name="Show variant").click()
    expect(page).to_have_url(re.compile(r"seed=42"))
    expect(page.locator(".model-answer").first).to_be_visible()
