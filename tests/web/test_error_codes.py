"""One domain error hierarchy: every error's code is snake_case and the JSON body carries it."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from exam_engine.errors import DomainError


def _all(cls: type[DomainError]) -> list[type[DomainError]]:
    return [cls, *(s for sub in cls.__subclasses__() for s in _all(sub))]


def test_every_domain_error_has_a_snake_case_code(app: Flask) -> None:
    errors = _all(DomainError)  # the app imported every module that defines one
    assert len(errors) >= 15
    codes = {e.code for e in errors}
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", c) for c in codes), codes
    # Only the two spellings the published sitting API fixed differ from the code.
    legacy = {e.legacy_error for e in errors if e.legacy_error}
    assert legacy == {"deadline passed", "attempt closed"}


def test_http_errors_under_the_api_answer_json_with_a_code(client: FlaskClient) -> None:
    missing = client.get("/api/no-such-thing")
    assert missing.status_code == 404
    assert missing.get_json()["code"] == missing.get_json()["error"] == "not_found"
    wrong = client.delete("/api/validate")
    assert wrong.status_code == 405 and wrong.get_json()["code"] == "method_not_allowed"
