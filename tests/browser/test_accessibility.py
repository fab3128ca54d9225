"""Every page a person uses, in English and Korean, at 1280 and 375 px: the axe-core engine finds
no serious or critical problem, text on buttons, badges and alerts has 4.5:1 contrast, nothing
overflows a phone's width, and a screenshot of each is kept in the run's temporary folder.

Pages are found by walking the app's URL map, so a page added later is visited too (or the test
says which path parameter it needs a value for).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect

from exam_engine.auth.reset import make_token
from exam_engine.extensions import db
from exam_engine.jobs.analysis import analyse_now
from exam_engine.models import Attempt, Question
from exam_engine.services import applications, attempts
from tests.browser.helpers import VALID, next_text_box
from tests.conftest import ENGINES, PASSWORD
from tests.factories import make_exam, make_invitation, make_staff, right, sit

pytestmark = pytest.mark.browser

WIDTHS = (1280, 375)
BROWSER_LOCALES = {"en": "en-GB", "ko": "ko-KR"}
NOT_PAGES = re.compile(r"^/(api|static)/|\.(csv|zip|json|yaml)$|^/healthz$")
# Who opens each page: by endpoint, else by blueprint.
VISITOR = {
    "main": "anonymous",
    "auth.login": "anonymous",
    "auth.profile": "committee",
    "candidate.invitation": "anonymous",
    "candidate.attempt": "candidate",
    "candidate.receipt": "candidate",
    "author": "author",
    "committee": "committee",
    "admin": "admin",
    "apply": "anonymous",
    "reset": "anonymous",
}
SERIOUS = {"serious", "critical"}
CONSOLE_ERRORS: list[str] = []  # what the browser refused (CSP) or failed to run, on any page
# Text colour against the nearest opaque background behind it, as WCAG 2 defines contrast.
CONTRAST_JS = """
(selector) => {
  const lum = (c) => {
    const [r, g, b] = c.map(v => v / 255)
      .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const rgba = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.getClientRects().length || !el.textContent.trim()) continue;
    const fg = rgba(getComputedStyle(el).color).slice(0, 3);
    const [a, b] = [lum(fg), lum(background(el))].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    out.push({what: el.outerHTML.slice(0, 90), ratio: Math.round(ratio * 100) / 100});
  }
  return out;
}
"""
CONTRASTED = (
    "button, input[type=submit], a.button, .badge, td.certainty, .verdict, .flash, .warning, "
    ".notice, .error-message, .field-error, .nav-item, .error-summary a, .points, small, .hint"
)


def _pages(app: Flask, values: dict[tuple[str, str], object]) -> list[tuple[str, str, str]]:
    """``(endpoint, visitor, url)`` for every GET page of the app."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or NOT_PAGES.search(rule.rule):
            continue
        args = {}
        for name in sorted(rule.arguments):
            kind = "int" if type(rule._converters[name]).__name__ == "IntegerConverter" else "str"
            own = (rule.endpoint, name)  # a value for this page only (a signed link, say)
            found_value = values.get(own, values.get((name, kind)))
            assert found_value is not None, f"{rule.rule}: give <{name}> ({kind}) a value here"
            args[name] = found_value
        url = rule.build(args)[1]  # type: ignore[index]
        visitor = VISITOR.get(rule.endpoint) or VISITOR[rule.endpoint.split(".")[0]]
        found.append((rule.endpoint, visitor, url))
    return found


@pytest.fixture
def site(app: Flask) -> dict[str, Any]:
    """An exam in both languages with two graded sittings and an analysis, staff of each role,
    an unused invitation and one for a candidate about to sit."""
    now = datetime.now(UTC)
    exam = make_exam(now=now, languages=["en", "ko"], cohort_size=1)
    applications.configure(
        exam,
        {
            "enabled": True,
            "terms": {"en": "We keep your answers a year.", "ko": "답안은 1년 동안 보관합니다."},
            "fields": [{"name": "university", "label": {"en": "University", "ko": "대학교"}}],
        },
    )
    done = sit(exam, "ada@example.org", right, now)
    sit(exam, "bob@example.org", None, now)
    analyse_now(exam, replicates=50)
    staff = {role: make_staff(role) for role in ("author", "committee", "admin")}
    question = db.session.scalars(db.select(Question).order_by(Question.id)).first()
    assert question is not None
    fresh = make_invitation(exam, "new@example.org")
    sitting = make_invitation(exam, "cy@example.org")
    db.session.commit()
    return {
        "exam": exam,
        "sitting_token": sitting.token,
        "values": {
            ("slug", "str"): exam.slug,
            ("bank", "str"): question.bank.slug,
            ("question_id", "int"): question.id,
            ("question_id", "str"): question.slug,
            ("attempt_id", "int"): done.id,
            ("token", "str"): fresh.token,
            ("apply.confirm", "token"): applications.sign(
                exam,
                {
                    "email": "grace@example.org",
                    "name": "Grace Hopper",
                    "locale": "en",
                    "fields": {"university": "KAIST"},
                    "consented_at": now.isoformat(),
                    "terms": "We keep your answers a year.",
                },
            ),
            ("reset.reset", "token"): make_token(staff["author"]),
        },
    }


@pytest.fixture(params=ENGINES[:1])
def engine(request: pytest.FixtureRequest) -> str:
    """One database engine: what a page shows does not depend on it (every page is served on
    both engines by tests/web), and the walk is the suite's longest test."""
    return str(request.param)


