"""Markdown with maths renders to HTML + MathML, and never lets raw HTML or script through."""

from __future__ import annotations

import pytest

from exam_engine.banks import render_markdown
from exam_engine.banks.render import (
    MathError,
    find_math_errors,
    latex_to_mathml,
    render_markdown_inline,
)


def test_inline_and_display_maths_become_mathml() -> None:
    html = render_markdown("Let $x^2$ be given.\n\n$$\\int_0^1 x\\,dx$$\n")
    assert html.count("<math") == 2
    assert 'display="inline"' in html and 'display="block"' in html
    assert "<msup><mi>x</mi><mn>2</mn></msup>" in html


def test_multiline_display_block() -> None:
    matrix = "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}"
    html = render_markdown(f"Before\n\n$$\n{matrix}\n$$\n\nAfter")
    assert "<mtable>" in html
    assert html.index("Before") < html.index("<math") < html.index("After")


def test_markdown_still_works_around_maths() -> None:
    html = render_markdown("**Bold** and `code $x$` and $a_1$ then $b_2$.")
    assert "<strong>Bold</strong>" in html
    assert "<code>code $x$</code>" in html  # no maths inside code spans
    assert html.count("<math") == 2


@pytest.mark.parametrize("text", ["It costs $5 and $6.", "A lone \\$ sign $ here", "$ x $"])
def test_dollars_that_are_not_maths(text: str) -> None:
    assert "<math" not in render_markdown(text)


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "Hi <img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "$\\text{<script>alert(1)</script>}$",
        "$\\text{<img src=x onerror=alert(1)>}$",
    ],
)
def test_raw_html_and_script_are_escaped(text: str) -> None:
    html = render_markdown(text)
    assert "<script" not in html
    assert "<img" not in html
    assert "<a " not in html


def test_script_in_markdown_is_shown_as_text() -> None:
    assert "&lt;script&gt;" in render_markdown("<script>alert(1)</script>")


def test_javascript_links_and_href_in_maths_are_dropped() -> None:
    assert 'href="javascript' not in render_markdown("[x](javascript:alert(1))")
    assert "href" not in render_markdown("$\\href{javascript:alert(1)}{x}$")


def test_ordinary_links_survive() -> None:
    assert '<a href="https://example.org">site</a>' in render_markdown(
        "[site](https://example.org)"
    )


def test_broken_latex_is_reported_and_shown_as_code() -> None:
    text = "Fine $x$ but $\\frac{1}{$"
    assert "math-error" in render_markdown(text)
    errors = find_math_errors(text)
    assert len(errors) == 1 and "\\frac{1}{" in errors[0]
    with pytest.raises(MathError):
        latex_to_mathml("\\frac{1}{")


def test_no_errors_for_good_maths() -> None:
    assert find_math_errors("$\\binom{10}{3}$ and $$\\mathbb{E}[X]$$") == []


def test_inline_rendering_has_no_paragraph() -> None:
    html = render_markdown_inline("$x \\mapsto \\log(1 + e^x)$ <b>x</b>")
    assert html.startswith("<math") and "<p>" not in html
    assert "&lt;b&gt;" in html


def test_display_maths_inside_a_paragraph_does_not_swallow_the_next_one() -> None:
    html = render_markdown("$$a$$ is big.\n\nLater, $$b$$\n\nEnd.")
    assert html.count("<p>") == 3
    assert html.count("<math") == 2
    assert "End." in html


def test_unclosed_display_block_is_left_as_text() -> None:
    html = render_markdown("$$\nx + 1\n\nno closing")
    assert "<math" not in html and "no closing" in html
