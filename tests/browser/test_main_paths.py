"""Each role's main path in a real browser: sit the exam, see the ranking, preview a question."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.helpers import VALID, next_text_box, sign_in
from tests.factories import make_exam, make_invitation, make_staff

pytestmark = pytest.mark.browser



def answer_every_part(page: Page) -> int:
    """Answer each question in turn, moving on with the Next button; returns the part count."""
    questions = page.locator("section.question")
    total = 0
    for q in range(questions.count()):
        question = questions.nth(q)
        expect(question).to_be_visible()
        parts = question.locator(".part")
        for i in range(parts.count()):
            part = parts.nth(i)
            kind = part.get_attribute("data-input")
            if kind in ("choice", "multichoice"):
                part.locator("input").first.check()
            else:
                part.locator("input.answer").fill(VALID[kind or "algebraic"])
                echo = part.locator(".echo")
                expect(echo).not_to_be_empty()
                assert "invalid" not in (echo.get_attribute("class") or ""), (kind, echo.inner_text())
                expect(echo.locator("math")).to_have_count(1)
            total += 1
        if q + 1 < questions.count():
            question.get_by_role("button", name="Next question").click()
    return total


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
