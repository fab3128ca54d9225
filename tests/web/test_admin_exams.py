"""Exams in the browser: the list by status, the form (new, edit, errors), open, close, YAML."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from exam_engine.extensions import db
from exam_engine.models import AuditEntry, Exam, ExamStatus
from exam_engine.services import exam_spec
from exam_engine.services.exams import save_exam
from tests.conftest import csrf_token
from tests.factories import login, make_exam, make_invitation, make_staff, sit


def local(moment: datetime, zone: str = "Asia/Seoul") -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def form_data(token: str, opens: datetime, closes: datetime, **extra: Any) -> dict[str, Any]:
    """What a person fills in on /admin/exams/new."""
    return {
        "csrf_token": token,
        "slug": "autumn",
        "title_en": "Autumn screening",
        "title_ko": "가을 선발 시험",
        "instructions_en": "Sixty minutes.",
        "instructions_ko": "60분입니다.",
        "default_locale": "en",
        "languages": ["en", "ko"],
        "timezone": "Asia/Seoul",
        "opens_at": local(opens),
        "closes_at": local(closes),
        "duration_minutes": "60",
        "cohort_size": "4",
        "grace_seconds": "20",
        "shuffle_questions": "y",
        "sections-0-title": "Calculus",
        "sections-0-bank": "fellowship",
        "sections-0-topic": "calculus",
        "sections-0-tags": "",
        "sections-0-draw": "2",
        "sections-1-title": "Bayes",
        "sections-1-bank": "fellowship",
        "sections-1-topic": "probability",
        "sections-1-tags": "bayes",
        "sections-1-draw": "1",
        "sections-2-title": "",
        "sections-2-bank": "",
        "sections-2-topic": "",
        "sections-2-tags": "",
        "sections-2-draw": "",
        "accommodations": "ada@example.org, 1.5\n",
        "submit": "1",
        **extra,
    }


def upcoming(now: datetime) -> tuple[datetime, datetime]:
    opens = (now + timedelta(days=2)).replace(second=0, microsecond=0)
    return opens, opens + timedelta(days=7)


def test_the_form_builds_the_same_exam_as_the_file(app: Flask, client: FlaskClient) -> None:
    login(client, make_staff("admin"))
    token = csrf_token(client, "/admin/exams/new")
    opens, closes = upcoming(datetime.now(UTC))
    response = client.post("/admin/exams/new", data=form_data(token, opens, closes))
    assert response.status_code == 302, response.get_data(as_text=True)
    made = db.session.scalars(select(Exam).where(Exam.slug == "autumn")).one()
    from_form = exam_spec.to_spec(made)
    # The same definition as a file, through the service `exams create` uses.
    file = f"""
slug: autumn-file
title: {{en: Autumn screening, ko: 가을 선발 시험}}
instructions: {{en: Sixty minutes., ko: 60분입니다.}}
languages: [en, ko]
timezone: Asia/Seoul
opens_at: {local(opens)}
closes_at: {local(closes)}
duration_minutes: 60
cohort_size: 4
grace_seconds: 20
sections:
  - {{title: Calculus, bank: fellowship, topic: calculus, draw: 2}}
  - {{title: Bayes, bank: fellowship, topic: probability, tags: [bayes], draw: 1}}
accommodations:
  - {{email: ada@example.org, time_factor: 1.5}}
