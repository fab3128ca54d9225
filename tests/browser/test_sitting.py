"""The sitting's promises, each checked in a real browser against a real server."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from exam_engine import clock
from exam_engine.extensions import db
from exam_engine.models import Attempt, AttemptQuestion, IntegrityEvent, Response, User
from exam_engine.services.accommodations import add_time
from tests.browser.helpers import VALID, next_text_box, start_exam
from tests.factories import make_exam, make_invitation, make_staff

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
    # No heartbeat: its answer brings the server's time, which would undo the page's moved
    # clock, and a tick that came after it would never cross the mark.
    app.config["HEARTBEAT_SECONDS"] = 600
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


def test_a_stale_tab_is_shown_the_stored_answer(app: Flask, live_server: str, page: Page) -> None:
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
    expect(stale.locator(f"#{name}-conflict")).to_be_visible()
    expect(stale_box).to_have_value("123")
    expect(stale.locator(f"#{name}-conflict .conflict-mine")).to_have_text("9")
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


# ---- the server owns the end (issue 11, point 2) ----


def server_clock_to(app: Flask, seconds_left: float) -> None:
    """Move the server's clock so that the attempt has ``seconds_left`` before its deadline."""
    app.config["CLOCK_OFFSET_SECONDS"] = 0
    deadline = only_attempt().deadline_at
    app.config["CLOCK_OFFSET_SECONDS"] = (deadline - clock.now()).total_seconds() - seconds_left


def give_time(minutes: int, member: User) -> None:
    """The committee adds time to the attempt (the real service, committed).

    ``member`` is made before the clock is moved: hashing a new account's password takes a
    while on a loaded machine, time the page's countdown does not wait for.
    """
    add_time(only_attempt(), minutes, member, "power cut", clock.now())
    db.session.commit()


def test_time_added_twenty_seconds_before_the_deadline_is_honoured(
    app: Flask, live_server: str, page: Page
) -> None:
    app.config["HEARTBEAT_SECONDS"] = 4  # the page's setting (15 s by default)
    invitation = make_invitation(make_exam(duration_minutes=5))
    member = make_staff("committee")
    start_exam(page, live_server, invitation.token)
    server_clock_to(app, 22)
    # The heartbeat brings the server's time: the page's clock follows it.
    expect(page.locator("#clock")).to_have_text(re.compile(r"^0:[012]\d$"), timeout=10_000)
    give_time(10, member)
    # Within a heartbeat (4 s; 10 s allowed here for a loaded machine) the page says so.
    expect(page.locator("#time-added")).to_have_text(
        "The committee gave you 10 more minutes.", timeout=10_000
    )
    # About ten minutes, less the seconds gone since 22 were left: the window is 30 s wide so
    # that three heartbeats on a loaded machine fit, and the one after the jump below (60 s
    # on) does not overlap it.
    expect(page.locator("#clock")).to_have_text(re.compile(r"^(10:[0-2]\d|9:[3-5]\d)$"))
    # The old deadline and its grace pass on the server: the page carries on and saves.
    app.config["CLOCK_OFFSET_SECONDS"] += 60
    expect(page.locator("#clock")).to_have_text(
        re.compile(r"^(9:[0-2]\d|8:[3-5]\d)$"), timeout=10_000
    )
    box = next_text_box(page)
    box.fill("4/7")
    expect(page.locator("#save-state")).to_have_text("All answers saved")
    assert "4/7" in stored(only_attempt().id).values()
    assert only_attempt().status.value == "open"
    expect(page.locator("#sitting")).to_be_visible()


def test_at_zero_the_page_asks_the_server_and_carries_on_with_added_time(
    app: Flask, live_server: str, page: Page
) -> None:
    invitation = make_invitation(make_exam(duration_minutes=5))
    member = make_staff("committee")
    start_exam(page, live_server, invitation.token)
    # Time enough for the reload and the committee's change before the page's zero.
    server_clock_to(app, 15)
    page.reload()
    expect(page.locator("#clock")).to_have_text(re.compile(r"^0:(0\d|1[0-5])$"))
    # No news reaches the page before its zero: no heartbeat gets through.
    page.route("**/api/attempts/*/clock", lambda route: route.abort())
    give_time(10, member)
    with page.expect_response(lambda r: r.url.endswith("/finalise"), timeout=30_000) as asked:
        pass
    assert asked.value.json()["status"] == "open"
    expect(page.locator("#time-added")).to_have_text("The committee gave you 10 more minutes.")
    expect(page.locator("#clock")).to_have_text(re.compile(r"^(10:00|9:5\d)$"))
    expect(page.locator("#sitting-alert")).to_be_hidden()
    assert only_attempt().status.value == "open"
    box = next_text_box(page)
    box.fill("5/7")
    expect(page.locator("#save-state")).to_have_text("All answers saved")


