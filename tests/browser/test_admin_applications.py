"""Staff turn applications on in the exam form; an applicant then sees the extra field and the
terms on /apply/<slug>, in English and in Korean (screenshots at 375 and 1280 px)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect

from exam_engine.extensions import db
from exam_engine.services.applications import settings_of
from tests.browser.test_admin_exams import WORDS, admin_page, select_autumn, shots, snap
from tests.factories import make_exam, make_staff

pytestmark = pytest.mark.browser

ACCEPT = {"en": "Accept applications", "ko": "지원 받기"}
ADD_FIELD = {"en": "Add a field", "ko": "항목 추가"}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_staff_turn_applications_on_and_an_applicant_sees_them(
    app: Flask, live_server: str, browser: Browser, tmp_path: Path, lang: str
) -> None:
    words = WORDS[lang]
    folder = shots(tmp_path)
    make_staff("admin")
    make_exam("autumn", title={"en": "Autumn screening", "ko": "가을 선발 시험"})
    page = admin_page(browser, live_server, lang)
    page.goto(f"{live_server}/admin/exams/autumn/edit")
    expect(page.locator("#apply-address")).to_contain_text("/apply/autumn")
    page.get_by_label(ACCEPT[lang]).check()
    page.locator("#applications-terms_en").fill("We keep your answers for a year.")
    page.locator("#applications-terms_ko").fill("답안은 1년간 보관합니다.")
    page.locator("#applications-fields-0-name").fill("university")
    page.locator("#applications-fields-0-label_en").fill("University")
    page.locator("#applications-fields-0-label_ko").fill("대학교")
    page.locator("#applications-fields-0-required").check()
    page.locator("#applications-fields-1-name").fill("degree")
    page.locator("#applications-fields-1-label_en").fill("Degree")
    # Both rows used: one more, without saving; what was typed stays.
    page.get_by_role("button", name=ADD_FIELD[lang]).click()
    expect(page.locator("#applications-fields-2-name")).to_have_value("")
    expect(page.locator("#applications-fields-0-label_ko")).to_have_value("대학교")
    expect(page.get_by_label(ACCEPT[lang])).to_be_checked()
    page.locator("#applications-fields-2-name").fill("year")
    page.locator("#applications-fields-2-label_en").fill("Year of study")
    # In a row, the boxes line up whatever sits above them (the name's hint).
    tops = [
        page.locator(f"#applications-fields-2-{n}").bounding_box()["y"]  # type: ignore[index]
        for n in ("name", "label_en", "label_ko")
    ]
    if page.viewport_size and page.viewport_size["width"] >= 1000:
        assert max(tops) - min(tops) < 1, tops
    snap(page, folder, f"exam-form-applications-{lang}")
    page.get_by_role("button", name=words["save"]).click()
    expect(page.locator("#exam-autumn")).to_be_visible()
    settings = settings_of(db.session.scalars(select_autumn()).one())
    assert settings.enabled
    assert [f.name for f in settings.fields] == ["university", "degree", "year"]
    applicant = browser.new_context(locale="ko-KR" if lang == "ko" else "en-GB").new_page()
    applicant.goto(f"{live_server}/apply/autumn")
    label, terms = (
        ("University", "We keep your answers for a year.")
        if lang == "en"
        else ("대학교", "답안은 1년간 보관합니다.")
    )
    expect(applicant.get_by_label(label)).to_be_visible()
    expect(applicant.get_by_text(terms)).to_be_visible()
    snap(applicant, folder, f"apply-with-field-{lang}")
    applicant.context.close()
    page.context.close()
