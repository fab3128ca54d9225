"""Answered means valid (issue 11, point 4): the page, the API and the receipt tell "answered",
"answer not accepted (reason)" and "empty" apart, by the rules grading applies."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from exam_engine import grading
from exam_engine.api.echo import answer_state
from exam_engine.grading import PartSettings, Rule
from exam_engine.services import attempts as attempt_service
from tests.conftest import csrf_token
from tests.factories import make_exam, make_invitation, start

VALID = {
    "algebraic": "2/3",
    "numeric": "1/2",
    "matrix": "[[1,0],[0,1]]",
    "set": "{1,2}",
    "equation": "y=1",
    "interval": "[0,1]",
    "string": "yes",
}
CASES = [
    ("[2,2,2]", PartSettings(input_type="matrix"), "invalid"),
    ("[[2,2],[2,2]]", PartSettings(input_type="matrix"), "answered"),
    ("9.5", PartSettings(input_type="numeric", allow_floats=False), "invalid"),
    ("19/2", PartSettings(input_type="numeric", allow_floats=False), "answered"),
    ("(x+1", PartSettings(), "invalid"),
    ("sinx", PartSettings(variables=("x",)), "invalid"),
    ("x^2-1", PartSettings(), "answered"),
    ("b", PartSettings(input_type="choice", choices=("a", "b")), "answered"),
    ("a,b", PartSettings(input_type="choice", choices=("a", "b")), "invalid"),
    ("z", PartSettings(input_type="multichoice", choices=("a", "b")), "invalid"),
    ("", PartSettings(input_type="multichoice", choices=("a", "b")), "empty"),
    ("   ", PartSettings(), "empty"),
]


def graded_invalid(value: str, settings: PartSettings, rules: list[Rule]) -> tuple[bool, str]:
    """Whether grading refuses ``value`` as invalid (never graded), and its message."""
    result = grading.get_pool().grade_part(value, rules, settings)
    return result.note.startswith("invalid:"), result.error or ""


@pytest.mark.parametrize(("value", "settings", "expected"), CASES)
def test_the_state_is_gradings_own_verdict(
    app: Flask, value: str, settings: PartSettings, expected: str
) -> None:
    state = answer_state(value, settings)
    assert state["state"] == expected
    refused, message = graded_invalid(value, settings, [Rule("AlgEquiv", "1")])
    assert refused == (expected != "answered")
    if expected == "invalid":
        assert state["message"] == message and message


def part_states(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-part="([^"]+)"[^>]*?data-state="(\w+)"', page, flags=re.S))


def test_page_api_and_receipt_agree_with_grading(app: Flask, client: FlaskClient) -> None:
    attempt_id = start(client, make_invitation(make_exam()))
    h = {"X-CSRFToken": csrf_token(client, f"/attempts/{attempt_id}")}
    refs = attempt_service.parts_of(attempt_service.get_attempt(attempt_id))
    typed: dict[str, str] = {}
    # Each kind of part takes its values in turn, counted among its own kind: every draw has
    # at least two typed parts (invalid, answered) and a choice or a third typed part (empty).
    # Counted over all parts, the draw's choice parts could take every "(" slot, or every
    # blank one.
    turn = {"choice": 0, "typed": 0}
    for key, ref in refs.items():
        kind = ref.part.input_type
        if kind in ("choice", "multichoice"):
            value = ["", ref.part.choices[0][0]][turn["choice"] % 2]
            turn["choice"] += 1
        else:
            value = ["(", VALID[kind], "", None][turn["typed"] % 4]
            turn["typed"] += 1
        if value is not None:
            typed[key] = value
            url = f"/api/attempts/{attempt_id}/answers/{key}"
            assert client.put(url, json={"value": value, "seq": 1}, headers=h).status_code == 200
    expected = {}
    for key, ref in refs.items():
        value = typed.get(key, "")
        refused, _message = graded_invalid(value, ref.part.settings, ref.part.rules)
        expected[key] = "empty" if not value.strip() else "invalid" if refused else "answered"
    assert {"answered", "invalid", "empty"} <= set(expected.values())

    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert part_states(page) == expected
    api = client.get(f"/api/attempts/{attempt_id}").get_json()["states"]
    assert {key: s["state"] for key, s in api.items()} == expected
    assert all(s["message"] for s in api.values() if s["state"] == "invalid")
    shown = re.findall(
        r'class="echo invalid"[^>]*>\s*<span aria-hidden="true">⚠ </span>Not accepted: ', page
    )
    text_parts = [
        k for k, ref in refs.items() if ref.part.input_type not in ("choice", "multichoice")
    ]
    assert len(shown) == [expected[k] for k in text_parts].count("invalid")

    client.post(f"/api/attempts/{attempt_id}/submit", headers=h)
    receipt = client.get(f"/attempts/{attempt_id}/receipt").get_data(as_text=True)
    rows = re.findall(r'<tr data-state="(\w+)">', receipt)
    assert rows == list(expected.values())  # one row per part, in the exam's order
    answered = list(expected.values()).count("answered")
    assert re.search(rf'<span id="answered">{answered}</span> / {len(expected)}', receipt)
    invalid = list(expected.values()).count("invalid")
    assert f'<dd id="not-accepted">{invalid}</dd>' in receipt
    for value in typed.values():
        if value.strip():
            assert f"<code>{html.escape(value)}</code>" in receipt
