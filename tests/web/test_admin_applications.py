"""The exam form's Applications part: self-registration set up in the browser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from exam_engine.extensions import db
from exam_engine.models import Exam
from exam_engine.services import exam_spec
from exam_engine.services.exams import save_exam
from tests.conftest import csrf_token
from tests.factories import SECTIONS, login, make_exam, make_staff
from tests.web.test_admin_exams import form_data, form_fields, upcoming

APPLICATIONS = {
    "enabled": True,
    "terms": {"en": "We keep your answers a year.", "ko": "답안은 1년간 보관합니다."},
    "fields": [
        {"name": "university", "label": {"en": "University", "ko": "대학교"}, "required": True},
        {"name": "year", "label": {"en": "Year of study"}, "required": False},
    ],
}


def upcoming_exam_taking_applications() -> Exam:
    """An exam that opens in two days (its whole definition editable) with APPLICATIONS."""
    opens, closes = upcoming(datetime.now(UTC))
    return make_exam(
        opens_at=opens.isoformat(), closes_at=closes.isoformat(), applications=APPLICATIONS
    )


def rows(**values: str) -> dict[str, str]:
    """The Applications part as typed into the form."""
    return {f"applications-{k.replace('__', '-')}": v for k, v in values.items()}


def test_create_with_applications_from_the_form(app: Flask, client: FlaskClient) -> None:
    login(client, make_staff("admin"))
    token = csrf_token(client, "/admin/exams/new")
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    opens, closes = now - timedelta(hours=1), now + timedelta(days=7)  # open: applicants see it
    data = form_data(
        token,
        opens,
        closes,
        **rows(
            enabled="y",
            terms_en="We keep your answers a year.",
            terms_ko="답안은 1년간 보관합니다.",
            fields__0__name="university",
            fields__0__label_en="University",
            fields__0__label_ko="대학교",
            fields__0__required="y",
            fields__1__name="",
            fields__1__label_en="",
            fields__1__label_ko="",
            fields__2__name="year",
            fields__2__label_en="Year of study",
            fields__2__label_ko="",
        ),
    )
    response = client.post("/admin/exams/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    made = db.session.scalars(select(Exam).where(Exam.slug == "autumn")).one()
    assert exam_spec.to_spec(made)["applications"] == APPLICATIONS
    # The applicant sees the field and the terms.
    page = client.get("/apply/autumn").get_data(as_text=True)
    assert "University" in page and "We keep your answers a year." in page


def test_an_exam_without_applications_keeps_its_file_free_of_them(
    app: Flask, client: FlaskClient
) -> None:
    login(client, make_staff("admin"))
    token = csrf_token(client, "/admin/exams/new")
    opens, closes = upcoming(datetime.now(UTC))
    assert client.post("/admin/exams/new", data=form_data(token, opens, closes)).status_code == 302
    made = db.session.scalars(select(Exam).where(Exam.slug == "autumn")).one()
    assert "applications" not in exam_spec.to_spec(made)


def test_file_to_edit_form_to_save_gives_the_same_block(app: Flask, client: FlaskClient) -> None:
    exam = upcoming_exam_taking_applications()
    before = yaml.safe_load(exam_spec.to_yaml(exam))
    login(client, make_staff("admin"))
    page = client.get(f"/admin/exams/{exam.slug}/edit").get_data(as_text=True)
    assert 'value="대학교"' in page and "답안은 1년간 보관합니다." in page
    assert 'id="applications-enabled" name="applications-enabled" type="checkbox" value="y"' in page
    fields = form_fields(page)
    assert fields["applications-enabled"] == ["y"]
    response = client.post(f"/admin/exams/{exam.slug}/edit", data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(exam)
    after = yaml.safe_load(exam_spec.to_yaml(exam))
    assert after["applications"] == before["applications"] == APPLICATIONS


def test_clearing_the_part_turns_applications_off(app: Flask, client: FlaskClient) -> None:
    exam = upcoming_exam_taking_applications()
    login(client, make_staff("admin"))
    fields = form_fields(client.get(f"/admin/exams/{exam.slug}/edit").get_data(as_text=True))
    cleared = {k: ("" if k.startswith("applications-") else v) for k, v in fields.items()}
    del cleared["applications-enabled"], cleared["applications-fields-0-required"]
    assert client.post(f"/admin/exams/{exam.slug}/edit", data=cleared).status_code == 302
    db.session.refresh(exam)
    assert exam.settings["applications"] == {"enabled": False, "terms": {}, "fields": []}


def test_invalid_rows_are_refused_and_kept(app: Flask, client: FlaskClient) -> None:
    login(client, make_staff("admin"))
    token = csrf_token(client, "/admin/exams/new")
    opens, closes = upcoming(datetime.now(UTC))
    data = form_data(
        token,
        opens,
        closes,
        **rows(
            enabled="y",
            fields__0__name="University!",
            fields__0__label_en="University",
            fields__1__name="year",
            fields__1__label_en="Year",
            fields__2__name="year",
            fields__2__label_en="",
            fields__2__label_ko="학년",
        ),
    )
    for locale, messages in {
        "en": [
            "Start with a lower-case letter; then letters, digits or _ (at most 40).",
            "Another field has this name.",
            "The label is needed in English.",
        ],
        "ko": ["같은 이름의 항목이 이미 있습니다.", "영어 라벨이 필요합니다."],
    }.items():
        client.set_cookie("lang", locale)
        response = client.post("/admin/exams/new", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and 'class="error-summary"' in page
        for message in messages:
            assert message in page, message
        assert 'value="University!"' in page and 'value="학년"' in page
        assert 'id="applications-fields-2-name-error"' in page
    assert db.session.scalars(select(Exam)).first() is None


def test_the_form_needs_its_csrf_token(app: Flask, client: FlaskClient) -> None:
    login(client, make_staff("admin"))
    opens, closes = upcoming(datetime.now(UTC))
    data = form_data("forged", opens, closes, **rows(enabled="y"))
    assert client.post("/admin/exams/new", data=data).status_code in (200, 400)
    assert db.session.scalars(select(Exam)).first() is None


def test_a_file_without_applications_is_not_given_them(app: Flask) -> None:
    exam = save_exam(
        {
            "slug": "plain",
            "title": "Plain",
            "opens_at": "2027-01-01T09:00",
            "closes_at": "2027-01-02T09:00",
            "duration_minutes": 30,
            "cohort_size": 1,
            "sections": SECTIONS,
        }
    )
    assert "applications" not in (exam.settings or {})


def test_add_a_field_gives_another_row_and_saves_nothing(app: Flask, client: FlaskClient) -> None:
    exam = upcoming_exam_taking_applications()
    login(client, make_staff("admin"))
    fields = form_fields(client.get(f"/admin/exams/{exam.slug}/edit").get_data(as_text=True))
    # Two stored fields and two empty rows; all four filled, then one more row asked for.
    assert "applications-fields-3-name" in fields and "applications-fields-4-name" not in fields
    for n, name in ((2, "city"), (3, "degree")):
        fields[f"applications-fields-{n}-name"] = name
        fields[f"applications-fields-{n}-label_en"] = name.title()
    del fields["submit"]
    fields["add_field"] = "1"
    for locale, button in {"en": "Add a field", "ko": "항목 추가"}.items():
        client.set_cookie("lang", locale)
        response = client.post(f"/admin/exams/{exam.slug}/edit", data=fields)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and button in page
        shown = form_fields(page)
        assert shown["applications-fields-3-name"] == "degree"  # what was typed stays
        assert shown["applications-fields-4-name"] == ""  # the new, empty row
    db.session.refresh(exam)
    assert exam.settings["applications"] == APPLICATIONS  # nothing saved yet
    shown["applications-fields-4-name"] = "country"
    shown["applications-fields-4-label_en"] = "Country"
    assert client.post(f"/admin/exams/{exam.slug}/edit", data=shown).status_code == 302
    db.session.refresh(exam)
    names = [f["name"] for f in exam.settings["applications"]["fields"]]
    assert names == ["university", "year", "city", "degree", "country"]


def test_unreadable_stored_settings_are_named_and_replaced_by_a_save(
    app: Flask, client: FlaskClient
) -> None:
    """Settings written around the validated save (by hand in the database) do not take the
    edit page down: it says what is wrong, and saving the form replaces them."""
    exam = upcoming_exam_taking_applications()
    broken = {"enabled": True, "fields": [{"name": "Not A Name"}, "junk"]}
    exam.settings = {**exam.settings, "applications": broken}
    db.session.commit()
    login(client, make_staff("admin"))
    for locale, message in {
        "en": "The stored applications settings cannot be read",
        "ko": "저장된 지원 설정을 읽을 수 없습니다",
    }.items():
        client.set_cookie("lang", locale)
        response = client.get(f"/admin/exams/{exam.slug}/edit")
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and message in page
        assert "applications.fields[0]" in page
    fields = form_fields(page)
    assert "applications-enabled" not in fields  # the part starts empty
    fields["applications-enabled"] = ["y"]
    fields["applications-fields-0-name"] = "university"
    fields["applications-fields-0-label_en"] = "University"
    response = client.post(f"/admin/exams/{exam.slug}/edit", data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(exam)
    assert exam.settings["applications"] == {
        "enabled": True,
        "terms": {},
        "fields": [{"name": "university", "label": {"en": "University"}, "required": False}],
    }
