"""The sitting's promises, each checked in a real browser against a real server."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from exam_engine.extensions import db
from exam_engine.models import Attempt, AttemptQuestion, IntegrityEvent, Response
from tests.browser.helpers import next_text_box, start_exam
from tests.factories import make_exam, make_invitation

pytestmark = pytest.mark.browser

SHIFT_CLOCK = """
(() => {
  const shift = %d;
  const Real = Date;
  class Shifted extends Real {
    constructor(...args) { if (args.length) super(...args); else super(Real.now() + shift); }
    static now() { return Real.now() + shift; }
  }
  window.Date = Shifted;
})();
"""


def stored(attempt_id: int) -> dict[str, str]:
    db.session.expire_all()
    rows = db.session.query(Response).filter_by(attempt_id=attempt_id).all()
    return {r.part_key: r.value for r in rows}


def only_attempt() -> Attempt:
    db.session.expire_all()
    attempt = db.session.query(Attempt).one()
    return attempt


@pytest.fixture
def shifted_page(browser: Browser) -> Iterator[Page]:
    """A browser whose own clock is five hours slow."""
    context = browser.new_context(locale="en-GB")
    context.add_init_script(SHIFT_CLOCK % (-5 * 3600 * 1000))
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_countdown_follows_the_server_not_the_browser(
    app: Flask, live_server: str, shifted_page: Page
) -> None:
    invitation = make_invitation(make_exam())
    assert shifted_page.evaluate("new Date().getFullYear() > 2000")
    start_exam(shifted_page, live_server, invitation.token)
    expect(shifted_page.locator("#clock")).to_have_text(re.compile(r"^1:(29|30):\d\d$"))


MOVABLE_CLOCK = """
(() => {
  const Real = Date;
  window.__shift = 0;
  class Moved extends Real {
    constructor(...args) {
      if (args.length) super(...args); else super(Real.now() + window.__shift);
    }
    static now() { return Real.now() + window.__shift; }
  }
  window.Date = Moved;
})();
"""


@pytest.mark.parametrize(
    ("minutes", "mark", "warning"), [(12, 10, "10 minutes left."), (3, 1, "1 minute left.")]
)
def test_warnings_when_the_clock_crosses_their_mark(
    app: Flask, live_server: str, browser: Browser, minutes: int, mark: int, warning: str
) -> None:
    invitation = make_invitation(make_exam(duration_minutes=minutes))
    context = browser.new_context(locale="en-GB")
    context.add_init_script(MOVABLE_CLOCK)
    try:
        page = context.new_page()
        start_exam(page, live_server, invitation.token)
        expect(page.locator("#clock-warning")).to_be_hidden()
        # Time passes (as the page sees it) until just past the mark.
        page.evaluate(f"window.__shift = {(minutes - mark) * 60_000 + 2_000}")
        expect(page.locator("#clock-warning")).to_have_text(warning)
    finally:
        context.close()


def test_no_ten_minute_warning_at_the_start_of_a_short_exam(
    app: Flask, live_server: str, page: Page
) -> None:
    invitation = make_invitation(make_exam(duration_minutes=5))
    start_exam(page, live_server, invitation.token)
    page.wait_for_timeout(1500)  # several ticks of the page's clock
    expect(page.locator("#clock-warning")).to_be_hidden()


def test_a_reload_comes_back_to_the_same_question(app: Flask, live_server: str, page: Page) -> None:
    invitation = make_invitation(make_exam())
    start_exam(page, live_server, invitation.token)
    page.locator('.nav-item[data-goto="q3"]').click()
    expect(page.locator('section.question[data-question="q3"]')).to_be_visible()
    page.reload()
    expect(page.locator('section.question[data-question="q3"]')).to_be_visible()
    expect(page.locator('section.question[data-question="q1"]')).to_be_hidden()


def test_offline_answers_are_replayed_in_order(app: Flask, live_server: str, page: Page) -> None:
    invitation = make_invitation(make_exam())
    start_exam(page, live_server, invitation.token)
    attempt = only_attempt()
    page.context.set_offline(True)
    typed = {}
    for value in ("1/7", "2/7", "3/7"):
        box = next_text_box(page)
        box.fill(value)
        typed[box.get_attribute("name")] = value
        visible = page.locator("section.question:visible")
        if len(typed) < 3:
            visible.get_by_role("button", name="Next question").click()
    expect(page.locator("#save-state")).to_have_text("Offline: 3 answers waiting")
    assert stored(attempt.id) == {}
    page.context.set_offline(False)
    expect(page.locator("#save-state")).to_have_text("All answers saved", timeout=20_000)
    assert stored(attempt.id) == typed


def test_resume_in_another_browser_keeps_answers_and_deadline(
    app: Flask, live_server: str, browser: Browser, page: Page
) -> None:
    invitation = make_invitation(make_exam())
    start_exam(page, live_server, invitation.token)
    box = next_text_box(page)
    name = box.get_attribute("name")
    box.fill("5/9")
    expect(page.locator("#save-state")).to_have_text("All answers saved")
    deadline = page.locator("#sitting").get_attribute("data-deadline")
    page.context.close()

    other = browser.new_context(locale="en-GB")
    again = other.new_page()
    again.goto(f"{live_server}/i/{invitation.token}")
    again.get_by_role("button", name="Resume the exam").click()
    expect(again.locator(f'input[name="{name}"]')).to_have_value("5/9")
    assert again.locator("#sitting").get_attribute("data-deadline") == deadline
    other.close()


def test_flags_and_summary_before_submitting(app: Flask, live_server: str, page: Page) -> None:
    invitation = make_invitation(make_exam())
    start_exam(page, live_server, invitation.token)
    with page.expect_response(lambda r: "/flags/" in r.url and r.ok):
        page.locator("section.question:visible").get_by_role(
            "button", name="Flag for review"
        ).click()
    expect(page.locator("button.flag").first).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Review and submit").click()
    expect(page.locator("#summary-flagged")).to_have_text("Flagged for review: Question 1.")
    expect(page.locator("#summary-unanswered")).to_contain_text("Question 1 (")
    db.session.expire_all()
    flagged = db.session.query(AttemptQuestion).filter_by(flagged=True).all()
    assert [q.position for q in flagged] == [1]
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name="Your exam is submitted")).to_be_visible()
    expect(page.locator("#answered")).to_have_text("0")


def test_a_stale_tab_is_told_so(app: Flask, live_server: str, page: Page) -> None:
    invitation = make_invitation(make_exam())
    start_exam(page, live_server, invitation.token)
    stale = page.context.new_page()
    stale.goto(page.url)
    box = next_text_box(page)
    name = box.get_attribute("name")
    for value in ("1", "12", "123"):
        box.fill(value)
        expect(page.locator("#save-state")).to_have_text("All answers saved")
    stale_box = next_text_box(stale)
    assert stale_box.get_attribute("name") == name
    stale_box.fill("9")
    expect(stale.locator("#sitting-alert")).to_contain_text("another tab")
    assert stored(only_attempt().id)[name] == "123"
    kinds = [e.kind for e in db.session.query(IntegrityEvent).all()]
    assert "second_session" in kinds


def test_save_after_the_deadline_is_refused_and_page_says_so(
    app: Flask, live_server: str, page: Page
) -> None:
    invitation = make_invitation(make_exam())
    start_exam(page, live_server, invitation.token)
    box = next_text_box(page)
    box.fill("1/3")
    expect(page.locator("#save-state")).to_have_text("All answers saved")
    app.config["CLOCK_OFFSET_SECONDS"] = 91 * 60  # the server's clock moves past deadline+grace
    box.fill("2/3")
    expect(page.get_by_role("heading", name="Your exam is submitted")).to_be_visible()
    expect(page.get_by_text("The time ran out")).to_be_visible()
    assert list(stored(only_attempt().id).values()) == ["1/3"]


def test_keyboard_alone_answers_a_question(app: Flask, live_server: str, page: Page) -> None:
    invitation = make_invitation(make_exam())
    start_exam(page, live_server, invitation.token)
    for box in page.locator("input.answer").all():
        label = page.locator(f'label[for="{box.get_attribute("id")}"]')
        assert label.count() == 1 and label.inner_text().strip()
    assert page.locator("section.question math").count() > 0
    for _ in range(80):  # Tab until a text answer box has focus, pressing Next on the way
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "[document.activeElement.className, document.activeElement.textContent]"
        )
        if "answer" in focused[0]:
            break
        if focused[1] == "Next question":
            page.keyboard.press("Enter")
    else:
        raise AssertionError("Tab never reached an answer box")
    page.keyboard.type("4/5")
    expect(page.locator("#save-state")).to_have_text("All answers saved")
    assert "4/5" in stored(only_attempt().id).values()
