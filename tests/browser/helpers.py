"""Steps a person takes on the exam page, shared by the browser tests."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.conftest import PASSWORD

VALID = {"algebraic": "2/3", "numeric": "1/2", "matrix": "[[1,0],[0,1]]", "set": "{1,2}",
         "equation": "y=1", "interval": "[0,1]"}


def start_exam(page: Page, base: str, token: str) -> None:
    page.goto(f"{base}/i/{token}")
    page.get_by_role("button", name="Start the exam").click()
    expect(page.locator("#clock")).not_to_have_text("--:--")


def next_text_box(page: Page) -> Locator:
    """Move forward until the visible question has a text answer box; return the first box."""
    for _ in range(50):
        boxes = page.locator("section.question:visible input.answer")
        if boxes.count():
            return boxes.first
        page.locator("section.question:visible").get_by_role("button", name="Next question").click()
    raise AssertionError("no question with a text answer box")


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/staff/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
