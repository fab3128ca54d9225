"""Issue #11, point 6: bounded inputs. Integrity events stop at the close and at their caps;
``seq`` fits a 64-bit column; every malformed value is a 4xx with a message."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from exam_engine.extensions import db
from exam_engine.models import IntegrityEvent, Response
from exam_engine.services import integrity
from tests.conftest import csrf_token
from tests.factories import make_exam, make_invitation, start


def begin(client: FlaskClient) -> tuple[int, dict[str, str], str]:
    """A started attempt, the page's headers and one of its parts."""
    attempt_id = start(client, make_invitation(make_exam()))
    h = {"X-CSRFToken": csrf_token(client, f"/attempts/{attempt_id}")}
    state = client.get(f"/api/attempts/{attempt_id}").get_json()
    return attempt_id, h, state["questions"][0]["parts"][0]["key"]


def events_stored(attempt_id: int) -> int:
    return db.session.scalar(
        select(func.count(IntegrityEvent.id)).where(IntegrityEvent.attempt_id == attempt_id)
    )


def test_seq_fits_64_bits_and_anything_else_is_a_400(app: Flask, client: FlaskClient) -> None:
    attempt_id, h, part = begin(client)
    url = f"/api/attempts/{attempt_id}/answers/{part}"
    top = 2**63 - 1
    for seq in (2**63, 2**64 + 5, -1, 10**30):
        res = client.put(url, json={"value": "x", "seq": seq}, headers=h)
        assert res.status_code == 400, (seq, res.get_data(as_text=True))
        assert "2^63" in res.get_json()["message"]
    for body in ({"value": "x", "seq": 1.5}, {"value": "x", "seq": True}, {"value": "x"}):
        res = client.put(url, json=body, headers=h)
        assert res.status_code == 400 and res.get_json()["message"], body
    res = client.put(url, data="[1", headers={**h, "Content-Type": "application/json"})
    assert res.status_code == 400 and res.get_json()["message"]
    saved = client.put(url, json={"value": "x+1", "seq": top}, headers=h)
    assert saved.status_code == 200 and saved.get_json()["seq"] == top
    stored = db.session.scalars(select(Response).where(Response.attempt_id == attempt_id)).one()
    assert stored.seq == top and stored.value == "x+1"
    # The biggest seq is the last one a part can take: a lower one is stale, not an error.
    assert client.put(url, json={"value": "y", "seq": top - 1}, headers=h).status_code == 409


@pytest.mark.parametrize(
    "body",
    [
        {"events": "paste"},
        {"events": []},
        {"events": [{"kind": "paste"}] * (integrity.MAX_PER_REQUEST + 1)},
        {"events": ["paste"]},
        {"kind": "rm -rf"},
        {"kind": "paste", **{f"k{n}": n for n in range(integrity.MAX_DETAILS + 1)}},
        {"kind": "paste", "k" * (integrity.MAX_KEY_CHARS + 1): 1},
        {"kind": "paste", "part": "x" * (integrity.MAX_VALUE_CHARS + 1)},
        {"kind": "paste", "part": {"nested": "object"}},
        {"kind": "paste", "part": [1, 2]},
        {"kind": "paste", "n": 2**70},
    ],
)
def test_malformed_events_are_400_with_a_message(
    app: Flask, client: FlaskClient, body: dict[str, Any]
) -> None:
    attempt_id, h, _ = begin(client)
    res = client.post(f"/api/attempts/{attempt_id}/events", json=body, headers=h)
    assert res.status_code == 400, res.get_data(as_text=True)
    assert res.get_json()["message"]
    assert events_stored(attempt_id) == 0


def test_events_within_bounds_are_kept_as_sent(app: Flask, client: FlaskClient) -> None:
    attempt_id, h, part = begin(client)
    body = {"kind": "paste", "part": part, "chars": 12, "ok": True, "x": None}
    assert (
        client.post(f"/api/attempts/{attempt_id}/events", json=body, headers=h).status_code == 201
    )
    event = db.session.scalars(
        select(IntegrityEvent).where(IntegrityEvent.attempt_id == attempt_id)
    ).one()
    assert event.kind == "paste" and event.details == {
        "part": part,
        "chars": 12,
        "ok": True,
        "x": None,
    }


def test_events_are_refused_once_the_attempt_is_closed(app: Flask, client: FlaskClient) -> None:
    attempt_id, h, _ = begin(client)
    assert client.post(f"/api/attempts/{attempt_id}/submit", headers=h).status_code == 200
    url = f"/api/attempts/{attempt_id}/events"
    for _ in range(3):
        res = client.post(url, json={"events": [{"kind": "focus_lost"}] * 100}, headers=h)
        assert res.status_code == 409 and res.get_json()["error"] == "attempt closed"
        assert res.get_json()["message"]
    assert events_stored(attempt_id) == 0


def test_events_are_capped_per_minute_and_per_attempt(app: Flask, client: FlaskClient) -> None:
    attempt_id, h, _ = begin(client)
    url = f"/api/attempts/{attempt_id}/events"
    batch = {"events": [{"kind": "focus_lost"}] * 60}
    assert client.post(url, json=batch, headers=h).status_code == 201
    assert client.post(url, json=batch, headers=h).status_code == 201
    refused = client.post(url, json={"kind": "paste"}, headers=h)
    assert refused.status_code == 429 and refused.get_json()["message"]
    assert events_stored(attempt_id) == integrity.MAX_PER_MINUTE
    minutes = 0
    while True:  # every minute, as much as the minute's cap lets through
        minutes += 1
        app.config["CLOCK_OFFSET_SECONDS"] = 61 * minutes
        first = client.post(url, json=batch, headers=h).status_code
        if first == 429:  # refused at the start of a fresh minute: the attempt's own cap
            break
        assert first == 201 and client.post(url, json=batch, headers=h).status_code == 201
        assert minutes < 20, "the per-attempt cap never came"
    stored = events_stored(attempt_id)
    assert integrity.MAX_PER_ATTEMPT - len(batch["events"]) < stored <= integrity.MAX_PER_ATTEMPT
    while events_stored(attempt_id) < integrity.MAX_PER_ATTEMPT:  # single events still fit
        assert client.post(url, json={"kind": "paste"}, headers=h).status_code == 201
    app.config["CLOCK_OFFSET_SECONDS"] = 61 * (minutes + 1)
    res = client.post(url, json={"kind": "paste"}, headers=h)
    assert res.status_code == 429 and res.get_json()["message"]
    assert events_stored(attempt_id) == integrity.MAX_PER_ATTEMPT