@pytest.fixture(params=sorted(BROWSER_LOCALES))
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def visitors(
    browser: Browser, live_server: str, site: dict[str, Any], language: str
) -> Iterator[dict[str, tuple[BrowserContext, Page, dict[str, object]]]]:
    """A signed-in browser per role, and a candidate in the middle of the exam."""
    contexts: dict[str, tuple[BrowserContext, Page, dict[str, object]]] = {}
    for role in ("anonymous", "author", "committee", "admin", "candidate"):
        context = browser.new_context(locale=BROWSER_LOCALES[language])
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                CONSOLE_ERRORS.append(message.text) if message.type == "error" else None
            ),
        )
        override: dict[str, object] = {}
        if role in ("author", "committee", "admin"):
            _sign_in(page, live_server, f"{role}@example.org")
        if role == "candidate":
            page.goto(f"{live_server}/i/{site['sitting_token']}")
            page.locator("form[action$='/start'] button[type=submit]").click()
            expect(page.locator("#clock")).not_to_have_text("--:--")
            override[("attempt_id", "int")] = int(page.url.split("#")[0].rstrip("/").split("/")[-1])
        contexts[role] = (context, page, override)
    yield contexts
    for context, _, _ in contexts.values():
        context.close()


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/staff/login")
    page.locator("input[type=email], input[name=email]").first.fill(email)
    page.locator("input[type=password]").fill(PASSWORD)
    page.locator("form input[type=submit], form button[type=submit]").last.click()
    page.wait_for_load_state()


def _check(page: Page, axe: Axe, label: str, shots: Path, width: int) -> list[str]:
    """Problems on the open page: axe's serious and critical ones, low contrast, overflow."""
    problems = []
    page.screenshot(path=shots / f"{label}.png", full_page=True)
    for violation in axe.run(page).response["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [n["target"] for n in violation["nodes"]][:3]
            problems.append(f"{label}: {violation['id']} ({violation['impact']}) {targets}")
    for item in page.evaluate(CONTRAST_JS, CONTRASTED):
        if item["ratio"] < 4.5:
            problems.append(f"{label}: contrast {item['ratio']}:1 for {item['what']}")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 1:
        problems.append(f"{label}: the page is {overflow}px wider than a {width}px screen")
    return problems


def test_every_page_is_accessible(
    app: Flask,
    live_server: str,
    site: dict[str, Any],
    visitors: dict[str, tuple[BrowserContext, Page, dict[str, object]]],
    language: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    shots = tmp_path_factory.mktemp(f"screens-{language}", numbered=True)
    CONSOLE_ERRORS.clear()
    axe = Axe()
    problems: list[str] = []
    pages = _pages(app, site["values"])
    assert {e for e, _, _ in pages} >= {
        "candidate.attempt",
        "author.edit_question",
        "committee.ranking",
        "admin.staff",
    }
    candidate_attempt = visitors["candidate"][2][("attempt_id", "int")]
    for endpoint, visitor, url in pages:
        _, page, _ = visitors[visitor]
        if endpoint == "candidate.attempt":
            url = re.sub(r"/\d+$", f"/{candidate_attempt}", url)
        if endpoint == "candidate.receipt":
            continue  # visited after submitting, below
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(live_server + url)
            assert response is not None and response.status < 400, (url, response)
            if endpoint == "candidate.attempt":  # an answer typed: the echo shows its maths
                box = next_text_box(page)
                kind = box.locator("xpath=ancestor::div[@data-input]").get_attribute("data-input")
                box.fill(VALID[kind or "algebraic"])
                expect(page.locator(".echo math").first).to_be_attached()
            problems += _check(page, axe, f"{endpoint}-{width}", shots, width)

    # States that only appear after an action: form errors, the editor's preview, the receipt.
    _, page, _ = visitors["anonymous"]
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server}/staff/login")
        page.locator("input[type=email]").fill("nobody@example.org")
        page.locator("input[type=password]").fill("wrong")
        page.locator("form input[type=submit], form button[type=submit]").last.click()
        # The click returns once the answer's page is there, not its stylesheet: measure the
        # page as it is shown, not before its styles apply.
        page.wait_for_load_state()
        problems += _check(page, axe, f"login-error-{width}", shots, width)
    _, page, _ = visitors["author"]
    values = site["values"]
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(
            f"{live_server}/author/banks/{values[('bank', 'str')]}/questions/"
            f"{values[('question_id', 'str')]}/edit"
        )
        page.locator("button[value=preview]").click()
        expect(page.locator("#preview")).to_be_visible()
        page.wait_for_load_state()  # as above: the preview's page with its stylesheet
        problems += _check(page, axe, f"editor-preview-{width}", shots, width)
    _, page, _ = visitors["candidate"]
    attempt = db.session.get(Attempt, candidate_attempt)
    assert attempt is not None
    attempts.submit_attempt(attempt, datetime.now(UTC))
    db.session.commit()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server}/attempts/{candidate_attempt}/receipt")
        problems += _check(page, axe, f"candidate.receipt-{width}", shots, width)

    assert not problems, "\n".join(problems)
    assert not [e for e in CONSOLE_ERRORS if "Content Security Policy" in e], CONSOLE_ERRORS
