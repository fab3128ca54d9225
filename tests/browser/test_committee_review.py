"""The committee judges answers, assigns members and runs a second stage, in Chromium.

Screenshots (375 and 1280 px, English and Korean) go to the test's tmp folder, and to
``$EXAM_ENGINE_SHOTS`` when it names a folder (for looking at them by hand).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from exam_engine.extensions import db
from exam_engine.models import DecisionKind
from exam_engine.services import review
from tests.browser.helpers import sign_in
from tests.factories import make_exam, make_staff, right, sit

pytestmark = pytest.mark.browser
NOW = datetime.now(UTC)
HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "e^(e^(e^(e^e)))",
    "$\\foo$",
    "<script>alert(2)</script>",
]


def shots_folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("EXAM_ENGINE_SHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot(
    browser: Browser,
    base: str,
    path: str,
    name: str,
    folder: Path,
    email: str = "committee@example.org",
) -> None:
    """Screenshots of one page at both widths in both languages; it never scrolls sideways."""
    for locale in ("en", "ko"):
        for width in (375, 1280):
            context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 900})
            page = context.new_page()
            sign_in(page, base, email)
            page.goto(f"{base}{path}")
            if locale == "ko":
                page.get_by_role("button", name="한국어").click()
                expect(page.locator("html")).to_have_attribute("lang", "ko")
                # Measure once the stylesheet is in: before it, a long receipt runs off a phone.
                page.wait_for_load_state("load")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            wide = page.evaluate(
                "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect()"
                ".right > document.documentElement.clientWidth + 1).slice(0, 3)"
                ".map(e => e.tagName + '.' + e.className)"
            )
            page.screenshot(path=str(folder / f"{name}-{locale}-{width}.png"), full_page=True)
            context.close()
            assert overflow <= 1, f"{name} {locale} {width}px: {overflow}px too wide: {wide}"


def hostile_then_right() -> Any:
    """Hostile answers in the first text parts, the model answer everywhere else."""
    left = list(HOSTILE)

    def answer(part: Any) -> str:
        if left and part.input_type not in ("choice", "multichoice"):
            return left.pop(0)
        return right(part)

    return answer


def test_committee_judges_and_overrides_an_answer(
    app: Flask, live_server: str, page: Page, browser: Browser, tmp_path: Path
) -> None:
    exam = make_exam(
        now=NOW,
        sections=[
            {"bank": "fellowship", "topic": "calculus", "draw": 3},
            {"bank": "fellowship", "topic": "linear-algebra", "draw": 2},
        ],
    )
    attempt = sit(exam, "ada@example.org", hostile_then_right(), NOW)
    make_staff("committee")
    alerts: list[str] = []
    page.on("dialog", lambda d: (alerts.append(d.message), d.dismiss()))
    sign_in(page, live_server, "committee@example.org")
    page.goto(f"{live_server}/committee/attempts/{attempt.id}")
    # The first part typed (a drawn question may be multiple choice, shown without a typed answer).
    typed = page.locator(".review-part").filter(has=page.locator("dd.answer code"))
    first = typed.first
    expect(first.locator("dd.answer code")).to_have_text(HOSTILE[0])
    expect(first.locator("dd.model math")).to_be_attached()
    expect(page.locator("dd.model code").first).not_to_contain_text("**")
    expect(page.locator("dd.note li").first).to_be_visible()
    assert alerts == []
    # Override the first part from where it is judged.
    first.get_by_label("New mark").fill("0.5")
    first.get_by_label("Reason").fill("method right, sign slip")
    first.get_by_role("button", name="Override mark").click()
    expect(page.get_by_text("The mark is changed and the reason recorded.")).to_be_visible()
    expect(typed.first.locator("dd.mark")).to_contain_text("set by hand")
    shoot(
        browser,
        live_server,
        f"/committee/attempts/{attempt.id}",
        "attempt",
        shots_folder(tmp_path),
    )
    assert alerts == []


def test_admin_assigns_a_member_who_then_sees_only_that_exam(
    app: Flask, live_server: str, page: Page, browser: Browser, tmp_path: Path
) -> None:
    first = make_exam("first", now=NOW, title="First exam")
    make_exam("second", now=NOW, title="Second exam")
    make_staff("committee", exams=[])
    make_staff("admin")
    sign_in(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/committee/")
    block = page.locator(f"#exam-{first.id}")
    block.get_by_label("Committee member").select_option("committee@example.org")
    block.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("committee@example.org now sees this exam.")).to_be_visible()
    shoot(
        browser,
        live_server,
        "/committee/",
        "exams-admin",
        shots_folder(tmp_path),
        "admin@example.org",
    )
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "committee@example.org")
    page.goto(f"{live_server}/committee/")
    expect(page.get_by_role("link", name="First exam")).to_be_visible()
    expect(page.get_by_role("link", name="Second exam")).to_have_count(0)
    assert page.goto(f"{live_server}/committee/exams/second").status == 404


def test_second_stage_in_one_step_and_side_by_side(
    app: Flask, live_server: str, page: Page, browser: Browser, tmp_path: Path
) -> None:
    sections = [{"bank": "fellowship", "topic": "probability", "draw": 2}]
    first = make_exam("round-one", now=NOW, sections=sections, title="Round one")
    make_exam("round-two", now=NOW, sections=sections, title="Round two")
    staff = make_staff("committee")
    for email in ("ada@example.org", "bob@example.org", "cy@example.org"):
        attempt = sit(first, email, right if email != "cy@example.org" else None, NOW)
        kind = DecisionKind.SHORTLIST if email != "cy@example.org" else DecisionKind.REJECT
        review.decide(attempt, kind, "", staff, NOW)
    db.session.commit()
    sign_in(page, live_server, "committee@example.org")
    page.goto(f"{live_server}/committee/exams/{first.slug}")
    page.get_by_role("link", name="Two stages").click()
    page.get_by_label("Second-stage exam").select_option("round-two")
    page.get_by_role("button", name="Invite the shortlisted to the second exam").click()
    expect(page.get_by_text("2 invited to Round two, 0 already invited")).to_be_visible()
    rows = page.locator("#stages tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="Ada")).to_contain_text("invited, not started")
    expect(rows.filter(has_text="Cy")).to_contain_text("not invited")
    shoot(
        browser,
        live_server,
        f"/committee/exams/{first.slug}/stages",
        "stages",
        shots_folder(tmp_path),
    )
