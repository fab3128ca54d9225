"""The question editor: every sample question round-trips through the form byte for byte;
preview, try an answer, author tests, save with a new version, concurrent edits, errors."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from exam_engine.extensions import db
from exam_engine.models import Question, QuestionVersion
from tests.conftest import BANKS, csrf_token
from tests.factories import login, make_staff

SAMPLE = BANKS / "fellowship"
QUESTION_FILES = sorted(p for p in SAMPLE.glob("*/*.yaml"))


@pytest.fixture
def banks_copy(app: Flask, tmp_path: Path) -> Iterator[Path]:
    """The app writes into a copy of the sample banks, never the repository's."""
    target = tmp_path / "banks"
    shutil.copytree(BANKS, target)
    app.config["QUESTION_BANKS_PATH"] = str(target)
    yield target / "fellowship"


@pytest.fixture
def author(app: Flask, client: FlaskClient) -> FlaskClient:
    login(client, make_staff("author"))
    return client


def form_fields(page: str) -> dict[str, str]:
    """The editor's fields as a browser would submit them."""
    fields: dict[str, str] = {}
    for m in re.finditer(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', page):
        fields[m.group(1)] = m.group(2)
    for m in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>\r?\n?(.*?)</textarea>', page, re.S):
        fields[m.group(1)] = m.group(2)
    selected = re.search(r'<select[^>]*name="topic".*?<option selected value="([^"]+)"', page, re.S)
    if selected:
        fields["topic"] = selected.group(1)
    import html

    return {k: html.unescape(v) for k, v in fields.items()}


def edit_url(path: Path) -> str:
    return f"/author/banks/fellowship/questions/{path.stem}/edit"


def versions() -> int:
    return len(db.session.scalars(select(QuestionVersion)).all())


def test_every_sample_question_saves_back_to_the_same_bytes(
    banks_copy: Path, author: FlaskClient
) -> None:
    before = versions()
    for original in QUESTION_FILES:
        copy = banks_copy / original.parent.name / original.name
        page = author.get(edit_url(original)).get_data(as_text=True)
        fields = form_fields(page)
        assert fields["base_hash"], original.name
        response = author.post(edit_url(original), data={**fields, "action": "save"})
        assert response.status_code == 302, (original.name, response.get_data(as_text=True)[-3000:])
        assert copy.read_bytes() == original.read_bytes(), original.name
    assert versions() == before


NEW = {
    "id": "square-shift",
    "title": "Square of a shift",
    "topic": "calculus",
    "tags": "algebra, expansion",
    "difficulty": "1",
    "points": "",
    "body": "Let $a = {{a}}$.",
    "parameters": "a: randint(2, 9)\n",
    "conditions": "",
    "parts": (
        "- key: expand\n  prompt: Expand $(x + a)^2$.\n  input: algebraic\n"
        "  answer: x^2 + 2*a*x + a^2\n  variables: [x]\n"
        "- key: value\n  prompt: Compute $a^2$.\n  input: numeric\n  answer: a^2\n"
        "  rules:\n    - answer: 2*a\n      score: 0\n      feedback: Square, do not double.\n"
    ),
    "tests": (
        '- parts: {expand: "{{answer}}", value: "{{a}}^2"}\n  expected: {expand: 1, value: 1}\n'
        '- part: value\n  response: "2*{{a}}"\n  expected: 0\n'
    ),
    "seed": "1",
    "try_part": "",
    "try_response": "",
    "variants": "5",
}


def post_new(client: FlaskClient, action: str, **changes: str):  # type: ignore[no-untyped-def]
    url = "/author/banks/fellowship/new"
    data = {**NEW, **changes, "action": action, "csrf_token": csrf_token(client, url)}
    return client.post(url, data=data)


def test_create_preview_try_test_and_save(banks_copy: Path, author: FlaskClient) -> None:
    one = post_new(author, "preview", seed="1").get_data(as_text=True)
    two = post_new(author, "preview", seed="2").get_data(as_text=True)
    params = [re.search(r'id="params">(.*?)</p>', page, re.S) for page in (one, two)]
    assert all(params) and params[0].group(1) != params[1].group(1)  # type: ignore[union-attr]
    assert "<math" in one

    wrong = post_new(author, "try", try_part="value", try_response="1").get_data(as_text=True)
    assert "Incorrect" in wrong and 'id="verdict-note">value-' not in wrong
    page = post_new(author, "try", try_part="value", try_response="2*a").get_data(as_text=True)
    assert "Invalid: not graded" in page  # a is a parameter, not a variable the candidate may use

    tested = post_new(author, "test").get_data(as_text=True)
    assert "All author tests pass on 5 variant(s)." in tested

    saved = post_new(author, "save")
    assert saved.status_code == 302
    path = banks_copy / "calculus" / "square-shift.yaml"
    assert path.is_file()
    question = db.session.scalars(select(Question).where(Question.slug == "square-shift")).one()
    assert saved.headers["Location"].endswith(f"/author/questions/{question.id}")
    assert "square-shift" in author.get("/author/").get_data(as_text=True)
    # Saving the same content again is refused as a duplicate id, not overwritten.
    again = post_new(author, "save", title="Another").get_data(as_text=True)
    assert "already exists" in again and "Square of a shift" in again
    assert "choose another id" in again
    assert "Another" not in path.read_text()
    third = post_new(author, "save", title="Another")  # still refused: no silent replacement
    assert third.status_code == 200 and "Another" not in path.read_text()


def test_try_right_and_partial_answers_show_verdict_note_and_feedback(
    banks_copy: Path, author: FlaskClient
) -> None:
    page = post_new(author, "preview", seed="3").get_data(as_text=True)
    a = int(re.search(r"<code>a = (\d+)</code>", page).group(1))  # type: ignore[union-attr]
    right = post_new(author, "try", seed="3", try_part="value", try_response=str(a * a))
    text = right.get_data(as_text=True)
    assert "Correct" in text and 'id="verdict-note">value-model<' in text
    wrong = post_new(author, "try", seed="3", try_part="value", try_response=str(2 * a))
    text = wrong.get_data(as_text=True)
    assert 'id="verdict-note">value-rule0<' in text and "Square, do not double." in text


def test_failing_author_tests_are_listed(banks_copy: Path, author: FlaskClient) -> None:
    tests = '- part: value\n  response: "2*{{a}}"\n  expected: 1\n'
    page = post_new(author, "test", tests=tests).get_data(as_text=True)
    assert 'id="test-results"' in page and "scored 0, expected 1" in page


def test_validation_errors_keep_the_input_and_name_the_field(
    banks_copy: Path, author: FlaskClient
) -> None:
    parts = NEW["parts"].replace("input: numeric", "input: formula")
    response = post_new(author, "save", parts=parts, title="")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Not saved" in page
    assert "[1].input (line 8): unknown input type &#39;formula&#39;" in page
    assert "This field is required." in page  # the empty title
    assert "input: formula" in page and "Square, do not double." in page  # input kept
    assert not (banks_copy / "calculus" / "square-shift.yaml").exists()
    broken = post_new(author, "save", parameters="a: [unclosed\n").get_data(as_text=True)
    assert "line 2" in broken or "line 1" in broken
    assert "a: [unclosed" in broken


def test_edit_makes_a_new_version_shown_in_the_history(
    banks_copy: Path, author: FlaskClient
) -> None:
    original = SAMPLE / "calculus" / "chain-rule.yaml"
    fields = form_fields(author.get(edit_url(original)).get_data(as_text=True))
    fields["title"] = "Chain rule, revised"
    response = author.post(edit_url(original), data={**fields, "action": "save"})
    assert response.status_code == 302
    text = (banks_copy / "calculus" / "chain-rule.yaml").read_text()
    assert "  en: Chain rule, revised\n" in text
    assert text.replace("Chain rule, revised", "Chain rule") == original.read_text()
    history = author.get(response.headers["Location"]).get_data(as_text=True)
    section = history.split('id="history"')[1]
    assert section.count("<tr><td><code>") == 2 and "(current)" in section


def test_concurrent_edit_is_detected_not_overwritten(banks_copy: Path, author: FlaskClient) -> None:
    original = SAMPLE / "calculus" / "chain-rule.yaml"
    copy = banks_copy / "calculus" / "chain-rule.yaml"
    fields = form_fields(author.get(edit_url(original)).get_data(as_text=True))
    # Someone else changes the file (e.g. a git pull) after the editor was opened.
    theirs = copy.read_text().replace("difficulty: 1", "difficulty: 2")
    copy.write_text(theirs)
    fields["title"] = "Mine"
    page = author.post(edit_url(original), data={**fields, "action": "save"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "changed by someone else" in text
    assert "difficulty: 2" in text and 'value="Mine"' in text  # both versions shown
    assert copy.read_text() == theirs
    # Having seen both, the author saves again on purpose.
    fields = form_fields(text)
    again = author.post(edit_url(original), data={**fields, "action": "save"})
    assert again.status_code == 302 and "  en: Mine\n" in copy.read_text()


def test_missing_csrf_token_is_refused(banks_copy: Path, author: FlaskClient) -> None:
    response = author.post("/author/banks/fellowship/new", data={**NEW, "action": "save"})
    assert response.status_code in (200, 400)
    assert not (banks_copy / "calculus" / "square-shift.yaml").exists()


def test_editor_needs_the_author_role(app: Flask, banks_copy: Path, client: FlaskClient) -> None:
    login(client, make_staff("committee"))
    assert client.get("/author/banks/fellowship/new").status_code == 404
    assert client.get(edit_url(SAMPLE / "calculus" / "chain-rule.yaml")).status_code == 404
    assert client.get("/author/banks/fellowship/export.zip").status_code == 404


def test_unknown_bank_and_question_are_404(banks_copy: Path, author: FlaskClient) -> None:
    assert author.get("/author/banks/nope/new").status_code == 404
    assert author.get("/author/banks/fellowship/questions/nope/edit").status_code == 404
    assert author.get("/author/banks/..%2F..%2Fetc/new").status_code == 404


def test_hostile_parameters_get_a_message_not_a_hung_request(
    banks_copy: Path, author: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An alias bomb and a parameter that runs for minutes: each is a problem on the field."""
    from exam_engine.banks import limited

    monkeypatch.setattr(limited, "AUTHOR_SECONDS", 2.0)
    bomb = "x: &x [1,1,1,1,1,1,1,1,1]\n" + "".join(
        f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]\n"
        for p, n in zip("xbcdefg", "bcdefgh", strict=True)
    )
    page = post_new(author, "save", parameters=bomb).get_data(as_text=True)
    assert "Not saved" in page and "aliases" in page
    slow = "a: randint(2, 9)\nd: expand((sqrt(2)+sqrt(3)+sqrt(5)+sqrt(7))^300)\n"
    page = post_new(author, "preview", parameters=slow).get_data(as_text=True)
    assert "ran over the limit" in page
    page = post_new(author, "save", parameters=slow).get_data(as_text=True)
    assert "Not saved" in page and "ran over the limit" in page
    assert not (banks_copy / "calculus" / "square-shift.yaml").exists()


def test_preview_is_in_the_readers_language(banks_copy: Path, author: FlaskClient) -> None:
    original = SAMPLE / "calculus" / "chain-rule.yaml"
    ko = {"Accept-Language": "ko-KR"}
    fields = form_fields(author.get(edit_url(original), headers=ko).get_data(as_text=True))
    page = author.post(edit_url(original), data={**fields, "action": "preview"}, headers=ko)
    preview = page.get_data(as_text=True).split('id="preview"')[1]
    assert re.search(r"[\uac00-\ud7a3]", preview.split('class="body"')[1].split("</div>")[0])