def test_at_zero_with_no_time_added_the_server_closes_the_attempt(
    app: Flask, live_server: str, page: Page
) -> None:
    invitation = make_invitation(make_exam(duration_minutes=5))
    start_exam(page, live_server, invitation.token)
    # Time enough to reload, find a box and save before the page's zero.
    server_clock_to(app, 15)
    page.reload()
    box = next_text_box(page)
    box.fill("6/7")
    expect(page.locator("#save-state")).to_have_text("All answers saved")
    expect(page.get_by_role("heading", name="Your exam is submitted")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("The time ran out")).to_be_visible()
    attempt = only_attempt()
    assert attempt.status.value == "expired"
    assert list(stored(attempt.id).values()) == ["6/7"]
    expect(page.locator("table.receipt-answers")).to_contain_text("6/7")


# ---- two browsers, one truth (issue 11, point 3) ----


def resume(browser: Browser, base: str, token: str) -> Page:
    """The same candidate in another browser (its own cookies and storage)."""
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(15_000)
    other = context.new_page()
    other.goto(f"{base}/i/{token}")
    other.get_by_role("button", name="Resume the exam").click()
    expect(other.locator("#clock")).not_to_have_text("--:--")
    return other


def test_two_browsers_the_newest_save_wins_and_the_older_is_told_both_ways(
    app: Flask, live_server: str, browser: Browser, page: Page
) -> None:
    app.config["HEARTBEAT_SECONDS"] = 300  # no heartbeat: the other page learns by being shown
    invitation = make_invitation(make_exam())
    start_exam(page, live_server, invitation.token)
    other = resume(browser, live_server, invitation.token)
    try:
        first, second = next_text_box(page), next_text_box(other)
        name = first.get_attribute("name")
        assert second.get_attribute("name") == name
        attempt_id = only_attempt().id
        # The first browser saves; the second, which never saw that save, is the older one.
        first.fill("1/2")
        expect(page.locator("#save-state")).to_have_text("All answers saved")
        second.fill("3/4")
        notice = other.locator(f"#{name}-conflict")
        expect(notice).to_be_visible()
        expect(second).to_have_value("1/2")
        expect(notice.locator(".conflict-mine")).to_have_text("3/4")
        expect(other.locator("#save-state")).to_contain_text("needs your decision")
        assert stored(attempt_id)[name] == "1/2"
        # It keeps its own, as a new save: now the first browser is the older one.
        notice.get_by_role("button", name="Keep my answer instead").click()
        expect(notice).to_be_hidden()
        expect(second).to_have_value("3/4")
        expect(other.locator("#save-state")).to_have_text("All answers saved")
        assert stored(attempt_id)[name] == "3/4"
        first.fill("5/6")
        told = page.locator(f"#{name}-conflict")
        expect(told).to_be_visible()
        expect(first).to_have_value("3/4")
        told.get_by_role("button", name="Use the saved answer").click()
        expect(told).to_be_hidden()
        expect(page.locator("#save-state")).to_have_text("All answers saved")
        assert stored(attempt_id)[name] == "3/4"
        # Submit works from either; the other browser follows to the receipt.
        page.get_by_role("button", name="Review and submit").click()
        page.get_by_role("button", name="Submit my answers").click()
        expect(page.get_by_role("heading", name="Your exam is submitted")).to_be_visible()
        expect(page.locator("table.receipt-answers")).to_contain_text("3/4")
        # The candidate comes back to the other tab (shown again after two quiet seconds).
        other.wait_for_timeout(2_000)
        other.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        expect(other.get_by_role("heading", name="Your exam is submitted")).to_be_visible()
        assert only_attempt().receipt == page.locator("#receipt").inner_text()
    finally:
        other.context.close()


def test_a_page_whose_attempt_was_submitted_elsewhere_follows_at_its_heartbeat(
    app: Flask, live_server: str, browser: Browser, page: Page
) -> None:
    app.config["HEARTBEAT_SECONDS"] = 4  # the page's setting (15 s by default)
    invitation = make_invitation(make_exam())
    start_exam(page, live_server, invitation.token)
    other = resume(browser, live_server, invitation.token)
    try:
        other.get_by_role("button", name="Review and submit").click()
        other.get_by_role("button", name="Submit my answers").click()
        expect(other.get_by_role("heading", name="Your exam is submitted")).to_be_visible()
        # Nothing happens on the first page: within a heartbeat (4 s; 15 s allowed) it follows.
        expect(page.get_by_role("heading", name="Your exam is submitted")).to_be_visible()
        expect(page.locator("#receipt")).to_have_text(other.locator("#receipt").inner_text())
    finally:
        other.context.close()


