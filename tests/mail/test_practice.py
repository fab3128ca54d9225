"""The practice question: shown before the start only, echoed and checked, never stored."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from exam_engine.extensions import db
from exam_engine.models import Response
from tests.conftest import csrf_token
from tests.factories import make_exam, make_invitation, start


def check(client: FlaskClient, value: object, token: str | None) -> tuple[int, dict]:
    headers = {"X-CSRFToken": token} if token else {}
    response = client.post("/practice/check", json={"value": value}, headers=headers)
    return response.status_code, response.get_json()


def test_the_practice_question_is_on_the_instructions_page_until_the_start(
    app: Flask, client: FlaskClient
) -> None:
    invitation = make_invitation(make_exam())
    page = client.get(f"/i/{invitation.token}").get_data(as_text=True)
    assert 'id="practice"' in page and "<math" in page and "practice.js" in page
    start(client, invitation)
    assert 'id="practice"' not in client.get(f"/i/{invitation.token}").get_data(as_text=True)


def test_practice_answers_are_echoed_and_checked_not_saved(app: Flask, client: FlaskClient) -> None:
    invitation = make_invitation(make_exam())
    token = csrf_token(client, f"/i/{invitation.token}")
    status, right = check(client, "3x^2 + 2", token)
    assert status == 200 and right["valid"] and right["correct"] is True
    assert "<math" in right["mathml"] and right["verdict"].startswith("Right.")
    _, wrong = check(client, "3*x^2", token)
    assert wrong["valid"] and wrong["correct"] is False and "Not quite" in wrong["verdict"]
    _, invalid = check(client, "3*x^", token)
    assert invalid["valid"] is False and invalid["correct"] is None and invalid["message"]
    assert check(client, 3, token)[0] == 400
    assert check(client, "x" * 6000, token)[0] == 400
    assert check(client, "3x^2+2", None)[0] == 400  # the CSRF token is required
    assert db.session.query(Response).count() == 0


def test_the_practice_verdict_is_in_korean_for_korean_readers(
    app: Flask, client: FlaskClient
) -> None:
    client.set_cookie("lang", "ko")
    token = csrf_token(client, "/")
    _, wrong = check(client, "2", token)
    assert wrong["correct"] is False and "아쉽습니다" in wrong["verdict"]
