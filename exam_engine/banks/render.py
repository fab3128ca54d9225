"""Markdown with ``$...$`` / ``$$...$$`` maths to HTML with MathML, rendered on the server.

Raw HTML in Markdown is disabled (it is shown as text), and the MathML that latex2mathml
produces is passed through an element and attribute allow-list, because latex2mathml copies
``\\text{...}`` verbatim and turns ``\\href`` into an attribute: a question must never be able
to put script into a candidate's page.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from functools import lru_cache
from html.parser import HTMLParser

from latex2mathml.converter import convert
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

MATHML_ELEMENTS = frozenset(
    "math mrow mi mn mo mtext mspace ms mfrac msqrt mroot msub msup msubsup munder mover "
    "munderover mtable mtr mtd mstyle mpadded mphantom menclose merror semantics annotation "
    "mmultiscripts mprescripts none mlabeledtr maligngroup malignmark mfenced".split()
)
MATHML_ATTRIBUTES = frozenset(
    "xmlns display mathvariant stretchy fence separator separators form minsize maxsize "
    "linethickness accent accentunder columnalign rowalign rowspacing columnspacing columnlines "
    "rowlines frame width height depth lspace rspace symmetric largeop movablelimits "
    "displaystyle scriptlevel open close notation align mathsize encoding".split()
)


class MathError(ValueError):
    """LaTeX that latex2mathml cannot convert."""


class _MathSanitiser(HTMLParser):
    """Re-emit only allowed MathML elements and attributes; all text is escaped again."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def _tag(self, tag: str, attrs: Sequence[tuple[str, str | None]], close: bool) -> None:
        if tag not in MATHML_ELEMENTS:
            return
        kept = "".join(
            f' {name}="{html.escape(value or "", quote=True)}"'
            for name, value in attrs
            if name in MATHML_ATTRIBUTES
        )
        self.out.append(f"<{tag}{kept}{' /' if close else ''}>")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, close=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, close=True)

    def handle_endtag(self, tag: str) -> None:
        if tag in MATHML_ELEMENTS:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))


@lru_cache(maxsize=4096)
def latex_to_mathml(latex: str, display: bool = False) -> str:
    """Convert one LaTeX formula to sanitised MathML.

    :param latex: the formula, without ``$`` delimiters.
    :param display: block (display) maths instead of inline.
    :returns: a ``<math>`` element as a string.
    :raises MathError: when the formula cannot be converted.
    """
    try:
        raw = convert(latex, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises many unrelated exception types
        reason = str(exc) or type(exc).__name__
        raise MathError(f"cannot render the formula ${latex}$: {reason}") from exc
    sanitiser = _MathSanitiser()
    sanitiser.feed(raw)
    sanitiser.close()
    return "".join(sanitiser.out)


def _math_or_source(latex: str, display: bool) -> str:
    try:
        return latex_to_mathml(latex, display)
    except MathError:
        return f'<code class="math-error">{html.escape(latex)}</code>'


def _math_inline(state: StateInline, silent: bool) -> bool:
    """``$...$`` (inline) and ``$$...$$`` (display) inside a paragraph."""
    src, start = state.src, state.pos
    if src[start] != "$":
        return False
    display = src.startswith("$$", start)
    opener = 2 if display else 1
    if not display and (start + 1 >= state.posMax or src[start + 1].isspace()):
        return False  # "costs $ 5" is not maths
    end = src.find("$$" if display else "$", start + opener)
    while end != -1 and src[end - 1] == "\\":
        end = src.find("$$" if display else "$", end + 1)
    if end == -1 or end > state.posMax or end == start + opener:
        return False
    content = src[start + opener : end]
    if not display and (content[-1].isspace() or src[end + 1 : end + 2].isdigit()):
        return False
    if not silent:
        token = state.push("math_display" if display else "math_inline", "math", 0)
        token.content = content.strip()
    state.pos = end + opener
    return True


def _math_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A block that starts with ``$$`` and ends with the next ``$$`` at the end of a line.

    Text after a closing ``$$`` on the first line, or a blank line before the closing ``$$``,
    means this is not a block: the inline rule handles it.
    """
    begin = state.bMarks[start_line] + state.tShift[start_line]
    first = state.src[begin : state.eMarks[start_line]].rstrip()
    if state.sCount[start_line] - state.blkIndent >= 4 or not first.startswith("$$"):
        return False
    body = first[2:]
    if "$$" in body and not (body.endswith("$$") and body.index("$$") == len(body) - 2):
        return False
    line = start_line
    while not body.endswith("$$") or (line == start_line and body.strip() == ""):
        line += 1
        if line >= end_line:
            return False
        text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]].rstrip()
        if not text or ("$$" in text and not text.endswith("$$")):
            return False
        body += "\n" + text
    if silent:
        return True
    state.line = line + 1
    token = state.push("math_block", "math", 0)
    token.block = True
    token.content = body.rstrip()[:-2].strip()
    token.map = [start_line, state.line]
    return True


def _render_math(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    mathml = _math_or_source(token.content, display=token.type != "math_inline")
    return mathml + "\n" if token.type == "math_block" else mathml


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.inline.ruler.before("escape", "math_inline", _math_inline)
    md.block.ruler.before(
        "fence",
        "math_block",
        _math_block,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    for name in ("math_inline", "math_display", "math_block"):
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
        if token.type in ("math_inline", "math_display", "math_block"):
            try:
                latex_to_mathml(token.content, token.type != "math_inline")
            except MathError as exc:
                errors.append(str(exc))
    return errors