def leave_in_storage(page: Page, attempt_id: int, name: str, value: str, seq: int) -> None:
    """What an earlier page of this browser left unacknowledged in localStorage."""
    page.evaluate(
        "([key, item]) => localStorage.setItem(key, JSON.stringify(item))",
        [
            f"exam-engine:pending:{attempt_id}:earlier",
            {name: {"value": value, "seq": seq, "base": seq - 1}},
        ],
    )


def test_a_reload_recovers_the_servers_state_and_submit_still_works(
    app: Flask, live_server: str, browser: Browser, page: Page
) -> None:
    invitation = make_invitation(make_exam())
    start_exam(page, live_server, invitation.token)
    other = resume(browser, live_server, invitation.token)
    try:
        box = next_text_box(page)
        name = box.get_attribute("name")
        attempt_id = only_attempt().id
        next_text_box(other).fill("1/2")  # the other browser saves seq 1
        expect(other.locator("#save-state")).to_have_text("All answers saved")
        # This browser holds an older unacknowledged copy (typed on top of nothing): stale.
        leave_in_storage(page, attempt_id, name, "7/8", 1)
        page.reload()
        box = next_text_box(page)
        expect(box).to_have_value("1/2")
        expect(page.locator(f"#{name}-conflict .conflict-mine")).to_have_text("7/8")
        expect(page.locator("#save-state")).not_to_have_text("Saving…")
        assert stored(attempt_id)[name] == "1/2"
        # A copy typed on top of what the server holds, never acknowledged: it is newer.
        leave_in_storage(page, attempt_id, name, "9/10", 2)
        page.reload()
        expect(next_text_box(page)).to_have_value("9/10")
        expect(page.locator("#save-state")).to_have_text("All answers saved")
        assert stored(attempt_id)[name] == "9/10"
        # The other browser is now the older one, and its next save is refused: submit works.
        other_box = next_text_box(other)
        other_box.fill("1/3")
        expect(other.locator(f"#{name}-conflict")).to_be_visible()
        other.get_by_role("button", name="Review and submit").click()
        expect(other.locator("#summary-conflicts")).to_contain_text("Question")
        other.get_by_role("button", name="Submit my answers").click()
        expect(other.get_by_role("heading", name="Your exam is submitted")).to_be_visible()
        assert stored(attempt_id)[name] == "9/10"
        expect(other.locator("table.receipt-answers")).to_contain_text("9/10")
    finally:
        other.context.close()


# ---- answered means valid (issue 11, point 4) ----


def test_an_answer_not_accepted_is_told_apart_everywhere(
    app: Flask, live_server: str, page: Page
) -> None:
    invitation = make_invitation(make_exam())
    start_exam(page, live_server, invitation.token)
    box = next_text_box(page)
    question = page.locator("section.question:visible").get_attribute("data-question")
    number = int(question.removeprefix("q"))
    box.fill("(1+")
    echo = page.locator(f"#{box.get_attribute('name')}-echo")
    expect(echo).to_contain_text("Not accepted:")
    link = page.get_by_role("link", name=re.compile(rf"^Question {number}, answer not accepted$"))
    expect(link).to_be_visible()
    expect(link.locator(".nav-icon")).to_have_text("!")
    page.get_by_role("button", name="Review and submit").click()
    expect(page.locator("#summary-invalid")).to_be_visible()
    expect(page.locator("#summary-invalid li")).to_have_count(1)
    expect(page.locator("#summary-invalid li")).to_contain_text(f"Question {number} (")
    expect(page.locator("#summary-unanswered")).not_to_have_text("Every part has an answer.")
    page.get_by_role("button", name="Keep working").click()
    box.fill(VALID[box.evaluate("b => b.closest('.part').dataset.input")])
    expect(echo.locator("math")).to_have_count(1)
    page.get_by_role("button", name="Review and submit").click()
    # Hidden inside a hidden summary says nothing: wait for the summary made by this click.
    expect(page.locator("#summary")).to_be_visible()
    expect(page.locator("#summary-invalid")).to_be_hidden()
    box.fill("(1+")
    expect(echo).to_contain_text("Not accepted:")
    expect(page.locator("#save-state")).to_have_text("All answers saved")
    page.get_by_role("button", name="Review and submit").click()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name="Your exam is submitted")).to_be_visible()
    expect(page.locator("#answered")).to_have_text("0")
    expect(page.locator("#not-accepted")).to_have_text("1")
    row = page.locator('table.receipt-answers tr[data-state="invalid"]')
    expect(row).to_contain_text("(1+")
    expect(row).to_contain_text("Not accepted:")


