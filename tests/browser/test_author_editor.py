"""An author creates a random two-part question in the browser: previews two seeds, tries a
wrong and a right answer, and saves it into the bank folder."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.helpers import sign_in
from tests.conftest import BANKS
from tests.factories import make_staff

pytestmark = pytest.mark.browser

PARTS = """- key: deriv
  prompt: Differentiate $x^{ {{n}} }$.
  input: algebraic
  answer: n*x^(n - 1)
  variables: [x]
- key: value
  prompt: Compute ${{n}}^2$.
  input: numeric
  answer: n^2
  rules:
    - answer: 2*n
      score: 0
      feedback: Square it; do not double it.
"""
TESTS = """- parts: {deriv: "{{n}}*x^({{n}}-1)", value: "{{n}}^2"}
  expected: {deriv: 1, value: 1}
- part: value
  response: "2*{{n}}"
  expected: 0
"""


def author_signed_in(app: Flask, live_server: str, page: Page, tmp_path: Path) -> None:
    """An author signed in on ``page``, editing a copy of the sample banks in ``tmp_path``."""
    shutil.copytree(BANKS, tmp_path / "banks")
    app.config["QUESTION_BANKS_PATH"] = str(tmp_path / "banks")
    make_staff("author")
    sign_in(page, live_server, "author@example.org")


def test_author_creates_previews_tries_and_saves(
    app: Flask, live_server: str, page: Page, tmp_path: Path
) -> None:
    author_signed_in(app, live_server, page, tmp_path)
    page.goto(f"{live_server}/author/")
    page.get_by_role("link", name="New question").first.click()

    page.get_by_label("Id", exact=True).fill("power-and-square")
    page.get_by_label("Title", exact=True).fill("A power and a square")
    page.get_by_label("Topic").select_option("calculus")
    page.get_by_label("Difficulty").fill("1")
    page.get_by_label("Body", exact=True).fill("Let $n = {{n}}$.")
    page.get_by_label("Parameters").fill("n: randint(2, 40)")
    page.get_by_label("Parts", exact=True).fill(PARTS)
    page.get_by_label("Author tests", exact=True).fill(TESTS)

    page.get_by_label("Seed").fill("1")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview math").first).to_be_visible()
    first = page.locator("#params").inner_text()
    page.get_by_label("Seed").fill("2")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#params")).not_to_have_text(first)
    n = int(re.search(r"n = (\d+)", page.locator("#params").inner_text()).group(1))  # type: ignore[union-attr]

    page.get_by_label("Part", exact=True).fill("value")
    page.get_by_label("Response").fill(str(2 * n))
    page.get_by_role("button", name="Try this answer").click()
    expect(page.locator("#verdict")).to_contain_text("Incorrect")
    expect(page.locator("#verdict")).to_contain_text("Square it; do not double it.")
    expect(page.locator("#verdict-note")).to_have_text("value-rule0")

    page.get_by_label("Response").fill(str(n * n))
    page.get_by_role("button", name="Try this answer").click()
    expect(page.locator("#verdict")).to_contain_text("Correct")
    expect(page.locator("#verdict-score")).to_have_text("1")

    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_contain_text("Saved")
    assert (tmp_path / "banks" / "fellowship" / "calculus" / "power-and-square.yaml").is_file()
    page.goto(f"{live_server}/author/")
    expect(page.get_by_role("link", name="A power and a square")).to_be_visible()


def test_saving_an_unchanged_question_leaves_its_file_alone(
    app: Flask, live_server: str, page: Page, tmp_path: Path
) -> None:
    author_signed_in(app, live_server, page, tmp_path)
    page.goto(f"{live_server}/author/banks/fellowship/questions/bayes-screening/edit")
    expect(page.get_by_label("Id", exact=True)).to_have_attribute("readonly", "")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_contain_text("Saved: nothing changed.")
    relative = Path("fellowship") / "probability" / "bayes-screening.yaml"
    assert (tmp_path / "banks" / relative).read_bytes() == (BANKS / relative).read_bytes()


def test_preview_follows_the_typing(
    app: Flask, live_server: str, page: Page, tmp_path: Path
) -> None:
    author_signed_in(app, live_server, page, tmp_path)
    page.goto(f"{live_server}/author/banks/fellowship/questions/bayes-screening/edit")
    preview = page.locator("#live-preview #preview .body")
    expect(preview).to_be_visible()
    before = preview.locator("mfrac").count()
    body = page.get_by_label("Body", exact=True)
    # No button pressed: a moment after typing, the preview shows the new text and its maths.
    with page.expect_response(lambda r: r.request.method == "POST"):
        body.fill(body.input_value() + "\n\nA new line with $\\frac{1}{2}$.")
    expect(preview).to_contain_text("A new line with")
    expect(preview.locator("mfrac")).to_have_count(before + 1)
    with page.expect_response(lambda r: r.request.method == "POST"):
        body.fill("Only $\\lim_{x \\to 0} x$ now.")
    expect(preview.locator("munder")).to_have_count(1)  # the limit goes under "lim"
    expect(preview.locator("mfrac")).to_have_count(0)
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.get_by_label("Parts", exact=True).fill("- key: [")  # YAML that does not read yet
    expect(preview).to_contain_text("now.")  # the last good preview stays


def test_typing_before_the_preview_script_arrived_is_previewed(
    app: Flask, live_server: str, page: Page, tmp_path: Path
) -> None:
    author_signed_in(app, live_server, page, tmp_path)
    page.route("**/static/editor.js", lambda route: route.abort())
    with page.expect_event("requestfailed", lambda r: r.url.endswith("/static/editor.js")):
        page.goto(f"{live_server}/author/banks/fellowship/questions/bayes-screening/edit")
    preview = page.locator("#live-preview #preview .body")
    expect(preview).to_be_visible()
    page.get_by_label("Body", exact=True).fill("Typed early: $\\frac{1}{3}$.")
    page.unroute("**/static/editor.js")
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.add_script_tag(url=f"{live_server}/static/editor.js?late=1")
    expect(preview).to_contain_text("Typed early:")
    expect(preview.locator("mfrac")).to_have_count(1)
