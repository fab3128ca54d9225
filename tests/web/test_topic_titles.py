"""Pages in the reader's language: topic titles (committee and staff), question titles on the
item page, certainty badges."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from exam_engine.extensions import db
from exam_engine.jobs.analysis import analyse_now
from exam_engine.models import AttemptQuestion, Bank, Exam, Job, JobKind, JobState, Question
from exam_engine.services.questions import import_banks
from tests.conftest import BANKS
from tests.factories import login, make_exam, make_staff, right, sit

NOW = datetime.now(UTC)
SECTIONS = [
    {"bank": "fellowship", "topic": "probability", "draw": 2},
    {"bank": "fellowship", "topic": "linear-algebra", "draw": 1},
]
TOPIC_HEADER = re.compile(r'<th scope="col" class="num" data-topic="([^"]+)">(.*?)</th>')


def half(part):  # type: ignore[no-untyped-def]
    return right(part) if part.key in {"a", "exactly", "mean", "first"} else "0"


def analysed_exam() -> Exam:
    exam = make_exam(now=NOW, sections=SECTIONS, cohort_size=1)
    sit(exam, "ada@example.org", right, NOW)
    sit(exam, "bob@example.org", half, NOW)
    sit(exam, "cy@example.org", None, NOW)
    analyse_now(exam, replicates=50)
    db.session.commit()
    return exam


def page(client: FlaskClient, url: str, lang: str) -> str:
    client.set_cookie("lang", lang)
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def topic_headers(html: str) -> dict[str, str]:
    return dict(TOPIC_HEADER.findall(html))


def test_ranking_headers_show_topic_titles_per_language(app: Flask, client: FlaskClient) -> None:
    exam = analysed_exam()
    login(client, make_staff("committee"))
    url = f"/committee/exams/{exam.slug}/ranking"
    assert topic_headers(page(client, url, "en")) == {
        "linear-algebra": "Linear algebra",
        "probability": "Probability",
    }
    assert topic_headers(page(client, url, "ko")) == {
        "linear-algebra": "선형대수",
        "probability": "확률",
    }
    # The CSV keeps the slugs as its column keys, whatever the reader's language.
    header = page(client, f"{url}.csv", "ko").lstrip("\ufeff").splitlines()[0].split(",")
    assert "probability" in header and "linear-algebra" in header


def test_a_bank_without_titles_reads_as_words(app: Flask, client: FlaskClient) -> None:
    exam = analysed_exam()
    bank = db.session.scalars(select(Bank).where(Bank.slug == "fellowship")).one()
    bank.topics = {"probability": {"en": "Chance"}}
    db.session.commit()
    login(client, make_staff("committee"))
    html = page(client, f"/committee/exams/{exam.slug}/ranking", "ko")
    # Not in the page's language: marked as English for screen readers.
    assert topic_headers(html) == {
        "linear-algebra": '<span lang="en">Linear algebra</span>',
        "probability": '<span lang="en">Chance</span>',
    }
    assert topic_headers(page(client, f"/committee/exams/{exam.slug}/ranking", "en")) == {
        "linear-algebra": "Linear algebra",
        "probability": "Chance",
    }


def test_reimport_takes_the_titles_from_bank_yaml(app: Flask, tmp_path: Path) -> None:
    copy = tmp_path / "fellowship"
    shutil.copytree(BANKS / "fellowship", copy)
    meta = copy / "bank.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace("ko: 확률", "ko: 확률론"), encoding="utf-8"
    )
    import_banks(copy)
    db.session.commit()
    bank = db.session.scalars(select(Bank).where(Bank.slug == "fellowship")).one()
    assert bank.topics["probability"] == {"en": "Probability", "ko": "확률론"}
    assert bank.topics["calculus"] == {"en": "Calculus", "ko": "미적분"}


def drawn_titles(exam: Exam) -> dict[str, dict[str, str]]:
    """The titles (per language) of the questions the exam's candidates drew, by slug."""
    stmt = select(AttemptQuestion).where(AttemptQuestion.attempt.has(exam_id=exam.id))
    return {q.version.question.slug: q.version.data["title"] for q in db.session.scalars(stmt)}


def item_rows(html: str) -> dict[str, str]:
    """Each item row's first cell, by question slug."""
    rows = re.findall(r'<tr data-question="([^"]+)">\s*<td[^>]*>(.*?)</td>', html)
    return {slug: re.sub(r"<[^>]+>", "", cell) for slug, cell in rows}


def test_item_page_shows_question_titles_per_language(app: Flask, client: FlaskClient) -> None:
    exam = analysed_exam()
    login(client, make_staff("committee"))
    url = f"/committee/exams/{exam.slug}/items"
    titles = drawn_titles(exam)
    assert len(titles) >= 3
    english, korean = item_rows(page(client, url, "en")), item_rows(page(client, url, "ko"))
    assert set(english) == set(korean) == set(titles)
    for slug, title in titles.items():
        assert english[slug].startswith(title["en"] + " ")
        assert korean[slug].startswith(title["ko"] + " ")
    assert "<td>확률</td>" in page(client, url, "ko")


def test_item_page_reads_a_snapshot_from_before_titles(app: Flask, client: FlaskClient) -> None:
    """A version-2 snapshot (English titles only) still renders, in English, marked as such."""
    exam = analysed_exam()
    job = db.session.scalars(
        select(Job).where(
            Job.exam_id == exam.id, Job.kind == JobKind.ANALYSIS, Job.state == JobState.DONE
        )
    ).one()
    old = dict(job.result)
    old["version"] = 2
    old["questions"] = [
        {k: v for k, v in q.items() if k != "titles"} for q in job.result["questions"]
    ]
    job.result = old
    db.session.commit()
    login(client, make_staff("committee"))
    html = page(client, f"/committee/exams/{exam.slug}/items", "ko")
    for slug, title in drawn_titles(exam).items():
        assert item_rows(html)[slug].startswith(title["en"] + " ")
    assert '<span lang="en">' in html


def test_certainty_cells_are_badges(app: Flask, client: FlaskClient) -> None:
    exam = analysed_exam()
    login(client, make_staff("committee"))
    html = page(client, f"/committee/exams/{exam.slug}/ranking", "ko")
    badges = re.findall(r'<td class="certainty"><span class="badge ([a-z-]+)">([^<]+)</span>', html)
    assert badges, "no certainty badge on the page"
    words = {"clearly-in": "확실히 안", "borderline": "경계", "clearly-out": "확실히 밖"}
    for kind, text in badges:
        assert text == words[kind]


def test_admin_exam_form_shows_topic_titles(app: Flask, client: FlaskClient) -> None:
    """The section's topic choices and the pool table, in Korean."""
    login(client, make_staff("admin"))
    form = page(client, "/admin/exams/new", "ko")
    assert '<option value="linear-algebra">선형대수</option>' in form
    assert "<td>선형대수</td>" in form and "<td>linear-algebra</td>" not in form


def test_author_pages_show_topic_titles(app: Flask, client: FlaskClient) -> None:
    login(client, make_staff("author"))
    banks = page(client, "/author/", "ko")
    assert "<td>확률</td>" in banks and "<td>probability</td>" not in banks
    assert "선별 검사 양성</a>" in banks  # a question's title in the reader's language too
    assert "A positive screening test</a>" in page(client, "/author/", "en")
    question = db.session.scalars(select(Question).where(Question.slug == "binomial-coins")).one()
    preview = page(client, f"/author/questions/{question.id}", "en")
    assert "Topic: Probability" in preview
