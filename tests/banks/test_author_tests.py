"""The author-test runner reports wrong expectations, per seed and part, and passes right ones."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from exam_engine.banks import Bank, BankError, question_from_data, run_author_tests

QUESTION: dict[str, Any] = {
    "id": "square",
    "title": "A square",
    "topic": "calculus",
    "difficulty": 1,
    "body": "Let $f(x) = x^{ {{a}} }$.",
    "parameters": {"a": "randint(2, 5)"},
    "parts": [
        {
            "key": "d",
            "prompt": "Find $f'(x)$.",
            "input": "algebraic",
            "variables": ["x"],
            "answer": "a*x^(a - 1)",
            "rules": [{"answer": "x^(a - 1)", "score": 0.25, "feedback": "Missing factor."}],
        }
    ],
    "tests": [
        {"part": "d", "response": "{{a}}*x^({{a}}-1)", "expected": 1},
        {"part": "d", "response": "{{answer}}", "expected": 1},
        {"part": "d", "response": "x^({{a}}-1)", "expected": 0.25},
        {"part": "d", "response": "x^{{a}}", "expected": 0},
    ],
}


def test_right_expectations_pass() -> None:
    assert run_author_tests(question_from_data(QUESTION), range(5)) == []


def test_wrong_expectation_is_reported_for_every_seed() -> None:
    data = copy.deepcopy(QUESTION)
    data["tests"][3]["expected"] = 1
    data["tests"][3]["note"] = "wrongly expects full marks"
    failures = run_author_tests(question_from_data(data), [0, 1, 2])
    assert [f.seed for f in failures] == [0, 1, 2]
    first = failures[0]
    assert (first.question, first.test, first.part, first.expected, first.got) == (
        "square",
        3,
        "d",
        1.0,
        0.0,
    )
    assert "wrongly expects full marks" in str(first)
    assert "scored 0, expected 1" in first.message


def test_a_seeded_test_runs_on_its_own_seed_only() -> None:
    data = copy.deepcopy(QUESTION)
    data["tests"] = [{"part": "d", "response": "0", "expected": 1, "seed": 77}]
    failures = run_author_tests(question_from_data(data), [0, 1])
    assert [f.seed for f in failures] == [77]


def test_invalid_response_expected_to_score_is_a_failure() -> None:
    data = copy.deepcopy(QUESTION)
    data["tests"] = [{"part": "d", "response": "2*x +", "expected": 1}]
    failures = run_author_tests(question_from_data(data), [0])
    assert len(failures) == 1 and "not graded" in failures[0].message


def test_question_from_data_validates() -> None:
    data = copy.deepcopy(QUESTION)
    data["parts"][0]["test"] = "NoSuchTest"
    with pytest.raises(BankError) as raised:
        question_from_data(data)
    assert [(p.file, p.question, p.field) for p in raised.value.problems] == [
        ("<data>", "square", "parts[0].test")
    ]


def test_model_answers_score_full_marks_on_many_seeds(sample_bank: Bank) -> None:
    """Independent of the authors' own tests: each key must pass its own first rule."""
    from exam_engine.banks import instantiate
    from exam_engine.grading import grade_part

    for spec in sample_bank.questions:
        for seed in range(3):
            for part in instantiate(spec, seed).parts:
                result = grade_part(part.model_answer, part.rules, part.settings)
                assert result.score == 1, (spec.id, seed, part.key, part.model_answer, result)
