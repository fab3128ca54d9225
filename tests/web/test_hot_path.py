"""The hot path (exam_engine/api/hot.py) answers the ordinary heartbeat and save itself and
hands everything else to the views: the same requests get the same answers and leave the same
rows with it on and off, and it does answer the ordinary ones."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from exam_engine.api.hot import HotPath
from exam_engine.extensions import db
from exam_engine.models import Attempt, IntegrityEvent, Response
from exam_engine.models import ResponseHistory as History
from tests.conftest import csrf_token
from tests.factories import login, make_exam, make_invitation, make_staff, start, text_part

TIMES = ("saved_at", "server_now", "deadline", "submitted_at")


def hot_path(app: Flask) -> HotPath:
    hot = app.extensions["exam_engine.hot_path"]
    assert isinstance(hot, HotPath)
    return hot


def scenario(client: FlaskClient, attempt_id: int, other_attempt: int) -> list[Any]:
    """One page's life, ordinary and not: what each request got, times left out."""
    part = text_part(client, attempt_id)
    token = csrf_token(client, f"/attempts/{attempt_id}")
    page = {"X-CSRFToken": token, "X-Client-Id": "page-one"}
    url = f"/api/attempts/{attempt_id}/answers/{part}"

    def save(value: Any, seq: Any, headers: dict[str, str] = page, **extra: Any) -> Any:
        return client.put(url, json={"value": value, "seq": seq}, headers=headers, **extra)

    answers = [
        client.get(f"/api/attempts/{attempt_id}/clock"),
        save("x+1", 1),  # the first save: the exam page (csrf_token) kept its parts
        save("x+2", 2),
        save("x+2", 2),  # a retry: acknowledged again
        save("x+3", 3),
        client.get(f"/api/attempts/{attempt_id}/clock"),
        save("old", 1),  # stale
        save("x+4", 4, {"X-CSRFToken": "forged", "X-Client-Id": "page-one"}),
        save("x+4", 4, {"X-Client-Id": "page-one"}),  # no token
        client.put(url, data="{not json", headers=page, content_type="application/json"),
        client.put(url, data=json.dumps({"value": "x", "seq": 5}), headers=page),  # no type
        save("x+5", True),
        save("x" * 6000, 5),
        save("a\x00b", 5),
        save("x+5", 2**63),
        client.put(
            f"/api/attempts/{attempt_id}/answers/q99-none",
            json={"value": "1", "seq": 1},
            headers=page,
        ),
        client.get(f"/api/attempts/{other_attempt}/clock"),  # another candidate's
        client.put(
            f"/api/attempts/{other_attempt}/answers/{part}",
            json={"value": "1", "seq": 9},
            headers=page,
        ),
        save("x+6", 6, {"X-CSRFToken": token, "X-Client-Id": "page-two"}),  # a second browser
        save("x+7", 7, {"X-CSRFToken": token, "X-Client-Id": "page-two"}),
    ]
    submitted = client.post(f"/api/attempts/{attempt_id}/submit", headers=page)
    answers += [submitted, save("x+8", 8), client.get(f"/api/attempts/{attempt_id}/clock")]
    # The two candidates drew different questions: the echoes (by the part's kind) are
    # compared in test_saves_echo_the_same_with_the_hot_path_on_and_off.
    return [_plain(answer, echo=False) for answer in answers]


def _plain(answer: Any, echo: bool = True) -> tuple[int, Any]:
    body = _timeless(answer.get_json(silent=True))
    if not echo and isinstance(body, dict) and body.get("validation"):
        body["validation"] = "<echo>"
    return answer.status_code, body


def _timeless(body: Any) -> Any:
    if not isinstance(body, dict):
        return body
    body = {k: ("<time>" if k in TIMES and v else _timeless(v)) for k, v in body.items()}
    body.pop("receipt", None)
    return body


