"""The server owns the end (issue 11, point 2): the heartbeat and every save bring the deadline
as it stands, and the page's finalise request closes an attempt only once its deadline (with
any time added) has really passed."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient

from exam_engine import clock
from exam_engine.extensions import db
from exam_engine.models import Attempt, AttemptStatus, AuditEntry, Response
from exam_engine.services import attempts as attempt_service
from exam_engine.services.accommodations import add_time
from tests.conftest import csrf_token
from tests.factories import make_exam, make_invitation, make_staff, start, text_part


def opened(client: FlaskClient) -> tuple[int, str, dict[str, str]]:
    """A started attempt: its id, a text part's key and the page's headers (saves store any
    text, valid or not)."""
    attempt_id = start(client, make_invitation(make_exam()))
    part = text_part(client, attempt_id)
    return attempt_id, part, {"X-CSRFToken": csrf_token(client, f"/attempts/{attempt_id}")}


def attempt_row(attempt_id: int) -> Attempt:
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt is not None
    return attempt


def give_time(attempt_id: int, minutes: int) -> datetime:
    """The committee adds time (the real service, committed); returns the new deadline."""
    attempt = attempt_row(attempt_id)
    add_time(attempt, minutes, make_staff("committee"), "fire alarm", clock.now())
    db.session.commit()
    return attempt.deadline_at


def at(app: Flask, attempt_id: int, seconds_from_deadline: float) -> None:
    """Move the server's clock to the attempt's deadline plus ``seconds_from_deadline``."""
    attempt = attempt_row(attempt_id)
    app.config["CLOCK_OFFSET_SECONDS"] = 0
    left = (attempt.deadline_at - clock.now()).total_seconds()
    app.config["CLOCK_OFFSET_SECONDS"] = left + seconds_from_deadline


def test_the_heartbeat_brings_added_time_and_writes_nothing(
    app: Flask, client: FlaskClient
) -> None:
    attempt_id, _part, _h = opened(client)
    url = f"/api/attempts/{attempt_id}/clock"
    first = client.get(url).get_json()
    assert first["status"] == "open"
    assert datetime.fromisoformat(first["deadline"]) == attempt_row(attempt_id).deadline_at
    moved = give_time(attempt_id, 10)
    second = client.get(url).get_json()
    assert datetime.fromisoformat(second["deadline"]) == moved
    assert datetime.fromisoformat(second["deadline"]) - datetime.fromisoformat(
        first["deadline"]
    ) == timedelta(minutes=10)
    # Past the deadline and its grace the heartbeat says so, and still writes nothing.
    at(app, attempt_id, 31)
    audits = db.session.query(AuditEntry).count()
    assert client.get(url).get_json()["status"] == "expired"
    assert attempt_row(attempt_id).status == AttemptStatus.OPEN
    assert db.session.query(AuditEntry).count() == audits


def test_the_heartbeat_is_only_for_the_attempts_own_browser(
    app: Flask, client: FlaskClient
) -> None:
    attempt_id, _part, _h = opened(client)
    stranger = app.test_client()
    assert stranger.get(f"/api/attempts/{attempt_id}/clock").status_code == 404
    assert client.get("/api/attempts/999999/clock").status_code == 404


def test_every_save_brings_the_deadline_as_it_stands(app: Flask, client: FlaskClient) -> None:
    attempt_id, part, h = opened(client)
    url = f"/api/attempts/{attempt_id}/answers/{part}"
    before = client.put(url, json={"value": "x", "seq": 1}, headers=h).get_json()
    assert datetime.fromisoformat(before["deadline"]) == attempt_row(attempt_id).deadline_at
    assert before["server_now"]
    moved = give_time(attempt_id, 5)
    after = client.put(url, json={"value": "2*x", "seq": 2}, headers=h).get_json()
    assert datetime.fromisoformat(after["deadline"]) == moved


def test_finalise_before_the_deadline_keeps_the_attempt_open(
    app: Flask, client: FlaskClient
) -> None:
    attempt_id, _part, h = opened(client)
    at(app, attempt_id, -30)  # the page's clock ran fast: it asks half a minute early
    body = client.post(f"/api/attempts/{attempt_id}/finalise", headers=h).get_json()
    assert body["status"] == "open" and body["receipt"] is None
    assert datetime.fromisoformat(body["deadline"]) == attempt_row(attempt_id).deadline_at
    assert attempt_row(attempt_id).status == AttemptStatus.OPEN


def test_time_added_before_zero_keeps_the_attempt_open_past_the_old_deadline(
    app: Flask, client: FlaskClient
) -> None:
    attempt_id, part, h = opened(client)
    at(app, attempt_id, -20)
    moved = give_time(attempt_id, 10)
    # The page missed the news and reached zero on the old deadline; then the grace passed too.
    app.config["CLOCK_OFFSET_SECONDS"] += 20 + 45
    body = client.post(f"/api/attempts/{attempt_id}/finalise", headers=h).get_json()
    assert body["status"] == "open"
    assert datetime.fromisoformat(body["deadline"]) == moved
    saved = client.put(
        f"/api/attempts/{attempt_id}/answers/{part}", json={"value": "x+1", "seq": 1}, headers=h
    )
    assert saved.status_code == 200
    assert attempt_row(attempt_id).status == AttemptStatus.OPEN


def test_finalise_at_the_deadline_closes_with_the_answers_saved_in_time(
    app: Flask, client: FlaskClient
) -> None:
    attempt_id, part, h = opened(client)
    url = f"/api/attempts/{attempt_id}/answers/{part}"
    assert client.put(url, json={"value": "x/2", "seq": 1}, headers=h).status_code == 200
    at(app, attempt_id, 1)  # zero has passed; still inside the grace
    body = client.post(f"/api/attempts/{attempt_id}/finalise", headers=h).get_json()
    attempt = attempt_row(attempt_id)
    assert body["status"] == "expired" == attempt.status.value
    assert body["receipt"] == attempt.receipt == attempt_service.receipt_for(attempt)
    assert attempt.submitted_at == attempt.deadline_at
    assert attempt.grading_queued_at is not None
    stored = db.session.query(Response).filter_by(attempt_id=attempt_id).one()
    assert stored.value == "x/2"
    again = client.post(f"/api/attempts/{attempt_id}/finalise", headers=h).get_json()
    assert again["receipt"] == body["receipt"]
    late = client.put(url, json={"value": "x", "seq": 2}, headers=h)
    assert late.status_code == 409
    assert client.get(f"/api/attempts/{attempt_id}/clock").get_json()["status"] == "expired"


def test_finalise_after_a_submit_changes_nothing(app: Flask, client: FlaskClient) -> None:
    attempt_id, _part, h = opened(client)
    submitted = client.post(f"/api/attempts/{attempt_id}/submit", headers=h).get_json()
    at(app, attempt_id, 5)
    body = client.post(f"/api/attempts/{attempt_id}/finalise", headers=h).get_json()
    assert body["status"] == "submitted" and body["receipt"] == submitted["receipt"]


def test_a_stale_save_is_told_the_stored_value(app: Flask, client: FlaskClient) -> None:
    attempt_id, part, h = opened(client)
    url = f"/api/attempts/{attempt_id}/answers/{part}"
    newer = client.put(url, json={"value": "x^2", "seq": 2}, headers=h).get_json()
    for seq, value in ((1, "x"), (2, "x^3")):  # an older page; the same seq with another value
        refused = client.put(url, json={"value": value, "seq": seq}, headers=h)
        assert refused.status_code == 409
        body = refused.get_json()
        assert body["error"] == "stale" and body["message"]
        assert body["stored"] == {"value": "x^2", "seq": 2, "saved_at": newer["saved_at"]}
    # Keeping its own answer is a new save on top of the stored one.
    kept = client.put(url, json={"value": "x", "seq": 3}, headers=h)
    assert kept.status_code == 200
    assert client.get(f"/api/attempts/{attempt_id}").get_json()["answers"][part]["value"] == "x"


def test_the_time_added_notice_is_in_the_readers_language(app: Flask, client: FlaskClient) -> None:
    attempt_id, _part, _h = opened(client)

    def notice() -> dict[str, str]:
        page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
        found = re.search(
            r'<script type="application/json" id="sitting-text">(.*?)</script>', page, re.S
        )
        assert found
        added: dict[str, str] = json.loads(found.group(1))["added"]
        return added

    # One text per plural category of the language; the page picks one with Intl.PluralRules.
    assert notice() == {
        "one": "The committee gave you {n} more minute.",
        "other": "The committee gave you {n} more minutes.",
    }
    client.set_cookie("lang", "ko")
    assert notice() == {"other": "위원회가 시간을 {n}분 더 주었습니다."}
