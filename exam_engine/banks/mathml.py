"""LaTeX to sanitised, readable MathML: the one maths renderer for question text and the echo.

latex2mathml does the conversion; its output is then parsed into a small tree, cut down to an
element and attribute allow-list (latex2mathml copies ``\\text{...}`` verbatim and turns
``\\href`` into an attribute, so without this a formula could put markup or script into a
page), and adjusted for reading:

- every formula is drawn in display style, so fractions keep text-size digits inline;
- limits of ``lim``, sums, products, ``max``/``min`` and the like go under and over the
  operator (latex2mathml writes them as sub- and superscripts);
- brackets around a matrix stretch to its height.

The text of the tree is escaped again on the way out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser

from latex2mathml.converter import convert

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
_VOID = frozenset({"mspace", "none", "mprescripts", "malignmark", "maligngroup"})
# Operators whose limits a reader expects under (and over) them, as in printed maths.
LIMIT_OPERATORS = frozenset(
    "lim limsup liminf max min sup inf "
    "\u2211 \u220f \u2210 \u22c3 \u22c2 \u2a01 \u2a02 \u2a00 \u22c1 \u22c0".split()
)
FENCES = frozenset("( ) [ ] { } | \u2016 \u27e8 \u27e9 \u230a \u230b \u2308 \u2309".split())
MAX_SOURCE = 4000
# latex2mathml copies \text{...} into <mtext> unescaped: markup characters there are swapped for
# private-use stand-ins before converting and put back as (escaped) text afterwards, so that
# "<img ...>" typed into a text answer is shown, not dropped and never run.
_TEXT_GROUP = re.compile(r"\\(?:text|mathrm|textrm|mbox|operatorname)\{([^{}]*)\}")
_STAND_INS = {"<": "\ue000", ">": "\ue001", "&": "\ue002", '"': "\ue003"}
_RESTORE = str.maketrans({v: k for k, v in _STAND_INS.items()})
MAX_DEPTH = 60


class MathError(ValueError):
    """LaTeX that cannot be converted (or is too large or too deeply nested to try)."""


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[_Node | str] = field(default_factory=list)

    def elements(self) -> list[_Node]:
        return [c for c in self.children if isinstance(c, _Node)]

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children).strip()


class _TreeBuilder(HTMLParser):
    """Parse latex2mathml's output into allowed elements; anything else keeps only its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root")
        self.stack = [self.root]

    def _open(self, tag: str, attrs: Sequence[tuple[str, str | None]], void: bool) -> None:
        if tag not in MATHML_ELEMENTS:
            return
        node = _Node(tag, {k: v or "" for k, v in attrs if k in MATHML_ATTRIBUTES})
        self.stack[-1].children.append(node)
        if not void and tag not in _VOID:
            self.stack.append(node)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs, void=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs, void=True)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data.translate(_RESTORE))


def _limits_under(node: _Node) -> None:
    """``msub``/``msubsup`` on a limit operator become ``munder``/``munderover``."""
    kids = node.elements()
    if node.tag in ("msub", "msubsup") and kids and kids[0].tag in ("mo", "mi"):
        if kids[0].text() in LIMIT_OPERATORS:
            node.tag = "munder" if node.tag == "msub" else "munderover"
            kids[0].attrs["movablelimits"] = "false"


def _stretch_fences(node: _Node) -> None:
    """Brackets beside a table (a matrix) stretch to its height."""
    kids = node.elements()
    if not any(k.tag == "mtable" for k in kids):
        return
    for kid in kids:
        if kid.tag == "mo" and kid.text() in FENCES:
            kid.attrs.update(stretchy="true", fence="true", symmetric="true")


def _adjust(node: _Node) -> None:
    stack = [node]
    while stack:
        current = stack.pop()
        _limits_under(current)
        _stretch_fences(current)
        stack.extend(current.elements())


def _serialise(root: _Node) -> str:
    """Write the tree out, escaping all text (iteratively: no recursion limit to hit)."""
    out: list[str] = []
    stack: list[_Node | str] = list(reversed(root.children))
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)  # a closing tag queued below
            continue
        if item.tag == "#text":
            out.append(html.escape(item.attrs["value"], quote=False))
            continue
        attrs = "".join(f' {k}="{html.escape(v, quote=True)}"' for k, v in item.attrs.items())
        if item.tag in _VOID and not item.children:
            out.append(f"<{item.tag}{attrs} />")
            continue
        out.append(f"<{item.tag}{attrs}>")
        stack.append(f"</{item.tag}>")
        stack.extend(
            reversed(
                [_Node("#text", {"value": c}) if isinstance(c, str) else c for c in item.children]
            )
        )
    return "".join(out)


def _too_nested(latex: str) -> bool:
    depth = deepest = 0
    for char in latex:
        if char == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif char == "}":
            depth -= 1
    return deepest > MAX_DEPTH or latex.count("\\left") > MAX_DEPTH


@lru_cache(maxsize=4096)
def latex_to_mathml(latex: str, display: bool = False) -> str:
    """Convert one LaTeX formula to sanitised, readable MathML.

    :param latex: the formula, without ``$`` delimiters.
    :param display: block (display) maths instead of inline.
    :returns: a ``<math>`` element as a string.
    :raises MathError: when the formula cannot be converted, or is too long or too deeply
        nested to try.
    """
    if len(latex) > MAX_SOURCE or _too_nested(latex):
        raise MathError(f"cannot render the formula ${latex[:80]}$: too long or too deeply nested")
    source = _TEXT_GROUP.sub(
        lambda m: m.group(0).replace(m.group(1), "".join(_STAND_INS.get(c, c) for c in m.group(1))),
        latex,
    )
    try:
        raw = convert(source, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises many unrelated exception types
        reason = str(exc) or type(exc).__name__
        raise MathError(f"cannot render the formula ${latex}$: {reason}") from exc
    builder = _TreeBuilder()
    builder.feed(raw)
    builder.close()
    for top in builder.root.elements():
        if top.tag == "math":
            top.attrs["displaystyle"] = "true"
    _adjust(builder.root)
    return _serialise(builder.root)


def math_or_source(latex: str, display: bool = False) -> str:
    """MathML for ``latex``, or the LaTeX itself as escaped code when it cannot be converted.

    For pages (and the validation echo), which must never fail on one formula.

    :param latex: the formula.
    :param display: block (display) maths instead of inline.
    :returns: an HTML fragment that is safe to insert.
    """
    try:
        return latex_to_mathml(latex, display)
    except MathError:
        return f'<code class="math-error">{html.escape(latex)}</code>'