def test_typing_sends_one_request_per_burst_and_its_save_echoes(
    app: Flask, live_server: str, page: Page
) -> None:
    """The save answers with the echo of what it kept: typing asks nothing else."""
    invitation = make_invitation(make_exam())
    start_exam(page, live_server, invitation.token)
    asked: list[str] = []
    saves: list[Any] = []
    page.on("request", lambda r: asked.append(f"{r.method} {r.url}"))
    page.on("response", lambda r: saves.append(r) if r.request.method == "PUT" else None)
    box = next_text_box(page)
    value = VALID[box.evaluate("b => b.closest('.part').dataset.input")]
    box.press_sequentially(value, delay=40)
    echo = page.locator(f"#{box.get_attribute('name')}-echo")
    expect(echo.locator("math")).to_have_count(1)
    expect(page.locator("#save-state")).to_have_text("All answers saved")
    assert saves, asked  # (the page's 3 s flush may also have sent a half-typed value)
    last = saves[-1]
    assert json.loads(last.request.post_data)["value"] == value
    assert last.json()["validation"]["valid"] is True
    assert not [a for a in asked if "/api/validate" in a], asked


def test_nothing_can_be_typed_before_the_page_script_keeps_it(
    app: Flask, live_server: str, page: Page
) -> None:
    """On a slow connection the fields arrive before sitting.js: they stay read-only until the
    script that saves them is running, so nothing typed then is silently replaced."""
    invitation = make_invitation(make_exam())
    page.goto(f"{live_server}/i/{invitation.token}")
    page.route("**/static/sitting.js", lambda route: route.abort())
    # Wait for the refusal itself: a script request still on its way when the route is lifted
    # would be the one the late <script> below waits on.
    with page.expect_event("requestfailed", lambda r: r.url.endswith("/static/sitting.js")):
        page.get_by_role("button", name="Start the exam").click()
    box = page.locator("section.question:visible .part input").first
    expect(box).to_be_visible()
    if box.get_attribute("type") == "text":
        expect(box).not_to_be_editable()
    else:
        expect(box).to_be_disabled()
    expect(page.locator("#clock")).to_have_text("--:--")  # the script is not running

    page.unroute("**/static/sitting.js")
    # Its own address: a request for the refused one still held by the browser is never reused.
    page.add_script_tag(url=f"{live_server}/static/sitting.js?late=1")
    expect(page.locator("#clock")).not_to_have_text("--:--")
    locked = page.locator("section.question input:disabled, section.question input[readonly]")
    expect(locked).to_have_count(0)
    text_box = next_text_box(page)
    value = VALID[text_box.evaluate("b => b.closest('.part').dataset.input")]
    text_box.fill(value)
    expect(page.locator(f"#{text_box.get_attribute('name')}-echo math")).to_have_count(1)
    expect(page.locator("#save-state")).to_have_text("All answers saved")
    assert value in stored(only_attempt().id).values()


def test_a_practice_answer_typed_before_its_script_arrived_is_echoed(
    app: Flask, live_server: str, page: Page
) -> None:
    invitation = make_invitation(make_exam())
    page.route("**/static/practice.js", lambda route: route.abort())
    with page.expect_event("requestfailed", lambda r: r.url.endswith("/static/practice.js")):
        page.goto(f"{live_server}/i/{invitation.token}")
    page.locator("#practice-answer").fill("3x^")
    page.unroute("**/static/practice.js")
    page.add_script_tag(url=f"{live_server}/static/practice.js?late=1")
    expect(page.locator("#practice-echo")).to_have_class(re.compile(r"\binvalid\b"))
    page.locator("#practice-answer").fill("3x^2 + 2")
    expect(page.locator("#practice-echo math")).to_have_count(1)


def test_without_javascript_the_exam_page_takes_no_typing(
    app: Flask, live_server: str, browser: Browser
) -> None:
    """Nothing typed where nothing would save it (the page's <noscript> says why; Chromium
    with scripts switched off by the test still parses it as text: see tests/web)."""
    invitation = make_invitation(make_exam())
    context = browser.new_context(locale="ko-KR", java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/i/{invitation.token}")
        page.get_by_role("button", name="시험 시작").click()
        expect(page.locator("#clock")).to_have_text("--:--")
        expect(page.locator("section.question input.answer").first).not_to_be_editable()
    finally:
        context.close()
