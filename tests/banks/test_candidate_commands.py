"""A part may let candidates type named commands or matrix products (refused by default)."""

from __future__ import annotations

from typing import Any

import pytest

from exam_engine import banks, grading
from exam_engine.banks.loader import check_data


def question(**part: Any) -> dict[str, Any]:
    return {
        "id": "derivative-by-command",
        "title": {"en": "Derivative", "ko": "도함수"},
        "topic": "calculus",
        "difficulty": 1,
        "body": {"en": "Let $f(x) = x^3$.", "ko": "$f(x) = x^3$이다."},
        "parts": [
            {
                "key": "a",
                "prompt": {"en": "Find $f'(x)$.", "ko": "$f'(x)$를 구하시오."},
                "input": "algebraic",
                "answer": "3*x^2",
                "variables": ["x"],
                **part,
            }
        ],
        "tests": [
            {"part": "a", "response": "3*x^2", "expected": 1},
            {"part": "a", "response": "x^2", "expected": 0},
        ],
    }


def grade(data: dict[str, Any], response: str) -> grading.GradeResult:
    variant = banks.instantiate(banks.question_from_data(data), 1)
    part = variant.parts[0]
    return grading.grade_part(response, list(part.rules), part.settings)


def test_commands_are_refused_by_default() -> None:
    result = grade(question(), "diff(x^3, x)")
    assert result.score == 0 and result.error


def test_a_part_can_allow_named_commands() -> None:
    data = question(allowed_commands=["diff"])
    assert grade(data, "diff(x^3, x)").score == 1
    assert grade(data, "integrate(3*x^2, x)").error  # only the named ones


@pytest.mark.parametrize(
    ("field", "value"),
    [("allowed_commands", "diff"), ("allowed_commands", ["1bad"]), ("allow_matrix_product", "yes")],
)
def test_bad_settings_are_named(field: str, value: Any) -> None:
    problems = check_data(question(**{field: value})).problems
    assert any(field in str(p) for p in problems), problems


def test_a_prompt_may_show_the_commands_its_part_allows() -> None:
    """``banks validate`` checks each code span a prompt shows against the part's own input:
    with the command allowed, showing it is no issue; without, it is named."""
    from exam_engine.banks.quality import check_shown_syntax

    def shown(**part: Any) -> list[Any]:
        data = question(**part)
        data["parts"][0]["prompt"] = {
            "en": "Find $f'(x)$; you may type `diff(x^3, x)`.",
            "ko": "$f'(x)$를 구하시오. `diff(x^3, x)`처럼 입력해도 됩니다.",
        }
        return check_shown_syntax(banks.question_from_data(data))

    assert shown(allowed_commands=["diff"]) == []
    refused = shown()
    assert len(refused) == 2 and all("diff(x^3, x)" in message for _, message in refused)
