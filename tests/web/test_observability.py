"""Request ids, one log line per request, a logged JSON 500 under /api/, and /healthz."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from exam_engine.extensions import db
from exam_engine.models import Exam
from tests.conftest import broker, make_app


def test_every_response_carries_a_request_id_and_is_logged(
    client: FlaskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    first = client.get("/")
    given = client.get("/", headers={"X-Request-Id": "proxy-id-12345"})
    hostile = client.get("/", headers={"X-Request-Id": "<script> id with spaces"})
    assert len(first.headers["X-Request-Id"]) == 16
    assert given.headers["X-Request-Id"] == "proxy-id-12345"
    assert hostile.headers["X-Request-Id"] != "<script> id with spaces"
    log = capsys.readouterr().err
    assert f"[{first.headers['X-Request-Id']}] exam_engine.requests: GET / 200" in log
    assert "[proxy-id-12345] exam_engine.requests: GET / 200" in log


def test_a_crash_under_api_is_a_logged_json_500_and_rolled_back(
    databases: object, capsys: pytest.CaptureFixture[str]
) -> None:
    app: Flask = make_app(databases.fresh("sqlite"))  # type: ignore[attr-defined]

    @app.get("/api/_crash")
    def crash() -> str:
        db.session.add(Exam(slug="half-made"))
        raise RuntimeError("a bug")

    @app.get("/_crash")
    def crash_page() -> str:
        raise RuntimeError("a bug on a page")

    client = app.test_client()
    response = client.get("/api/_crash")
    page = client.get("/_crash")
    assert response.status_code == 500 and response.is_json
    body = response.get_json()
    assert body["error"] == "internal" and body["request_id"] == response.headers["X-Request-Id"]
    assert "a bug" not in response.get_data(as_text=True)
    assert page.status_code == 500 and "text/html" in page.content_type
    log = capsys.readouterr().err
    assert f"[{body['request_id']}] exam_engine.errors: unhandled error on GET /api/_crash" in log
    assert "RuntimeError: a bug" in log  # the traceback is in the log, not on the page
    with app.app_context():
        assert db.session.query(Exam).filter_by(slug="half-made").count() == 0


def test_healthz_names_each_dependency(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "grading": "ok",
    }


def test_healthz_is_503_when_the_broker_is_down(databases: object, tmp_path: object) -> None:
    app = make_app(
        databases.fresh("sqlite"),  # type: ignore[attr-defined]
        BROKER_URL=f"redis+socket://{tmp_path}/nothing-here.sock",
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["broker"] != "ok" and response.get_json()["database"] == "ok"
    assert broker().client().ping()  # the real broker is unaffected
