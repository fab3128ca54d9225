"""The committee's candidate page: each question as the candidate saw it, both answers, the
mark, the feedback and the grader's note in words; overrides from there; hostile answers safe."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from exam_engine.committee.notes import explain
from exam_engine.extensions import db
from exam_engine.grading.typed import key_forms, typed_key
from exam_engine.models import Attempt, ExamRevision, Grade, Job, JobKind
from exam_engine.services import attempts, questions
from tests.conftest import csrf_token
from tests.factories import login, make_exam, make_staff, right, sit

NOW = datetime.now(UTC)
SECTIONS = [
    {"bank": "fellowship", "topic": "calculus", "draw": 8},
    {"bank": "fellowship", "topic": "optimisation", "draw": 6},
    # One question whose key is in SymPy's spelling ("exp(-a*t)") in every draw: 8 of the 22
    # calculus questions have one, so about 1 draw in 100 had none without it.
    {"bank": "fellowship", "topic": "probability", "tags": ["exponential"], "draw": 1},
]
HOSTILE = [
    "e^(e^(e^(e^e)))",
    "<script>alert(1)</script>",
    "$\\foo$",
    "<img src=x onerror=alert(2)>",
]


def hostile_then_right() -> Any:
    """Hostile answers in the first text parts, the model answer everywhere else."""
    left = list(HOSTILE)

    def answer(part: Any) -> str:
        if left and part.input_type not in ("choice", "multichoice"):
            return left.pop(0)
        return right(part)

    return answer


def sat(app: Flask) -> Attempt:
    exam = make_exam(now=NOW, sections=SECTIONS)
    return sit(exam, "ada@example.org", hostile_then_right(), NOW)


def test_page_shows_each_question_as_seen_with_both_answers(
    app: Flask, client: FlaskClient
) -> None:
    attempt = sat(app)
    login(client, make_staff("committee"))
    page = client.get(f"/committee/attempts/{attempt.id}").get_data(as_text=True)
    refs = attempts.parts_of(attempt)
    grades = {g.part_key: g for g in db.session.scalars(select(Grade))}
    # Every question's own variant text, in the candidate's order.
    positions = []
    for item in attempt.questions:
        body = questions.variant(item.version, item.variant_seed, "en").body_html
        assert body in page
        positions.append(page.index(f'id="{item.key}"'))
    assert positions == sorted(positions)
    typed_keys = 0
    for key, ref in refs.items():
        part = ref.part
        assert f'id="part-{key}"' in page
        section = page[page.index(f'id="part-{key}"') :]
        section = section[: section.index("</form>")]
        grade = grades[key]
        assert f"{grade.score:g} of {grade.max_score:g}" in section
        assert html.escape(grade.note) in section  # the code is kept beside the words
        if part.input_type in ("choice", "multichoice"):
            assert "right option" in section
            continue
        typed = typed_key(part.model_answer, part.settings)
        assert html.escape(typed, quote=False) in section
        assert "**" not in typed and "exp(" not in typed
        typed_keys += "**" in part.model_answer or "exp(" in part.model_answer
        if key_forms(part.model_answer, part.settings)[1] is not None:
            assert '<span class="math"><math' in section, f"{key}: no rendered model answer"
    assert typed_keys, "no key in SymPy's spelling was drawn: see SECTIONS"
    # The right answers read as such, in words.
    assert "Matches the model answer." in page


def test_hostile_answers_render_as_text(app: Flask, client: FlaskClient) -> None:
    attempt = sat(app)
    login(client, make_staff("committee"))
    page = client.get(f"/committee/attempts/{attempt.id}").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "$\\foo$" in page
    assert "e^(e^(e^(e^e)))" in page
    # No element or attribute from an answer made it through the MathML either.
    assert "onerror=" not in page.replace("&lt;img src=x onerror=alert(2)&gt;", "")


def test_override_from_the_page_is_audited_and_moves_the_analysis(
    app: Flask, client: FlaskClient
) -> None:
    attempt = sat(app)
    login(client, make_staff("committee"))
    grade = db.session.scalars(select(Grade).order_by(Grade.id)).first()
    assert grade is not None
    url = f"/committee/attempts/{attempt.id}"
    before = db.session.get(ExamRevision, attempt.exam_id)
    revision = before.revision if before else 0
    token = csrf_token(client, url)
    done = client.post(
        f"{url}/override",
        data={"csrf_token": token, "part_key": grade.part_key, "score": "0", "reason": "typo"},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("#answers")
    db.session.expire_all()
    assert db.session.get(Grade, grade.id).score == 0
    assert db.session.get(ExamRevision, attempt.exam_id).revision == revision + 1
    assert db.session.scalars(select(Job).where(Job.kind == JobKind.ANALYSIS)).first()
    section = client.get(url).get_data(as_text=True)
    section = section[section.index(f'id="part-{grade.part_key}"') :]
    assert f"set by hand; the grader gave {grade.auto_score:g}" in section
    assert "typo" in section


def test_korean_reader_gets_notes_in_korean(app: Flask, client: FlaskClient) -> None:
    attempt = sat(app)
    login(client, make_staff("committee"))
    page = client.get(
        f"/committee/attempts/{attempt.id}", headers={"Accept-Language": "ko"}
    ).get_data(as_text=True)
    assert "Matches the model answer." not in page
    with app.test_request_context(headers={"Accept-Language": "ko"}):
        assert explain("q1-model")[0] in page


@pytest.mark.parametrize(
    ("note", "fraction", "words"),
    [
        (
            "ATAlgEquiv_False.",
            0.0,
            ["Did not pass the check: algebraically equal to the model answer."],
        ),
        (
            "ATNumRelative_False. ATAlgEquiv_False.",
            0.0,
            [
                "Did not pass the check: within the relative tolerance of the model answer.",
                "Did not pass the check: algebraically equal to the model answer.",
            ],
        ),
        ("mean-model", 1.0, ["Matches the model answer."]),
        ("a-rule0", 0.5, ["Matches partial-credit rule 1 written by the question's author."]),
        ("sign slip", 0.5, ["Matched the author's rule labelled “sign slip”."]),
        ("NoAnswer", 0.0, ["No answer was given."]),
        (
            "invalid:missing_star",
            0.0,
            ["The answer was not valid, so it was not graded (it scores 0)."],
        ),
        (
            "ATNumSigFigs_WrongDigits.",
            0.0,
            ["The answer has the wrong number of significant figures."],
        ),
        (
            "ATSubstEquiv_Subst [x->y].",
            1.0,
            ["Equal to the model answer after renaming variables."],
        ),
        ("ATAlgEquivTEST_FAILED-Empty SA.", 0.0, ["The answer was empty."]),
        ("ATDiff_STACKERROR_Opt.", 0.0, ["The check (the right derivative) could not be applied"]),
        ("LIMIT", 0.0, ["The grader could not decide within its time or memory limit"]),
        ("ATWeird_zzz.", 0.0, ["Did not pass the check: Weird."]),
        ("", 0.0, []),
    ],
)
def test_grader_notes_in_words(app: Flask, note: str, fraction: float, words: list[str]) -> None:
    with app.test_request_context():
        said = explain(note, fraction)
    assert len(said) == len(words)
    for sentence, start in zip(said, words, strict=True):
        assert sentence.startswith(start), (sentence, start)
