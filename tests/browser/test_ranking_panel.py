"""The ranking's panel and the item statistics in a browser, in English and Korean, phone and desk.

Set ``PSYCH_SHOTS=/some/dir`` to keep screenshots of the pages (for a human to look at).
"""

from __future__ import annotations

import os
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from exam_engine.extensions import db
from exam_engine.jobs.analysis import analyse_now
from tests.browser.helpers import sign_in
from tests.factories import make_exam, make_staff, right, sit

pytestmark = pytest.mark.browser

SECTIONS = [
    {"title": "Calculus", "bank": "fellowship", "topic": "calculus", "draw": 2},
    {"title": "Probability", "bank": "fellowship", "topic": "probability", "draw": 2},
]


def skill(level: int) -> Any:
    """A candidate who gets a part right when a hash of its key falls below their level."""

    def answer(part: Any) -> str | None:
        return right(part) if zlib.crc32(part.key.encode()) % 10 < level else None

    return answer


def shoot(page: Page, name: str) -> None:
    folder = os.environ.get("PSYCH_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_panel_and_item_statistics(app: Flask, live_server: str, page: Page) -> None:
    now = datetime.now(UTC)
    exam = make_exam(now=now, sections=SECTIONS, cohort_size=3)
    for i, level in enumerate([10, 9, 8, 8, 7, 6, 5, 4, 3, 2]):
        sit(exam, f"cand{i}@example.org", skill(level), now)
    analyse_now(exam, replicates=200)
    db.session.commit()
    make_staff("committee")
    sign_in(page, live_server, "committee@example.org")
    for locale in ("en", "ko"):
        page.context.add_cookies([{"name": "lang", "value": locale, "url": live_server}])
        for width in (375, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{live_server}/committee/exams/{exam.slug}/ranking")
            panel = page.locator("#outlook")
            expect(panel).to_be_visible()
            expect(panel.locator("[data-warning=small_cohort]")).to_be_visible()
            expect(page.locator("#ranking tbody tr")).to_have_count(10)
            shoot(page, f"ranking-{locale}-{width}")
            page.goto(f"{live_server}/committee/exams/{exam.slug}/items")
            expect(page.locator("#test-stats")).to_be_visible()
            shoot(page, f"items-{locale}-{width}")
    page.context.add_cookies([{"name": "lang", "value": "en", "url": live_server}])
    page.goto(f"{live_server}/committee/exams/{exam.slug}/ranking")
    expect(page.locator("#outlook .headline")).to_contain_text("of the 3 places")
    first = page.locator("#ranking tbody tr").first.locator("td.score")
    expect(first).to_have_text("100%")