"""
    from_file = exam_spec.to_spec(save_exam(yaml.safe_load(file)))
    db.session.commit()
    assert {**from_file, "slug": "autumn"} == from_form
    # The download is that definition, and it re-creates the exam.
    download = client.get("/admin/exams/autumn/exam.yaml")
    assert download.headers["Content-Disposition"] == 'attachment; filename="autumn.yaml"'
    assert yaml.safe_load(download.get_data(as_text=True)) == from_form


def test_the_edit_form_shows_the_exam_as_saved(app: Flask, client: FlaskClient) -> None:
    now = datetime.now(UTC)
    opens, closes = upcoming(now)
    exam = make_exam(
        opens_at=opens.isoformat(),
        closes_at=closes.isoformat(),
        title={"en": "Screening", "ko": "선발"},
        timezone="Asia/Seoul",
    )
    login(client, make_staff("admin"))
    page = client.get(f"/admin/exams/{exam.slug}/edit").get_data(as_text=True)
    assert 'value="선발"' in page and f'value="{local(opens)}"' in page
    assert 'id="locked-note"' not in page
    assert re.findall(r"<[^>]*disabled[^>]*>", page) == [
        '<input disabled id="slug" maxlength="100" name="slug" required type="text" '
        'value="screening">'
    ]
    assert page.count('name="sections-') >= 5 * 4  # three sections and a blank row
    resaved = client.post(
        f"/admin/exams/{exam.slug}/edit",
        data={**form_fields(page), "cohort_size": "3", "sections-1-draw": "2"},
    )
    assert resaved.status_code == 302, resaved.get_data(as_text=True)
    db.session.refresh(exam)
    assert exam.cohort_size == 3 and [s.draw_count for s in exam.sections] == [2, 2, 2]


def form_fields(page: str) -> dict[str, Any]:
    """Every field of a rendered form with its value, as a browser would submit it."""
    fields: dict[str, Any] = {}
    for tag in re.findall(r"<(?:input|select|textarea)[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or "disabled" in tag or 'type="submit"' in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag:
            if "checked" in tag:
                fields.setdefault(name.group(1), []).append(value.group(1) if value else "y")
            continue
        if tag.startswith("<select"):
            block = page[page.index(tag) :]
            block = block[: block.index("</select>")]
            chosen = re.search(r'<option selected value="([^"]*)"', block) or re.search(
                r'<option value="([^"]*)" selected', block
            )
            fields[name.group(1)] = chosen.group(1) if chosen else ""
        elif tag.startswith("<textarea"):
            rest = page[page.index(tag) + len(tag) :]
            fields[name.group(1)] = rest[: rest.index("</textarea>")].strip()
        else:
            fields[name.group(1)] = value.group(1) if value else ""
    fields["submit"] = "1"
    return fields


def test_mistakes_are_listed_in_an_error_summary(app: Flask, client: FlaskClient) -> None:
    login(client, make_staff("admin"))
    token = csrf_token(client, "/admin/exams/new")
    opens, closes = upcoming(datetime.now(UTC))
    bad = form_data(
        token,
        closes,
        opens,  # closes before it opens
        slug="Autumn 2027",
        title_en="",
        duration_minutes="0",
        accommodations="ada@example.org, 1.5\nbob@example.org\n",
        **{"sections-0-draw": "500", "sections-1-bank": ""},
    )
    response = client.post("/admin/exams/new", data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="error-summary"' in page
    summary = page[
        page.index('class="error-summary"') : page.index("</ul>", page.index("error-summary"))
    ]
    for expected in [
        "Use lower-case letters, digits and hyphens",
        "The title is needed in the default language.",
        "It must be after the opening.",
        "Number must be between 1 and 1440.",
        "Line 2: write an e-mail, a comma and a factor from 1 to 4.",
        "Only 22 questions match; draw at most that many.",
        "Choose a bank.",
    ]:
        assert expected in summary, expected
    assert 'href="#sections-0-draw"' in summary and 'href="#closes_at"' in summary
    assert db.session.scalars(select(Exam)).first() is None


def test_the_slug_of_another_exam_is_refused(app: Flask, client: FlaskClient) -> None:
    make_exam("autumn")
    login(client, make_staff("admin"))
    token = csrf_token(client, "/admin/exams/new")
    opens, closes = upcoming(datetime.now(UTC))
    page = client.post("/admin/exams/new", data=form_data(token, opens, closes)).get_data(True)
    assert "An exam with this short name exists already." in page


def test_an_open_exam_changes_only_its_safe_fields(app: Flask, client: FlaskClient) -> None:
    exam = make_exam()
    login(client, make_staff("admin"))
    page = client.get(f"/admin/exams/{exam.slug}/edit").get_data(as_text=True)
    assert 'id="locked-note"' in page
    assert re.search(r'<input[^>]*disabled[^>]*id="duration_minutes"', page)
    fields = form_fields(page)
    assert "duration_minutes" not in fields and "sections-0-bank" not in fields
    sent = {
        **fields,
        "cohort_size": "9",
        "title_ko": "선발 시험",
        "duration_minutes": "5",  # a changed locked field is ignored
        "sections-0-draw": "1",
        "sections-0-title": "Matrices",
    }
    response = client.post(f"/admin/exams/{exam.slug}/edit", data=sent)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert (exam.cohort_size, exam.duration_minutes, exam.title_in("ko")) == (9, 90, "선발 시험")
    assert exam.sections[0].draw_count == 2 and exam.sections[0].title == "Matrices"


def test_the_list_orders_by_status_with_counts(app: Flask, client: FlaskClient) -> None:
    now = datetime.now(UTC)
    opens, closes = upcoming(now)
    make_exam("later", opens_at=opens.isoformat(), closes_at=closes.isoformat())
    running = make_exam("running")
    make_exam(
        "past",
        opens_at=(now - timedelta(days=9)).isoformat(),
        closes_at=(now - timedelta(days=2)).isoformat(),
    )
    make_invitation(running, "waiting@example.org")
    sit(running, "done@example.org")
    login(client, make_staff("admin"))
    page = client.get("/admin/exams").get_data(as_text=True)
    assert page.index("exam-later") < page.index("exam-running") < page.index("exam-past")
    row = page[page.index('id="exam-running"') :]
    row = row[: row.index("</tr>")]
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["90", "2", "2", "1", "1"]
    assert "Open now" in page and "Close now" in page


def test_open_and_close_from_the_list(app: Flask, client: FlaskClient) -> None:
    now = datetime.now(UTC)
    opens, closes = upcoming(now)
    exam = make_exam(opens_at=opens.isoformat(), closes_at=closes.isoformat())
    login(client, make_staff("admin"))
    token = csrf_token(client, "/admin/exams")
    opened = client.post(f"/admin/exams/{exam.slug}/open", data={"csrf_token": token})
    assert opened.status_code == 302
    db.session.refresh(exam)
    assert exam.status(datetime.now(UTC)) == ExamStatus.OPEN
    again = client.post(f"/admin/exams/{exam.slug}/open", data={"csrf_token": token})
    assert "only an exam that has not opened" in client.get(again.headers["Location"]).get_data(
        True
    )
    closed = client.post(f"/admin/exams/{exam.slug}/close", data={"csrf_token": token})
    assert closed.status_code == 302
    db.session.refresh(exam)
    assert exam.status(datetime.now(UTC)) == ExamStatus.CLOSED
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["exam.opened", "exam.closed"]
    assert client.post(f"/admin/exams/{exam.slug}/close", data={}).status_code == 400


def test_only_admins_reach_the_exam_pages(app: Flask, client: FlaskClient) -> None:
    exam = make_exam()
    login(client, make_staff("committee"))
    for url in ["/admin/exams", "/admin/exams/new", f"/admin/exams/{exam.slug}/edit"]:
        assert client.get(url).status_code == 404, url
    assert client.get(f"/admin/exams/{exam.slug}/exam.yaml").status_code == 404


def test_the_form_in_korean(app: Flask, client: FlaskClient) -> None:
    login(client, make_staff("admin"))
    client.set_cookie("lang", "ko")
    page = client.get("/admin/exams/new").get_data(as_text=True)
    assert "새 시험" in page and "문제 풀 크기" in page
    token = csrf_token(client, "/admin/exams/new")
    opens, closes = upcoming(datetime.now(UTC))
    bad = form_data(token, closes, opens)
    page = client.post("/admin/exams/new", data=bad).get_data(as_text=True)
    assert "문제가 있습니다" in page and "여는 시각 이후여야 합니다." in page
