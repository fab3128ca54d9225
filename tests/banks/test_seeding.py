"""Variants are deterministic per (question, seed), across processes, and vary across seeds."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import pytest
import sympy

from exam_engine.banks import Bank, ParameterError, instantiate, question_from_data
from exam_engine.banks.params import draw_parameters, parse_definition
from exam_engine.banks.seeding import rng_for, shuffled
from exam_engine.grading import parse

from .conftest import SAMPLE_BANK

ROOT = SAMPLE_BANK.parents[1]


def _fingerprint(bank: Bank, seeds: range) -> dict[str, list[object]]:
    out: dict[str, list[object]] = {}
    for spec in bank.questions:
        for seed in seeds:
            v = instantiate(spec, seed)
            out.setdefault(spec.id, []).append(
                [
                    v.params,
                    v.body_html,
                    [
                        (
                            p.model_answer,
                            p.choices,
                            p.prompt_html,
                            [(r.answer, r.score) for r in p.rules],
                        )
                        for p in v.parts
                    ],
                ]
            )
    return out


def test_same_seed_same_variant(sample_bank: Bank) -> None:
    for spec in sample_bank.questions:
        assert instantiate(spec, 42) == instantiate(spec, 42)


def test_same_variant_in_another_process(sample_bank: Bank) -> None:
    script = (
        "import json, sys\n"
        "from exam_engine.banks import load_bank\n"
        "from tests.banks.test_seeding import _fingerprint\n"
        f"bank = load_bank({str(SAMPLE_BANK)!r})\n"
        "json.dump(_fingerprint(bank, range(3)), sys.stdout)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123", "PATH": ""},
    )
    here = json.loads(json.dumps(_fingerprint(sample_bank, range(3))))
    assert json.loads(result.stdout) == here


def test_different_seeds_give_different_numbers(sample_bank: Bank) -> None:
    for spec in sample_bank.questions:
        if not spec.is_random:
            continue
        drawn = {json.dumps(instantiate(spec, seed).params, sort_keys=True) for seed in range(10)}
        assert len(drawn) >= 3, spec.id


def test_the_generator_is_pinned() -> None:
    """A change here would silently give every candidate a different variant after an upgrade."""
    values = draw_parameters(
        "stability",
        {
            "a": "randint(1, 1000000)",
            "b": "choice([2, 3, 5, 7, 11])",
            "p": "rational(0, 1, den=10)",
            "c": "a + b",
        },
        (),
        12345,
    )
    assert values == {"a": 954812, "b": 2, "p": sympy.Rational(4, 5), "c": 954814}
    assert shuffled(rng_for("stability", 1), list("ABCDE")) == ["B", "C", "E", "A", "D"]


def test_seed_streams_depend_on_question_id() -> None:
    params = {"a": "randint(1, 1000000)"}
    assert draw_parameters("q1", params, (), 1) != draw_parameters("q2", params, (), 1)


def test_conditions_are_respected() -> None:
    params = {"a": "randint(1, 6)", "b": "randint(1, 6)"}
    for seed in range(30):
        values = draw_parameters("cond", params, ("a != b", "a + b > 6"), seed)
        assert values["a"] != values["b"] and values["a"] + values["b"] > 6


def test_impossible_conditions_fail_clearly() -> None:
    with pytest.raises(ParameterError) as raised:
        draw_parameters("cond", {"a": "randint(1, 3)"}, ("a > 5",), 0)
    assert raised.value.field == "conditions"
    assert "1000 tries" in str(raised.value)


def test_randint_options() -> None:
    params = {"a": "randint(-6, 6, step=3, exclude=[0])"}
    seen = {int(draw_parameters("opts", params, (), s)["a"]) for s in range(60)}
    assert seen == {-6, -3, 3, 6}


@pytest.mark.parametrize(
    ("definition", "words"),
    [
        ("randint(1)", "takes 2"),
        ("randint(1, 2, by=3)", "no option 'by'"),
        ("choice(1, 2)", "takes 1"),
        ("choice(1)", "takes a list"),
        ("rational(0, 1)", "den="),
        ("randint(1, 2, step=1, 5)", "positional argument after an option"),
        ("randint((1, 2)", "unbalanced"),
    ],
)
def test_malformed_generators(definition: str, words: str) -> None:
    with pytest.raises(ParameterError, match=words.replace("(", r"\(").replace(")", r"\)")):
        parse_definition(definition, "parameters.a")


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"a": "randint(5, 1)"}, "range has 0 values"),
        ({"a": "randint(1, 2, exclude=[1, 2])"}, "every value"),
        ({"a": "randint(1/2, 3)"}, "must be an integer"),
        ({"a": "b + 1", "b": "2"}, "unknown name"),
        ({"a": "__import__('os')"}, "does not parse"),
        ({"a": "randint(0, 0)", "b": "1/a"}, "undefined here"),
    ],
)
def test_bad_draws(params: dict[str, str], words: str) -> None:
    with pytest.raises(ParameterError, match=words):
        draw_parameters("bad", params, (), 0)


def test_choices_shuffle_per_seed(sample_bank: Bank) -> None:
    spec = sample_bank.get("convex-function")
    orders = {tuple(k for k, _ in instantiate(spec, seed).parts[0].choices) for seed in range(12)}
    assert len(orders) > 1
    assert all(sorted(order) == ["A", "B", "C", "D", "E"] for order in orders)
    unshuffled = sample_bank.get("quadratic-gradient")
    assert [k for k, _ in instantiate(unshuffled, 5).parts[2].choices] == ["A", "B", "C"]


def test_variant_renders_parameters_as_maths(sample_bank: Bank) -> None:
    variant = instantiate(sample_bank.get("bayes-screening"), 3)
    assert "<mfrac>" in variant.body_html  # p = 1/100 etc. are rendered as fractions
    assert "{{" not in variant.body_html
    assert variant.content_hash == sample_bank.get("bayes-screening").content_hash


def test_instantiated_answers_have_no_parameters_left(sample_bank: Bank) -> None:
    for spec in sample_bank.questions:
        variant = instantiate(spec, 11)
        for part in variant.parts:
            if part.input_type in ("choice", "multichoice"):
                continue
            for rule in part.rules:
                value = parse(rule.answer, replace(part.settings, allow_floats=True))
                names = {s.name for s in value.free_symbols}
                assert names <= set(part.settings.variables), (spec.id, part.key, rule.answer)


def test_question_from_stored_json_gives_the_same_variants(sample_bank: Bank) -> None:
    for spec in sample_bank.questions:
        stored = json.loads(json.dumps(spec.raw))
        again = question_from_data(stored)
        assert again.content_hash == spec.content_hash
        assert again.parts == spec.parts and again.tests == spec.tests
        assert instantiate(again, 9) == instantiate(spec, 9)
