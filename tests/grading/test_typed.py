"""Answer keys written back in candidate syntax: same value, no SymPy spelling."""

from __future__ import annotations

from pathlib import Path

import pytest

from exam_engine import banks, grading
from exam_engine.grading import PartSettings
from exam_engine.grading.typed import key_forms, typed_key

BANKS = Path(__file__).resolve().parents[2] / "question_banks"


@pytest.mark.parametrize(
    ("key", "typed"),
    [
        ("x**2", "x^2"),
        ("-3*x**5*exp(-3*x)", "-3*x^5*e^(-3*x)"),
        ("exp(8)", "e^8"),
        ("exp(x)**2", "(e^x)^2"),
        ("x**(-1)", "x^(-1)"),
        ("(-3)**2", "(-3)^2"),
        ("-x**2", "-x^2"),
        ("x**y**z", "x^(y^z)"),
        ("(x**y)**z", "(x^y)^z"),
        ("2*(-x)", "2*(-x)"),
        ("a/(b*c)", "a/(b*c)"),
        ("a - (b - c)", "a - (b - c)"),
        ("27 + 27*log(3)", "27 + 27*ln(3)"),
        ("log(x, 2)", "log(x, 2)"),
        ("E", "e"),
        ("(1, oo)", "(1, inf)"),
        ("Abs(x)", "abs(x)"),
        ("factorial(n)/2", "factorial(n)/2"),
        ("y = 23*x + 54", "y = 23*x + 54"),
        ("{sqrt(2), -sqrt(2)}", "{sqrt(2), -sqrt(2)}"),
        ("[sqrt(2)/2, sqrt(2)/2]", "[sqrt(2)/2, sqrt(2)/2]"),
    ],
)
def test_keys_in_candidate_syntax(key: str, typed: str) -> None:
    settings = PartSettings(input_type="interval") if "oo" in key else PartSettings()
    assert typed_key(key, settings) == typed


def test_matrix_parts_print_nested_lists() -> None:
    settings = PartSettings(input_type="matrix")
    assert typed_key("matrix([1, -5], [-6, 6])", settings) == "[[1, -5], [-6, 6]]"
    assert typed_key("matrix([1, -5], [-6, 6])", PartSettings()) == "matrix([1, -5], [-6, 6])"


def test_unreadable_and_choice_keys_are_left_alone() -> None:
    assert key_forms("A, C", PartSettings(input_type="multichoice")) == ("A, C", None)
    assert key_forms("2 +* 3", PartSettings()) == ("2 +* 3", None)


def test_every_sample_key_reads_back_as_the_same_answer() -> None:
    """Every part of every sample question, at two seeds: the typed key, read as a candidate's
    answer, is algebraically equal to the stored key and has no SymPy spelling."""
    checked = 0
    for folder in sorted(p for p in BANKS.iterdir() if (p / "bank.yaml").exists()):
        for spec in banks.load_bank(folder).questions:
            for seed in (1, 2):
                for part in banks.instantiate(spec, seed).parts:
                    if part.input_type in ("choice", "multichoice", "string"):
                        continue
                    typed, latex = key_forms(part.model_answer, part.settings)
                    assert latex, part.model_answer
                    assert "**" not in typed and "exp(" not in typed and "oo" not in typed
                    result = grading.grade(
                        typed, part.model_answer, "AlgEquiv", None, part.settings
                    )
                    assert result.correct, (part.model_answer, typed, result)
                    checked += 1
    assert checked > 100
