"""The one maths renderer: readable MathML, hostile LaTeX made harmless on both paths (question
text and the validation echo), coefficients and model answers written as people write them."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser

import pytest
import sympy
from flask import Flask

from exam_engine.api.echo import echo
from exam_engine.banks import load_bank, render_markdown
from exam_engine.banks.mathml import MATHML_ELEMENTS, MathError, latex_to_mathml, math_or_source
from exam_engine.banks.render import render_markdown_inline
from exam_engine.banks.variants import fill_latex, instantiate
from exam_engine.grading import PartSettings, parse
from exam_engine.grading.typed import typed_key
from tests.conftest import BANKS

HOSTILE = [
    r"\text{<img src=x onerror=alert(1)>}",
    r"\text{<script>alert(1)</script>}",
    r"\href{javascript:alert(1)}{x}",
    r"\mathrm{\"><svg onload=alert(1)>}",
    r"\foo",
    r"\text{a} \style{x}",
]
SAFE_TAGS = MATHML_ELEMENTS | {"p", "code"}


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes |= {name for name, _ in attrs}


def assert_inert(html: str) -> None:
    """Only maths and plain text elements, no event handler or link attribute."""
    found = _Elements()
    found.feed(html)
    assert found.tags <= SAFE_TAGS, found.tags - SAFE_TAGS
    assert not {a for a in found.attributes if a.startswith("on") or a in ("href", "src")}


@pytest.mark.parametrize("latex", HOSTILE)
def test_hostile_latex_in_question_text_is_inert(latex: str) -> None:
    assert_inert(render_markdown(f"Before ${latex}$ after") + render_markdown_inline(f"${latex}$"))


@pytest.mark.parametrize("latex", HOSTILE)
def test_hostile_latex_on_the_echo_path_is_inert(latex: str) -> None:
    assert_inert(math_or_source(latex))


@pytest.mark.parametrize(
    "typed", ["<img src=x onerror=alert(1)>", "$\\foo$", "</math><script>alert(1)</script>"]
)
def test_echo_of_a_text_answer_shows_it_as_text(app: Flask, typed: str) -> None:
    with app.test_request_context():
        result = echo(typed, PartSettings(input_type="string"))
    html = result["mathml"]
    assert result["valid"] and "<mtext>" in html
    assert_inert(html)
    shown = (
        re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">").replace("\xa0", " ")
    )
    assert shown.strip() in typed  # what was typed is shown as text (the grader trims "$\\")


def test_huge_nesting_is_refused_quickly() -> None:
    began = time.perf_counter()
    for latex in [
        "{" * 5000 + "x" + "}" * 5000,
        "\\sqrt" * 3000 + "{x}",
        "x^" * 3000 + "2",
        "\\left(" * 100 + "x" + "\\right)" * 100,
    ]:
        with pytest.raises(MathError):
            latex_to_mathml(latex)
        assert "math-error" in math_or_source(latex)
    assert "<math" in math_or_source("{" * 20 + "x" + "}" * 20)  # ordinary nesting still renders
    assert time.perf_counter() - began < 30  # a guard against a hang, not a benchmark


def test_readable_structure() -> None:
    assert 'displaystyle="true"' in latex_to_mathml(r"\frac{1}{2}")  # text-size digits inline
    limit = latex_to_mathml(r"\lim_{x \to 0} \frac{\sin x}{x}")
    assert "<munder><mo" in limit and "<msub>" not in limit
    total = latex_to_mathml(r"\sum_{i=1}^{n} i")
    assert "<munderover>" in total and "<msubsup>" not in total
    assert "<msubsup>" in latex_to_mathml(r"\int_0^1 x\,dx")  # integrals keep their limits aside
    matrix = latex_to_mathml(r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}")
    assert matrix.count('stretchy="true"') == 2
    assert 'stretchy="true"' not in latex_to_mathml("f(x)")


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        (r"$x^6 e^{-{{a}} x}$", 1, r"$x^6 e^{- x}$"),
        (r"$e^{-{{a}}x}$", -3, r"$e^{3x}$"),
        (r"$y = {{a}}x + {{b}}$", -1, r"$y = -x - 1$"),
        (r"$2 \cdot {{a}}\, y$", 1, r"$2 \, y$"),
        (r"$x^{{a}}$", 1, r"$x^1$"),
        (r"$f = {{a}}$", 1, r"$f = 1$"),
        (r"${{a}} \leq x$", 1, r"$1 \leq x$"),
        (r"$\begin{pmatrix} {{a}} & 0 \end{pmatrix}$", 1, r"$\begin{pmatrix} 1 & 0 \end{pmatrix}$"),
        (r"$\sum {{a}}\sin x$", -1, r"$\sum -\sin x$"),
        ("Text {{a}} here", 1, "Text $1$ here"),
    ],
)
def test_coefficients_read_as_written(text: str, value: int, expected: str) -> None:
    values = {"a": sympy.Integer(value), "b": sympy.Integer(value)}
    assert fill_latex(text, values) == expected


def test_shown_model_answers_mean_the_same_for_every_bank_question() -> None:
    checked = 0
    for folder in sorted(p for p in BANKS.iterdir() if (p / "bank.yaml").is_file()):
        bank = load_bank(folder)
        for spec in bank.questions:
            for part in instantiate(spec, 1).parts:
                if part.input_type in ("choice", "multichoice", "string"):
                    continue
                shown = typed_key(part.model_answer, part.settings)
                assert "**" not in shown and "exp(" not in shown
                original, typed = (
                    parse(part.model_answer, part.settings),
                    parse(shown, part.settings),
                )
                assert original == typed or sympy.simplify(original - typed) == 0, (spec.id, shown)
                checked += 1
    assert checked > 100
