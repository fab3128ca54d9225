"""Steps a person takes on the exam page, shared by the browser tests."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.conftest import PASSWORD

VALID = {
    "algebraic": "2/3",
    "numeric": "1/2",
    "matrix": "[[1,0],[0,1]]",
    "set": "{1,2}",
    "equation": "y=1",
    "interval": "[0,1]",
}


def start_exam(page: Page, base: str, token: str) -> None:
    page.goto(f"{base}/i/{token}")
    page.get_by_role("button", name="Start the exam").click()
    expect(page.locator("#clock")).not_to_have_text("--:--")


def next_text_box(page: Page) -> Locator:
    """Move forward until the visible question has a text answer box; return the first box.

    Waits for the page's script first: until it runs, every question is laid out (no question
    is current yet), and a box counted then may be hidden a moment later.
    """
    expect(page.locator("#clock")).not_to_have_text("--:--")
    for _ in range(50):
        boxes = page.locator("section.question:visible input.answer:visible")
        if boxes.count():
            return boxes.first
        # The forward button by its place in the page, not its words: pages run in Korean too.
        page.locator("section.question:visible .question-actions button.primary[data-goto]").click()
    raise AssertionError("no question with a text answer box")


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/staff/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def answer_every_part(page: Page, next_name: str = "Next question") -> int:
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
                assert "invalid" not in (echo.get_attribute("class") or ""), (
                    kind,
                    echo.inner_text(),
                )
                expect(echo.locator("math")).to_have_count(1)
            total += 1
        if q + 1 < questions.count():
            question.get_by_role("button", name=next_name).click()
    return total