def rows(attempt_id: int) -> list[Any]:
    db.session.expire_all()
    stored = db.session.execute(  # the part keys differ with the draw: values and seqs
        select(Response.value, Response.seq).where(Response.attempt_id == attempt_id)
    ).all()
    history = db.session.execute(
        select(History.value, History.seq)
        .where(History.attempt_id == attempt_id)
        .order_by(History.id)
    ).all()
    events = db.session.scalars(
        select(IntegrityEvent.kind).where(IntegrityEvent.attempt_id == attempt_id)
    ).all()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt is not None
    return [
        [tuple(r) for r in stored],
        [tuple(h) for h in history],
        sorted(events),
        attempt.status,
        attempt.client_id,
    ]


def on_and_off(
    app: Flask, name: str, run: Callable[[FlaskClient, int, int], Any]
) -> dict[bool, tuple[Any, int]]:
    """``run(client, attempt_id, other_attempt)`` for a new candidate with the hot path on, then
    off: by setting, what it returned and how many requests the hot path answered meanwhile."""
    exam = make_exam()
    other = start(app.test_client(), make_invitation(exam, "other@example.org"))
    seen = {}
    for hot in (True, False):
        app.config["HOT_PATH"] = hot
        client = app.test_client()
        attempt_id = start(client, make_invitation(exam, f"{name}-{hot}@example.org"))
        served = hot_path(app).served
        result = run(client, attempt_id, other)
        seen[hot] = (result, hot_path(app).served - served)
    return seen


def test_same_answers_and_rows_with_the_hot_path_on_and_off(app: Flask) -> None:
    seen = on_and_off(
        app,
        "save",
        lambda client, attempt_id, other: (
            scenario(client, attempt_id, other),
            rows(attempt_id),
        ),
    )
    # The three heartbeats and the ordinary saves (the first, seq 2 twice, 3, 6 and 7): the
    # exam page worked out the attempt's parts in this process as it showed their states, so
    # even the first save is served; every refusal went to the view.
    assert seen[True][1] == 9
    assert seen[False][1] == 0
    seen = {hot: result for hot, (result, _) in seen.items()}
    assert seen[True][0] == seen[False][0]
    assert seen[True][1] == seen[False][1]
    statuses = [status for status, _ in seen[True][0]]
    assert statuses[:6] == [200] * 6
    assert 409 in statuses and 400 in statuses and 404 in statuses
    assert "second_session" in seen[True][1][2]  # written by the hot path too


def test_its_answers_carry_the_same_headers_as_the_views(app: Flask) -> None:
    exam = make_exam()
    client = app.test_client()
    attempt_id = start(client, make_invitation(exam))
    url = f"/api/attempts/{attempt_id}/clock"
    served = hot_path(app).served
    fast = client.get(url, headers={"X-Request-Id": "request-00000001"})
    assert hot_path(app).served == served + 1
    app.config["HOT_PATH"] = False
    slow = client.get(url)
    for name in (
        "Content-Type",
        "Cache-Control",
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "Referrer-Policy",
    ):
        assert fast.headers[name] == slow.headers[name], name
    assert fast.headers["X-Request-Id"] == "request-00000001"
    assert "Set-Cookie" not in fast.headers
    assert fast.get_json().keys() == slow.get_json().keys()


def echoing_saves(client: FlaskClient, attempt_id: int, other_attempt: int) -> list[Any]:
    """Saves whose answers carry the validation echo, accepted and refused, in English and in
    Korean by each of the ways a reader chooses: what each got."""
    state = client.get(f"/api/attempts/{attempt_id}").get_json()
    part = next(  # "1/2" and "3/4" are accepted by both kinds, as they are
        p["key"]
        for q in state["questions"]
        for p in q["parts"]
        if p["input"] in ("algebraic", "numeric")
    )
    page = {"X-CSRFToken": csrf_token(client, f"/attempts/{attempt_id}")}
    url = f"/api/attempts/{attempt_id}/answers/{part}"
    seq = iter(range(1, 100))

    def save(value: str, headers: dict[str, str] | None = None) -> Any:
        body = {"value": value, "seq": next(seq)}
        return client.put(url, json=body, headers={**page, **(headers or {})})

    answers = [
        save("1/2"),  # accepted without a word
        save("(x+1"),  # not accepted: worded
        save("sinx(", {"Accept-Language": "ko"}),  # in the browser's language
        save("3/4", {"Accept-Language": "ko"}),
        save(""),  # blank: nothing to echo
        save("   "),
    ]
    client.set_cookie("lang", "ko")  # the reader's own choice, over the browser's
    answers.append(save("(x+1", {"Accept-Language": "en"}))
    client.delete_cookie("lang")
    staff = make_staff("admin", f"admin-{attempt_id}@example.org")
    staff.locale = "ko"
    db.session.commit()
    login(client, staff)  # a signed-in staff member's profile: the view decides
    answers.append(save("(x+1", {"Accept-Language": "en"}))
    return [_plain(answer) for answer in answers]


