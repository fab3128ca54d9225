"""The validation echo: LaTeX for valid answers, one specific message otherwise."""

from __future__ import annotations

import pytest

from exam_engine.grading import PartSettings, validate
from exam_engine.grading.messages import N_, render

STRICT = PartSettings(implicit_multiplication=False)


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("x^2", "{x}^{2}"),
        ("sqrt(x)/2", r"\frac{\sqrt{x}}{2}"),
        ("binomial(n,k)", r"\binom{n}{k}"),
        ("|x|", r"\left|x\right|"),
        ("matrix([1,2],[3,4])", r"\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix}"),
        ("x<=2", r"x \leq 2"),
        ("alpha", r"\alpha"),
        ("5.1e-2", r"5.1 \times 10^{-2}"),
        ("0.50", "0.50"),
        ("2+2", "2 + 2"),
    ],
)
def test_echo_keeps_what_was_typed(text: str, latex: str) -> None:
    v = validate(text)
    assert v.valid and v.message is None
    assert v.display == latex


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [("2x", "2*x"), ("x(x+1)", "x*(x+1)"), ("(x+1)(x-1)", "(x+1)*(x-1)"), ("3sin(x)", "3*sin(x)")],
)
def test_missing_star_with_suggestion(text: str, suggestion: str) -> None:
    v = validate(text, STRICT)
    assert not v.valid and v.code == "missing_star"
    assert v.message == f"You seem to be missing * characters. Perhaps you meant {suggestion}"


@pytest.mark.parametrize(
    ("text", "guess"), [("sinx(2)", "sin"), ("sni(x)", "sin"), ("sqr(x)", "sqrt")]
)
def test_unknown_function_names_the_closest(text: str, guess: str) -> None:
    v = validate(text)
    assert v.code == "unknown_function"
    assert guess in (v.message or "")


@pytest.mark.parametrize(
    ("text", "settings", "code"),
    [
        ("sin", PartSettings(), "no_argument"),
        ("(x+1", PartSettings(), "unbalanced"),
        ("[1,2)", PartSettings(), "unbalanced"),
        ("0.5*x", PartSettings(allow_floats=False), "float"),
        ("", PartSettings(), "empty"),
        ("diff(x^2,x)", PartSettings(forbidden_words=("diff",)), "forbidden_word"),
        ("x" * 2001, PartSettings(), "too_long"),
        ("(" * 101 + "x" + ")" * 101, PartSettings(), "too_deep"),
        ("x+1", PartSettings(input_type="numeric"), "not_a_number"),
        ("x+1", PartSettings(input_type="equation"), "not_an_equation"),
        ("x", PartSettings(input_type="matrix"), "not_a_matrix"),
        ("x", PartSettings(input_type="set"), "not_a_set"),
        ("c", PartSettings(input_type="choice", choices=("a", "b")), "bad_choice"),
    ],
)
def test_specific_messages(text: str, settings: PartSettings, code: str) -> None:
    v = validate(text, settings)
    assert not v.valid and v.display == ""
    assert v.code == code
    assert v.message_template and v.message


def test_messages_are_templates_with_parameters() -> None:
    v = validate("0.25", PartSettings(allow_floats=False))
    assert "%(number)s" in (v.message_template or "")
    assert v.message_params == {"number": "0.25"}
    assert render(N_("%(a)s and %(b)s"), {"a": "1", "b": "2"}) == "1 and 2"


def test_a_megabyte_is_rejected_quickly() -> None:
    import time

    t0 = time.perf_counter()
    v = validate("x+" * 500_000)
    assert v.code == "too_long"
    assert time.perf_counter() - t0 < 0.05


def test_choice_inputs() -> None:
    multi = PartSettings(input_type="multichoice", choices=("a", "b", "c"))
    assert validate("{a, c}", multi).valid
    assert validate("a,c", multi).valid
    assert validate("a,d", multi).code == "bad_choice"
    assert not validate("a,b", PartSettings(input_type="choice", choices=("a", "b"))).valid


def test_matrix_input_is_echoed_as_a_matrix() -> None:
    v = validate("[[2,1],[1,2]]", PartSettings(input_type="matrix"))
    assert v.display == r"\begin{pmatrix}2 & 1 \\ 1 & 2\end{pmatrix}"
