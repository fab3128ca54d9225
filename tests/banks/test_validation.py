"""Broken copies of the sample bank: every problem names the file, the question, the field
and the line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from exam_engine.banks import BankError, Problem, load_bank, load_question_file, validate_path


def _break(bank: Path, relative: str, old: str, new: str) -> tuple[str, int]:
    """Replace ``old`` by ``new`` in one file; return the file and the line of the change."""
    path = bank / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"{old!r} not in {relative}"
    changed = text.replace(old, new, 1)
    path.write_text(changed, encoding="utf-8")
    return relative, text[: text.index(old)].count("\n") + 1


def _only(problems: list[Problem], field: str) -> Problem:
    matching = [p for p in problems if p.field == field]
    assert len(matching) == 1, [str(p) for p in problems]
    return matching[0]


# Problems reported on the field's own line, which is not where the text was changed.
NOT_AT_THE_CHANGE = {"body", "body.en", "conditions", "title"}
# The change spans two lines and the problem is on the second.
LINE_OFFSET = {"unknown field 'tolerance'": 1, "duplicate key 'answer'": 1}

CASES = [
    # (file, old text, new text, question, field, words in the message)
    (
        "linear-algebra/symmetric-eigenvalues.yaml",
        "test: Sets",
        "test: SetEquiv",
        "symmetric-eigenvalues",
        "parts[0].test",
        "unknown answer test 'SetEquiv'",
    ),
    (
        "calculus/two-limits.yaml",
        "    input: algebraic\n    answer: exp(c)",
        "    input: formula\n    answer: exp(c)",
        "two-limits",
        "parts[1].input",
        "unknown input type",
    ),
    (
        "calculus/taylor-log.yaml",
        "  - key: poly",
        "  - key: coeff3",
        "taylor-log",
        "parts[1].key",
        "duplicate part key 'coeff3'",
    ),
    (
        "probability/binomial-coins.yaml",
        "answer: 1 - 1/2^n",
        "answer: 1 - 1/2^m",
        "binomial-coins",
        "parts[1].answer",
        "m",
    ),
    (
        "probability/binomial-coins.yaml",
        "k: randint(2, 4)",
        "k: randint(2, 4 +)",
        "binomial-coins",
        "parameters.k",
        "does not parse",
    ),
    (
        "probability/binomial-coins.yaml",
        "k: randint(2, 4)",
        "k: randint(2)",
        "binomial-coins",
        "parameters.k",
        "randint() takes 2",
    ),
    (
        "statistics/variance-estimators.yaml",
        "answer: -sigma^2/n",
        "answer: -sigma^^2/n",
        "variance-estimators",
        "parts[1].answer",
        "does not parse",
    ),
    (
        "optimisation/lagrange-quadratic.yaml",
        "difficulty: 3",
        "difficulty: 7",
        "lagrange-quadratic",
        "difficulty",
        "1 to 5",
    ),
    (
        "optimisation/lagrange-quadratic.yaml",
        "title:\n  en: A Lagrange multiplier\n  ko: 라그랑주 승수\n",
        "",
        "lagrange-quadratic",
        "title",
        "required field is missing",
    ),
    (
        "optimisation/convex-function.yaml",
        "    answer: B",
        "    answer: F",
        "convex-function",
        "parts[0].answer",
        "'F' is not one of the choice keys",
    ),
    (
        "optimisation/convex-function.yaml",
        "      - key: C",
        "      - key: A",
        "convex-function",
        "parts[0].choices[2].key",
        "duplicate choice key 'A'",
    ),
    (
        "calculus/two-limits.yaml",
        "    answer: a^2/2\n",
        "    answer: a^2/2\n    tolerance: 2\n",
        "two-limits",
        "parts[0].tolerance",
        "unknown field 'tolerance'",
    ),
    (
        "calculus/two-limits.yaml",
        "    answer: a^2/2\n",
        "    answer: a^2/2\n    answer: a^2\n",
        "two-limits",
        "parts[0].answer",
        "duplicate key 'answer'",
    ),
    (
        "calculus/integration-by-parts.yaml",
        "Compute, in exact form,",
        "Compute {{b}} exactly,",
        "integration-by-parts",
        "body.en",
        "{{b}} is not a parameter",
    ),
    (
        "calculus/integration-by-parts.yaml",
        "\\mathrm{d}x.$$",
        "\\mathrm{d}x \\frac{1}{$$",
        "integration-by-parts",
        "body.en",
        "cannot render the formula",
    ),
    (
        "linear-algebra/symmetric-eigenvalues.yaml",
        "  - a != b",
        "  - a + b > 100",
        "symmetric-eigenvalues",
        "conditions",
        "no draw satisfied the conditions",
    ),
    (
        "linear-algebra/symmetric-eigenvalues.yaml",
        "points: 4\n",
        "points: 5\n",
        "symmetric-eigenvalues",
        "points",
        "add up to 4",
    ),
    (
        "probability/max-two-dice.yaml",
        "expected: {mean: 1, var: 1}",
        "expected: {mean: 1}",
        "max-two-dice",
        "tests[0].expected",
        "same part keys",
    ),
    (
        "probability/uncorrelated-dependent.yaml",
        '  - part: which\n    response: "A"',
        '  - part: what\n    response: "A"',
        "uncorrelated-dependent",
        "tests[1].part",
        "part keys",
    ),
    (
        "statistics/mean-confidence-interval.yaml",
        "m: randint(40, 90)",
        "m: randint(40, 90, by=2)",
        "mean-confidence-interval",
        "parameters.m",
        "no option 'by'",
    ),
    (
        "statistics/exponential-mle.yaml",
        "topic: statistics",
        "topic: probability",
        "exponential-mle",
        "topic",
        "in statistics/",
    ),
    (
        "statistics/exponential-mle.yaml",
        "id: exponential-mle",
        "id: exponential_mle",
        "exponential_mle",
        "id",
        "must match the file name",
    ),
    (
        "optimisation/quadratic-gradient.yaml",
        "  c: randint(1, 5)",
        "  e: randint(1, 5)",
        "quadratic-gradient",
        "parameters.e",
        "reserved",
    ),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "question", "field", "words"),
    CASES,
    ids=[f"{c[4]}-{c[5][:24]}" for c in CASES],
)
def test_broken_copy_names_file_question_field_and_line(
    bank_copy: Path, file: str, old: str, new: str, question: str, field: str, words: str
) -> None:
    _, line = _break(bank_copy, file, old, new)
    problems = validate_path(bank_copy)
    problem = _only([p for p in problems if words in p.message], field)
    assert problem.file == file
    assert problem.question == question
    if field not in NOT_AT_THE_CHANGE:
        assert problem.line == line + LINE_OFFSET.get(words, 0)
    assert problem.line is not None
    assert str(problem).startswith(f"{file}:{problem.line}: {question}: {field}: ")


def test_load_bank_raises_with_the_same_problems(bank_copy: Path) -> None:
    _break(bank_copy, "calculus/two-limits.yaml", "answer: exp(c)", "answer: exp(z)")
    with pytest.raises(BankError) as raised:
        load_bank(bank_copy)
    assert raised.value.problems == validate_path(bank_copy)
    assert "calculus/two-limits.yaml:" in str(raised.value)


def test_yaml_syntax_error_has_a_line(bank_copy: Path) -> None:
    file, line = _break(bank_copy, "calculus/two-limits.yaml", "difficulty: 2", "difficulty: [2")
    problems = validate_path(bank_copy)
    assert len(problems) == 1
    assert problems[0].file == file and "invalid YAML" in problems[0].message
    assert problems[0].line is not None and problems[0].line >= line


def test_every_problem_is_reported_not_just_the_first(bank_copy: Path) -> None:
    _break(bank_copy, "calculus/two-limits.yaml", "difficulty: 2", "difficulty: 0")
    _break(bank_copy, "calculus/two-limits.yaml", "input: algebraic", "input: algebra")
    _break(bank_copy, "probability/max-two-dice.yaml", "test", "tset")
    problems = validate_path(bank_copy)
    fields = {(p.file, p.field) for p in problems}
    assert ("calculus/two-limits.yaml", "difficulty") in fields
    assert ("calculus/two-limits.yaml", "parts[0].input") in fields
    assert any(p.file == "probability/max-two-dice.yaml" for p in problems)


def test_duplicate_ids_across_files(bank_copy: Path) -> None:
    (bank_copy / "calculus" / "z-more").mkdir()
    shutil.copy(bank_copy / "calculus" / "two-limits.yaml", bank_copy / "calculus" / "z-more")
    problems = validate_path(bank_copy)
    problem = _only(problems, "id")
    assert problem.file == "calculus/z-more/two-limits.yaml"
    assert "duplicate id" in problem.message and "calculus/two-limits.yaml" in problem.message
    assert problem.line == 1


def test_missing_bank_yaml_and_loose_files(bank_copy: Path) -> None:
    (bank_copy / "bank.yaml").unlink()
    shutil.copy(bank_copy / "calculus" / "two-limits.yaml", bank_copy / "two-limits.yaml")
    assert "no bank.yaml" in validate_path(bank_copy)[0].message
    with pytest.raises(BankError) as raised:
        load_bank(bank_copy)
    messages = [str(p) for p in raised.value.problems]
    assert any(m.startswith("bank.yaml: ") and "missing" in m for m in messages)
    assert any(m.startswith("two-limits.yaml: ") and "topic folder" in m for m in messages)


def test_single_file_validation(bank_copy: Path) -> None:
    path = bank_copy / "calculus" / "two-limits.yaml"
    assert validate_path(path) == []
    assert load_question_file(path).id == "two-limits"
    _break(bank_copy, "calculus/two-limits.yaml", "answer: exp(c)", "answer: exp(z)")
    problems = validate_path(path)
    assert [p.field for p in problems] == ["parts[1].answer"]
    assert problems[0].file == str(path)


def test_not_a_mapping_and_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    assert "must hold a mapping" in validate_path(path)[0].message
    assert "no such file" in validate_path(tmp_path / "nope")[0].message
