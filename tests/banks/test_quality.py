"""The checks that catch broken questions: a right and a wrong author test per part, the syntax
a prompt shows accepted by its input, and declared parameter ranges held on every variant."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from exam_engine.banks import Problem, question_from_data, run_author_tests, validate_path
from exam_engine.banks.loader import check_data
from exam_engine.banks.params import parse_definition, split_constraint
from exam_engine.banks.quality import code_spans
from exam_engine.banks.testing import run_path_tests

from .test_validation import _break

QUESTION: dict[str, Any] = {
    "id": "screening",
    "title": "Screening",
    "topic": "probability",
    "difficulty": 2,
    "body": "A fraction $p = {{p}}$ is affected.",
    "parameters": {"p": "rational(1, 5, den=100) in (0, 1)"},
    "parts": [
        {"key": "q", "prompt": "Give $1 - p$.", "input": "numeric", "answer": "1 - p"},
    ],
    "tests": [
        {"part": "q", "response": "1-{{p}}", "expected": 1},
        {"part": "q", "response": "{{p}}", "expected": 0},
    ],
}


def _problem(problems: list[Problem], field: str, words: str) -> Problem:
    found = [p for p in problems if p.field == field and words in p.message]
    assert len(found) == 1, [str(p) for p in problems]
    return found[0]


@pytest.mark.parametrize(
    ("text", "definition", "within"),
    [
        ("rational(1/100, 1/5, den=100) in (0, 1)", "rational(1/100, 1/5, den=100)", "(0, 1)"),
        ("randint(2, 9) in [1, oo)", "randint(2, 9)", "[1, oo)"),
        ("a^2 - b in (0, sqrt(2)]", "a^2 - b", "(0, sqrt(2)]"),
        ("choice([1, 2])", "choice([1, 2])", None),
        ("min(a, b)", "min(a, b)", None),
    ],
)
def test_a_range_is_split_off_a_definition(text: str, definition: str, within: str | None) -> None:
    assert split_constraint(text) == (definition, within)
    assert parse_definition(text, "parameters.x").within == within


def test_a_value_outside_its_range_is_named_with_file_field_and_line(bank_copy: Path) -> None:
    # The bug this check was written for: p drawn between 1 and 5, "a fraction p = 387/100".
    file, line = _break(
        bank_copy,
        "probability/bayes-screening.yaml",
        "p: rational(1/100, 1/5, den=100) in (0, 1)",
        "p: rational(1, 5, den=100) in (0, 1)",
    )
    problem = _problem(validate_path(bank_copy), "parameters.p", "is not in (0, 1)")
    assert (problem.file, problem.question, problem.line) == (file, "bayes-screening", line)
    assert "seed 0: p = " in problem.message


def test_a_range_that_does_not_parse_is_named(bank_copy: Path) -> None:
    _break(bank_copy, "statistics/z-statistic.yaml", "in (0, oo)", "in (0, zz)")
    problem = _problem(validate_path(bank_copy), "parameters.s", "range")
    assert "zz" in problem.message


def test_banks_test_checks_ranges_on_every_variant() -> None:
    spec = question_from_data(QUESTION)  # stored versions load without the strict checks
    assert run_author_tests(spec, range(4)) == []
    failures = run_author_tests(spec, range(4), strict=True)
    assert [f.seed for f in failures] == [0, 1, 2, 3]
    assert all("parameters.p: p = " in f.message and "(0, 1)" in f.message for f in failures)
    data = copy.deepcopy(QUESTION)
    data["parameters"]["p"] = "rational(1/100, 1/5, den=100) in (0, 1)"
    assert run_author_tests(question_from_data(data), range(20), strict=True) == []


def test_a_prompt_showing_syntax_its_input_refuses_is_named(bank_copy: Path) -> None:
    # distance-to-line asked for `[x, y, z]` in a matrix input, which refuses lists.
    file, line = _break(
        bank_copy,
        "linear-algebra/shear-power.yaml",
        "e.g. `[[1, 2], [0, 1]]`",
        "e.g. `[1, 2, 0, 1]`",
    )
    problem = _problem(validate_path(bank_copy), "parts[0].prompt.en", "shows `[1, 2, 0, 1]`")
    assert (problem.file, problem.line) == (file, line)
    assert "matrix input refuses it" in problem.message


def test_a_body_example_must_suit_some_part(bank_copy: Path) -> None:
    _break(
        bank_copy,
        "linear-algebra/matrix-product-inverse.yaml",
        "e.g. `[[1, 2], [3, 4]]`.",
        "e.g. `{1, 2}`.",
    )
    problem = _problem(validate_path(bank_copy), "body.en", "shows `{1, 2}`")
    assert "no part's input (matrix) accepts it" in problem.message


def test_a_shown_float_in_an_exact_part_is_refused() -> None:
    data = copy.deepcopy(QUESTION)
    data["parameters"]["p"] = "rational(1/100, 1/5, den=100) in (0, 1)"
    data["parts"][0].update(prompt="Answer e.g. `0.25`.", allow_floats=False)
    problems = check_data(data, "q.yaml", strict=True).problems
    assert [p.field for p in problems] == ["parts[0].prompt"]
    assert check_data(data, "q.yaml").problems == []  # not a rule for stored versions


def test_code_spans_fill_placeholders() -> None:
    text = "Type `binomial({{n}}, 3)/2^{{n}}` or ``a`b``; not $`x`$? plain"
    assert code_spans(text)[:2] == ["binomial(2, 3)/2^2", "a`b"]


def test_a_part_without_a_wrong_answer_test_is_named(bank_copy: Path) -> None:
    file, _ = _break(
        bank_copy,
        "linear-algebra/symmetric-eigenvalues.yaml",
        "expected: {eig: 0.5, det: 0}",
        "expected: {eig: 0.5, det: 0.5}",
    )
    problem = _problem(validate_path(bank_copy), "parts[1]", "wrong answer expecting 0")
    assert problem.file == file and "'det'" in problem.message and problem.line is not None


def test_a_part_without_a_right_answer_test_is_named(bank_copy: Path) -> None:
    _break(
        bank_copy,
        "calculus/two-limits.yaml",
        'parts: {trig: "{{a}}^2/2", compound: "e^{{c}}"}\n    expected: {trig: 1, compound: 1}',
        'parts: {trig: "{{a}}^2/2", compound: "e^{{c}}"}\n    expected: {trig: 1, compound: 0}',
    )
    problems = validate_path(bank_copy)
    assert "'compound' has no author test expecting full marks" in str(
        _problem(problems, "parts[1]", "full marks")
    )


def test_wrong_answers_that_are_all_invalid_prove_nothing(bank_copy: Path) -> None:
    path = bank_copy / "calculus" / "two-limits.yaml"
    _break(bank_copy, "calculus/two-limits.yaml", 'trig: "{{a}}^2", ', 'trig: "{{a}}^^2", ')
    assert validate_path(bank_copy) == []
    run = run_path_tests(path, range(2))
    assert [(f.failure.seed, f.failure.part) for f in run.failures] == [(0, "trig"), (1, "trig")]
    assert "refused as invalid" in str(run.failures[0])
    assert run_author_tests(question_from_data_file(path), range(2)) == []


def question_from_data_file(path: Path):  # type: ignore[no-untyped-def]
    from exam_engine.banks.source import read_yaml

    return question_from_data(read_yaml(path.read_text(encoding="utf-8")).data)


def test_an_example_that_is_a_right_answer_gives_it_away() -> None:
    data = copy.deepcopy(QUESTION)
    data["parameters"]["p"] = "rational(1/100, 1/5, den=100) in (0, 1)"
    data["parts"][0]["prompt"] = {"en": "Give $1 - p$, e.g. `0.5`.", "ko": "예: `1 - {{p}}`"}
    spec = question_from_data(data)
    assert run_author_tests(spec, range(3)) == []
    failures = run_author_tests(spec, range(3), strict=True)
    assert [(f.seed, f.part) for f in failures] == [(0, "q"), (1, "q"), (2, "q")]
    assert "example `1 - " in failures[0].message and "right answer" in failures[0].message
