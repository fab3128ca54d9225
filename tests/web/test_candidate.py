"""The candidate's path over HTTP: invitation, start, saves, submit, receipt; and bad input."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from exam_engine.services import attempts
from exam_engine.services import questions as question_service
from tests.conftest import csrf_token
from tests.factories import make_exam, make_invitation, start

FORBIDDEN_KEYS = {"answer", "model_answer", "rules", "tests", "options"}


def keys_of(data: Any) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in keys_of(v)}
    if isinstance(data, list):
        return {k for v in data for k in keys_of(v)}
    return set()


def headers(client: FlaskClient, attempt_id: int) -> dict[str, str]:
    return {"X-CSRFToken": csrf_token(client, f"/attempts/{attempt_id}")}


def test_full_sitting_to_receipt(app: Flask, client: FlaskClient) -> None:
    invitation = make_invitation(make_exam())
    page = client.get(f"/i/{invitation.token}")
    assert page.status_code == 200 and "Start the exam" in page.get_data(as_text=True)
    attempt_id = start(client, invitation)
    state = client.get(f"/api/attempts/{attempt_id}").get_json()
    assert state["status"] == "open" and state["server_now"] and state["deadline"]
    part = next(
        p["key"]
        for q in state["questions"]
        for p in q["parts"]
        if p["input"] in ("algebraic", "numeric")
    )
    h = headers(client, attempt_id)
    saved = client.put(
        f"/api/attempts/{attempt_id}/answers/{part}", json={"value": "2/3", "seq": 1}, headers=h
    )
    assert saved.status_code == 200, saved.get_data(as_text=True)
    body = saved.get_json()
    # One request per keystroke burst: the save answers with the echo of what it kept.
    assert body["seq"] == 1 and body["validation"]["valid"] is True
    assert "<math" in body["validation"]["mathml"] and body["validation"]["message"] is None
    echo = client.post(
        "/api/validate",
        json={"value": "2/3", "attempt_id": attempt_id, "part_key": part},
        headers=h,
    ).get_json()
    assert echo["valid"] is True
    assert client.get(f"/api/attempts/{attempt_id}").get_json()["answers"][part]["value"] == "2/3"
    stale = client.put(
        f"/api/attempts/{attempt_id}/answers/{part}", json={"value": "3", "seq": 0}, headers=h
    )
    assert stale.status_code == 409
    first = client.post(f"/api/attempts/{attempt_id}/submit", headers=h).get_json()
    again = client.post(f"/api/attempts/{attempt_id}/submit", headers=h).get_json()
    assert first["receipt"] == again["receipt"] and len(first["receipt"]) == 64
    receipt = client.get(f"/attempts/{attempt_id}/receipt").get_data(as_text=True)
    assert first["receipt"] in receipt
    late = client.put(
        f"/api/attempts/{attempt_id}/answers/{part}", json={"value": "4", "seq": 5}, headers=h
    )
    assert late.status_code == 409


def test_answer_keys_never_reach_the_candidate(app: Flask) -> None:
    exam = make_exam()
    checked = 0
    # Several candidates, so that some draw holds keys the paper does not print (below).
    for n in range(8):
        client = app.test_client()
        attempt_id = start(client, make_invitation(exam, f"cand{n}@example.org"))
        raw = client.get(f"/api/attempts/{attempt_id}").get_data(as_text=True)
        page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
        assert not keys_of(json.loads(raw)) & FORBIDDEN_KEYS
        attempt = attempts.get_attempt(attempt_id)
        variants = [question_service.variant(i.version, i.variant_seed) for i in attempt.questions]
        # What the questions themselves print may coincide with a key for some draws (a prompt
        # showing "x + 1" whose answer is "x + 1", or another question's example "[[1, 2], [0, 1]]"
        # holding a matrix's "[0, 1]"); that is the paper, not a leak.
        shown = "".join(v.body_html + "".join(p.prompt_html for p in v.parts) for v in variants)
        for variant in variants:
            for part in variant.parts:
                secrets = {part.model_answer, *(rule.answer for rule in part.rules)}
                for secret in secrets:
                    if len(secret) >= 5 and secret not in shown:  # short keys occur in any page
                        checked += 1
                        assert secret not in raw
                        assert secret not in page
    assert checked > 0


def test_bad_invitation_and_other_attempts_are_404(app: Flask, client: FlaskClient) -> None:
    exam = make_exam()
    assert client.get("/i/not-a-token").status_code == 404
    assert client.get("/i/" + "x" * 5000).status_code == 404
    other = make_invitation(exam, "other@example.org")
    other_id = start(app.test_client(), other)
    mine = start(client, make_invitation(exam, "me@example.org"))
    assert client.get(f"/api/attempts/{other_id}").status_code == 404
    assert client.get(f"/attempts/{other_id}").status_code == 404
    assert client.get(f"/api/attempts/{mine}").status_code == 200
    assert client.get("/committee/").status_code in (302, 404)
    assert client.get("/api/attempts/999999").status_code == 404


def test_malformed_and_oversized_saves_are_400(app: Flask, client: FlaskClient) -> None:
    attempt_id = start(client, make_invitation(make_exam()))
    state = client.get(f"/api/attempts/{attempt_id}").get_json()
    part = state["questions"][0]["parts"][0]["key"]
    url = f"/api/attempts/{attempt_id}/answers/{part}"
    h = headers(client, attempt_id)
    bad = [
        client.put(url, data="{not json", headers={**h, "Content-Type": "application/json"}),
        client.put(url, json={"value": 3, "seq": 1}, headers=h),
        client.put(url, json={"value": "x", "seq": "1"}, headers=h),
        client.put(url, json={"value": "x" * 20_000, "seq": 1}, headers=h),
        client.put(url, json={"value": "x\x00", "seq": 1}, headers=h),
        client.put(url, json=["x"], headers=h),
    ]
    for response in bad:
        assert response.status_code == 400, response.get_data(as_text=True)
        assert response.get_json()["message"]
    assert (
        client.put(
            f"/api/attempts/{attempt_id}/answers/q99-z", json={"value": "1", "seq": 1}, headers=h
        ).status_code
        == 404
    )
    huge = client.put(url, data="x" * (3 * 1024 * 1024), headers=h)
    assert huge.status_code == 413
    assert part not in client.get(f"/api/attempts/{attempt_id}").get_json()["answers"]


def test_json_writes_need_the_csrf_token(app: Flask, client: FlaskClient) -> None:
    attempt_id = start(client, make_invitation(make_exam()))
    state = client.get(f"/api/attempts/{attempt_id}").get_json()
    part = state["questions"][0]["parts"][0]["key"]
    response = client.put(
        f"/api/attempts/{attempt_id}/answers/{part}", json={"value": "1", "seq": 1}
    )
    assert response.status_code == 400 and response.get_json()["error"] == "csrf"
    assert client.post(f"/api/attempts/{attempt_id}/submit").status_code == 400
    assert client.post("/i/whatever/start").status_code == 400


def test_validate_echo_explains_invalid_input(app: Flask, client: FlaskClient) -> None:
    h = {"X-CSRFToken": csrf_token(client)}
    good = client.post("/api/validate", json={"value": "x^2/2"}, headers=h).get_json()
    assert good["valid"] and "<math" in good["mathml"]
    bad = client.post("/api/validate", json={"value": "(x+1"}, headers=h).get_json()
    assert not bad["valid"] and bad["message"]


def test_integrity_events_are_stored(app: Flask, client: FlaskClient) -> None:
    attempt_id = start(client, make_invitation(make_exam()))
    h = headers(client, attempt_id)
    ok = client.post(f"/api/attempts/{attempt_id}/events", json={"kind": "paste"}, headers=h)
    assert ok.status_code == 201
    bad = client.post(f"/api/attempts/{attempt_id}/events", json={"kind": "rm -rf"}, headers=h)
    assert bad.status_code == 400