def test_saves_echo_the_same_with_the_hot_path_on_and_off(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save answers with the validation echo of what it kept, in the reader's words, and
    validates each value once; the hot path answers it as the view does."""
    from exam_engine import grading

    pool = grading.get_pool()
    asked: list[str] = []
    validate = pool.validate

    def counted(text: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(text)
        return validate(text, *args, **kwargs)

    monkeypatch.setattr(pool, "validate", counted)

    def run(client: FlaskClient, attempt_id: int, other: int) -> Any:
        asked.clear()
        answered = echoing_saves(client, attempt_id, other)
        assert sorted(asked) == sorted(["1/2", "(x+1", "sinx(", "3/4", "(x+1", "(x+1"])
        return answered

    seen = on_and_off(app, "echo", run)
    assert seen[True][1] == 7  # all but the staff member's
    assert seen[False][1] == 0
    seen = {hot: result for hot, (result, _) in seen.items()}
    assert seen[True] == seen[False]
    assert [status for status, _ in seen[True]] == [200] * 8
    echoes = [body["validation"] for _, body in seen[True]]
    hangul = re.compile(r"[\uac00-\ud7a3]")
    assert echoes[0]["valid"] is True and echoes[0]["message"] is None
    assert "<math" in echoes[0]["mathml"]
    assert echoes[1]["valid"] is False and echoes[1]["message"]
    assert not hangul.search(echoes[1]["message"])
    assert echoes[2]["valid"] is False and hangul.search(echoes[2]["message"])
    assert echoes[3]["valid"] is True and echoes[3]["message"] is None
    assert echoes[4] is None and echoes[5] is None
    assert echoes[6] == echoes[7] and hangul.search(echoes[6]["message"])
    assert echoes[6]["message"] != echoes[1]["message"]


@pytest.mark.parametrize("hot", [True, False])
def test_a_save_does_not_wait_for_a_busy_grading_pool(app: Flask, hot: bool) -> None:
    """With every grading process busy, the save is kept and answered at once, without its
    echo (the page then asks /api/validate); with one free again, the echo is back."""
    import threading
    import time

    from exam_engine import grading

    app.config["HOT_PATH"] = hot
    client = app.test_client()
    attempt_id = start(client, make_invitation(make_exam()))
    part = text_part(client, attempt_id)
    page = {"X-CSRFToken": csrf_token(client, f"/attempts/{attempt_id}")}
    url = f"/api/attempts/{attempt_id}/answers/{part}"
    pool = grading.get_pool()
    sleepers = [threading.Thread(target=pool.call, args=("_sleep", 1.5)) for _ in range(pool.size)]
    for sleeper in sleepers:
        sleeper.start()
    while pool._idle.qsize():  # every grading process is asleep
        time.sleep(0.01)
    busy = client.put(url, json={"value": "1/2", "seq": 1}, headers=page)
    for sleeper in sleepers:
        sleeper.join()
    assert busy.status_code == 200 and busy.get_json()["validation"] is None
    db.session.expire_all()
    kept = db.session.scalars(select(Response.value).where(Response.attempt_id == attempt_id))
    assert list(kept) == ["1/2"]
    free = client.put(url, json={"value": "1/2", "seq": 2}, headers=page)
    assert free.status_code == 200 and free.get_json()["validation"] is not None


def test_a_processs_first_save_of_an_attempt_is_served_too(app: Flask) -> None:
    """A process that has not seen the attempt (another gunicorn worker showed its page)
    works out its parts itself, as the view does, and serves the save."""
    from exam_engine.services import answers

    client = app.test_client()
    attempt_id = start(client, make_invitation(make_exam()))
    part = text_part(client, attempt_id)
    page = {"X-CSRFToken": csrf_token(client, f"/attempts/{attempt_id}")}
    answers.forget_parts()  # as in a process that never showed this attempt
    assert answers.kept_parts(app, attempt_id) is None
    served = hot_path(app).served
    saved = client.put(
        f"/api/attempts/{attempt_id}/answers/{part}",
        json={"value": "1/2", "seq": 1},
        headers=page,
    )
    assert saved.status_code == 200 and hot_path(app).served == served + 1
    assert answers.kept_parts(app, attempt_id) == answers.attempt_parts(attempt_id)
    unknown = client.put(
        f"/api/attempts/{attempt_id}/answers/q99-none",
        json={"value": "1/2", "seq": 1},
        headers=page,
    )
    assert unknown.status_code == 404 and hot_path(app).served == served + 1


def test_a_signed_value_is_verified_in_full_once_and_its_age_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The hot path's record of verified cookies and tokens: a value seen again is not signed
    again, but is still refused once too old; a forged one, or another key, is verified."""
    import time

    from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

    from exam_engine.api import hot

    made: list[str] = []

    def serializer(key: str) -> Callable[[], URLSafeTimedSerializer]:
        def make() -> URLSafeTimedSerializer:
            made.append(key)
            return URLSafeTimedSerializer(key, salt="s")

        return make

    token = URLSafeTimedSerializer("k1", salt="s").dumps("mine")
    verified = hot.Verified()
    assert verified.loads(serializer("k1"), "k1", token, 60) == "mine"
    assert verified.loads(serializer("k1"), "k1", token, 60) == "mine"
    assert made == ["k1"]  # the second time: its age only
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(BadSignature):
        verified.loads(serializer("k1"), "k1", forged, 60)
    with pytest.raises(BadSignature):  # another key: verified again, and refused
        verified.loads(serializer("k2"), "k2", token, 60)
    assert verified.loads(serializer("k1"), "k1", token, 60) == "mine"
    later = time.time() + 61
    monkeypatch.setattr(hot.time, "time", lambda: later)
    with pytest.raises(SignatureExpired):
        verified.loads(serializer("k1"), "k1", token, 60)
    assert verified.loads(serializer("k1"), "k1", token, None) == "mine"  # no limit


def test_a_dead_connection_leaves_the_save_to_the_view(app: Flask, engine: str) -> None:
    """On PostgreSQL the hot path's engine does not ping: when its connections die (the
    server restarted), the save it cannot make is made by the view, nothing is lost, and the
    next one is served by the hot path on a fresh connection. On SQLite it uses the app's."""
    from sqlalchemy import text

    from exam_engine.services import answers

    client = app.test_client()
    attempt_id = start(client, make_invitation(make_exam()))
    part = text_part(client, attempt_id)
    page = {"X-CSRFToken": csrf_token(client, f"/attempts/{attempt_id}")}
    url = f"/api/attempts/{attempt_id}/answers/{part}"
    hot = hot_path(app)
    assert client.put(url, json={"value": "1/2", "seq": 1}, headers=page).status_code == 200
    if engine == "sqlite":
        assert hot.engine() is db.engine
        return
    assert hot.engine() is not db.engine and not hot.engine().pool._pre_ping
    db.session.execute(  # every other connection to this database dies, the hot path's too
        text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    )
    db.session.commit()
    db.session.remove()
    served = hot.served
    saved = client.put(url, json={"value": "3/4", "seq": 2}, headers=page)
    assert saved.status_code == 200 and saved.get_json()["seq"] == 2
    assert hot.served == served  # the view made it
    again = client.put(url, json={"value": "5/6", "seq": 3}, headers=page)
    assert again.status_code == 200 and hot.served == served + 1
    assert answers.kept_parts(app, attempt_id) is not None
    history = db.session.scalars(
        select(History.value).where(History.attempt_id == attempt_id).order_by(History.id)
    ).all()
    assert history == ["1/2", "3/4", "5/6"]
