"""Markdown with ``$...$`` / ``$$...$$`` maths to HTML with MathML, rendered on the server.

The dollar-maths syntax is mdit-py-plugins' ``dollarmath`` (configured as our banks write it:
no space inside ``$...$``, no digit right after the closing ``$`` so "costs $5 and $6" is text,
``$$...$$`` also inside a paragraph, no blank lines inside a block); each formula goes through
:func:`exam_engine.banks.mathml.latex_to_mathml`, the one sanitising maths renderer that the
validation echo uses too. Raw HTML in Markdown is disabled (it is shown as text).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.dollarmath.index import math_block_dollar

from exam_engine.banks.mathml import MathError, latex_to_mathml, math_or_source

__all__ = [
    "MathError",
    "find_math_errors",
    "latex_to_mathml",
    "math_or_source",
    "render_markdown",
    "render_markdown_inline",
]

_MATH_TOKENS = ("math_inline", "math_inline_double", "math_block")


def _render_math(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """The ``<math>`` element itself, without the plugin's wrapper (a ``div`` inside a
    paragraph would be invalid HTML); ``<math display="block">`` is a block of its own."""
    token = tokens[idx]
    mathml = math_or_source(token.content.strip(), display=token.type != "math_inline")
    return mathml + "\n" if token.type == "math_block" else mathml


_plugin_math_block = math_block_dollar(False, str.strip, False)


def _math_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """The plugin's ``$$`` block rule, made to honour ``silent`` (asked while deciding
    whether a block ends a paragraph, it must not add tokens or move on)."""
    if not silent:
        return bool(_plugin_math_block(state, start_line, end_line, False))
    line, count = state.line, len(state.tokens)
    found = bool(_plugin_math_block(state, start_line, end_line, False))
    state.line = line
    del state.tokens[count:]
    return found


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.use(
        dollarmath_plugin,
        allow_labels=False,
        allow_space=False,
        allow_digits=False,
        allow_blank_lines=False,
        double_inline=True,
    )
    # A display block may follow a line of text directly ("Let\n$$A = ...$$"), as it may in
    # LaTeX: let it interrupt a paragraph, which the plugin's default does not.
    md.block.ruler.at(
        "math_block", _math_block, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    for name in _MATH_TOKENS:
        md.add_render_rule(name, _render_math)
    # "javascript:" links are refused by markdown-it's own validateLink.
    return md


def render_markdown(text: str) -> str:
    """Render question Markdown with maths to HTML; formulas become MathML ``<math>`` elements.

    Raw HTML is escaped, and a formula that cannot be converted is shown as code rather than
    breaking the page (:func:`find_math_errors` reports it to authors).

    :param text: Markdown with ``$...$`` and ``$$...$$`` maths.
    :returns: an HTML fragment.
    """
    return _markdown().render(text)


def render_markdown_inline(text: str) -> str:
    """Render one line of Markdown with maths without a wrapping paragraph (choice labels).

    :param text: inline Markdown with ``$...$`` maths.
    :returns: an HTML fragment with phrasing content only.
    """
    return _markdown().renderInline(text)


def find_math_errors(text: str) -> list[str]:
    """List the formulas in ``text`` that cannot be converted to MathML.

    :param text: Markdown with maths.
    :returns: one message per broken formula (empty when all render).
    """
    errors: list[str] = []
    stack = list(_markdown().parse(text))
    while stack:
        token = stack.pop(0)
        if token.children:
            stack[:0] = token.children
        if token.type in _MATH_TOKENS:
            try:
                latex_to_mathml(token.content, token.type != "math_inline")
            except MathError as exc:
                errors.append(str(exc))
    return errors
