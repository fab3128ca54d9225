"""Authors' input cannot cost a web process unbounded time or memory: YAML aliases, nesting and
size are refused while reading, and parameters are drawn in a grading worker under its limits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from exam_engine import banks
from exam_engine.banks import limited
from exam_engine.banks.source import MAX_DEPTH, MAX_NODES, SourceError, read_yaml
from exam_engine.grading.pool import close_pool, configure

LOL = '["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
BOMB = (
    "a: &a "
    + LOL
    + "\n"
    + "".join(
        f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]\n"
        for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    )
)


def test_an_alias_bomb_is_refused_with_its_line() -> None:
    assert len(BOMB) < 400
    with pytest.raises(SourceError, match="aliases") as caught:
        read_yaml(BOMB)
    assert caught.value.line is not None and 1 <= caught.value.line <= 9


def test_any_alias_is_refused_but_an_unused_anchor_is_harmless() -> None:
    with pytest.raises(SourceError, match="aliases"):
        read_yaml("x: &one 1\ny: *one\n")
    assert read_yaml("x: &one 1\ny: 2\n").data == {"x": 1, "y": 2}


def test_deep_and_huge_documents_are_refused() -> None:
    deep = (
        "".join(f"{'  ' * n}k{n}:\n" for n in range(MAX_DEPTH + 5)) + "  " * (MAX_DEPTH + 5) + "1"
    )
    with pytest.raises(SourceError, match="nests deeper"):
        read_yaml(deep)
    huge = "\n".join(f"- {n}" for n in range(MAX_NODES + 10))
    with pytest.raises(SourceError, match="more than"):
        read_yaml(huge)


QUESTION = {
    "id": "slow-parameter",
    "title": "Slow",
    "topic": "calculus",
    "difficulty": 1,
    "body": "Let $d = {{d}}$.",
    "parameters": {"a": "randint(2, 9)", "d": "expand((sqrt(2)+sqrt(3)+sqrt(5)+sqrt(7))^300)"},
    "parts": [{"key": "v", "prompt": "Value?", "input": "numeric", "answer": "a"}],
}


@pytest.fixture
def short_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A pool of its own with a 2-second limit for authors' work (15 s in production)."""
    close_pool()
    configure(size=1)
    monkeypatch.setattr(limited, "AUTHOR_SECONDS", 2.0)
    yield
    close_pool()


def test_a_parameter_that_would_run_for_minutes_is_stopped_and_explained(short_limit: None) -> None:
    # Checking comes first everywhere authors' data enters (editor, import, save): parsing this
    # parameter alone runs for minutes, so it must happen in the worker.
    problems = limited.limited_problems(QUESTION, "slow-parameter.yaml", "calculus")
    assert [p.field for p in problems] == ["parameters"]
    assert "ran over the limit" in problems[0].message
    # The worker that ran over was replaced: the next call works.
    fine = banks.question_from_data({**QUESTION, "parameters": {"a": "randint(2, 9)", "d": "a"}})
    variant = limited.limited_instantiate(fine, 1)
    assert variant.params["d"] == variant.params["a"] and variant.seed == 1


def test_a_parameter_that_crashes_sympy_is_a_problem_not_a_crash(short_limit: None) -> None:
    data = {**QUESTION, "parameters": {"a": "randint(2, 9)", "d": "sqrt(2)^(2^25)"}}
    problems = limited.limited_problems(data, "slow-parameter.yaml", "calculus")
    assert [p.field for p in problems] == ["parameters"]
    assert "could not be computed" in problems[0].message


def test_a_parameter_error_keeps_its_field_through_the_worker(short_limit: None) -> None:
    data = {**QUESTION, "parameters": {"a": "randint(2, 9)", "d": "a"}, "conditions": ["a > 100"]}
    spec = banks.question_from_data(data)
    with pytest.raises(banks.ParameterError) as caught:
        limited.limited_instantiate(spec, 1)
    assert caught.value.field.startswith("conditions")
