"""A Pratt parser over our own tokens: text -> :class:`Node` tree, nothing is ever evaluated.

Only whitelisted operators, functions (``names.FUNCTIONS``), constants and names are accepted.
The tree keeps what the candidate wrote (float spellings, implicit products) so that the
validation echo, the form-checking answer tests and the "floats forbidden" check can use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from . import messages as M
from .names import (
    BINARY_WORDS,
    CONSTANTS,
    FUNCTIONS,
    GREEK_NAMES,
    PREFIX_WORDS,
    PYTHON_KEYWORDS,
    UNKNOWN_CAS_COMMANDS,
    closest_function,
    function_name,
)
from .tokens import EOF, NAME, NUM, OP, Token, tokenise
from .tree import MAX_DEPTH, Ctx, Node, check_brackets, split_name
from .types import ParseError

BINARY_BP: dict[str, int] = {
    ":": 5,
    "implies": 8,
    "or": 10,
    "xor": 10,
    "xnor": 10,
    "and": 20,
    "=": 30,
    "#": 30,
    "<": 30,
    "<=": 30,
    ">": 30,
    ">=": 30,
    "union": 35,
    "intersect": 36,
    "+": 40,
    "-": 40,
    "#pm#": 40,
    "*": 50,
    "/": 50,
    "^": 70,
    "**": 70,
}
IMPLICIT_BP = 50
UNARY_MINUS_BP = 60


@dataclass
class _Parser:
    """Recursive-descent (Pratt) parser, internal: use :func:`parse_tree`."""

    tokens: list[Token]
    text: str
    ctx: Ctx
    i: int = 0
    depth: int = 0
    abs_depth: int = 0
    implicit_at: list[int] = field(default_factory=list)

    # -- token helpers -------------------------------------------------------------------
    def peek(self, k: int = 0) -> Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def next(self) -> Token:
        t = self.tokens[self.i]
        self.i = min(self.i + 1, len(self.tokens) - 1)
        return t

    def expect(self, text: str) -> Token:
        t = self.peek()
        if t.kind == OP and t.text == text:
            return self.next()
        raise self.syntax(t)

    def syntax(self, t: Token) -> ParseError:
        if t.kind == EOF:
            return ParseError(M.SYNTAX_END, "syntax")
        near = self.text[t.pos : t.pos + 12]
        return ParseError(M.SYNTAX, "syntax", {"near": f'"{near}"'})

    def at(self, text: str) -> bool:
        t = self.peek()
        return t.kind == OP and t.text == text

    # -- the Pratt loop ------------------------------------------------------------------
    def expr(self, rbp: int = 0) -> Node:
        self.depth += 1
        if self.depth > 2 * MAX_DEPTH:
            raise ParseError(M.TOO_DEEP, "too_deep", {"limit": str(MAX_DEPTH)})
        left = self.nud(self.next())
        while True:
            t = self.peek()
            op, bp = self.binary(t)
            if bp <= rbp:
                break
            if op == "implicit":
                left = self.implicit(left, t)
            elif op == "!":
                self.next()
                left = Node("fact", "!", (left,), t.pos)
            else:
                self.next()
                right_bp = bp - 1 if op in ("^", "**") else bp
                right = self.expr(right_bp)
                name = "^" if op == "**" else op
                left = Node("op", name, (left, right), t.pos)
        self.depth -= 1
        return left

    def binary(self, t: Token) -> tuple[str, int]:
        """Return the operator a token stands for in infix position, and its binding power."""
        if t.kind == OP:
            if t.text in BINARY_BP:
                return t.text, BINARY_BP[t.text]
            if t.text == "!":
                return "!", 80
            if t.text == "(":
                return "implicit", IMPLICIT_BP
            if t.text == "|":
                return ("", 0) if self.abs_depth else ("implicit", IMPLICIT_BP)
            if t.text == ":=":
                return ":=", BINARY_BP[":"]
            if t.text in ("==", "!="):
                raise ParseError(M.SYNTAX, "syntax", {"near": f'"{t.text}"'})
            return "", 0
        if t.kind == NAME:
            if t.text in BINARY_WORDS:
                word = BINARY_WORDS[t.text]
                return word, BINARY_BP[word]
            return "implicit", IMPLICIT_BP
        if t.kind == NUM:
            return "implicit", IMPLICIT_BP
        return "", 0

    def implicit(self, left: Node, t: Token) -> Node:
        if t.kind == NUM and left.kind in ("num", "neg") and _ends_in_number(left):
            near = self.text[max(0, t.pos - 6) : t.pos + len(t.text)]
            raise ParseError(M.TWO_NUMBERS, "two_numbers", {"near": near.strip()})
        self.implicit_at.append(t.pos)
        right = self.expr(IMPLICIT_BP)
        return Node("op", "*", (left, right), t.pos)

    # -- prefix positions -----------------------------------------------------------------
    def nud(self, t: Token) -> Node:
        if t.kind == NUM:
            return Node("num", t.text, (), t.pos)
        if t.kind == NAME:
            return self.name(t)
        if t.kind == OP:
            if t.text == "(":
                return self.group(t, ")")
            if t.text == "[":
                return self.group(t, "]")
            if t.text == "{":
                items = self.items("}")
                return Node("set", "", tuple(items), t.pos)
            if t.text == "-":
                return Node("neg", "-", (self.expr(UNARY_MINUS_BP),), t.pos)
            if t.text == "+":
                return Node("pos", "+", (self.expr(UNARY_MINUS_BP),), t.pos)
            if t.text == "#pm#":
                return Node("upm", "#pm#", (self.expr(UNARY_MINUS_BP),), t.pos)
            if t.text == "'":
                return self.nud(self.next())
            if t.text == "|":
                self.abs_depth += 1
                inner = self.expr(0)
                self.expect("|")
                self.abs_depth -= 1
                return Node("call", "abs", (inner,), t.pos)
        raise self.syntax(t)

    def items(self, close: str) -> list[Node]:
        out: list[Node] = []
        if self.at(close):
            self.next()
            return out
        while True:
            out.append(self.expr(0))
            if self.at(","):
                self.next()
                continue
            self.expect(close)
            return out

    def group(self, t: Token, close: str) -> Node:
        """``(...)``, ``[...]``: grouping, tuples, lists, and ``(a,b]`` intervals."""
        if self.at(close):
            self.next()
            return Node("list" if close == "]" else "tuple", "", (), t.pos)
        first = self.expr(0)
        items = [first]
        while self.at(","):
            self.next()
            items.append(self.expr(0))
        end = self.peek()
        if self.ctx.intervals and len(items) == 2 and end.kind == OP and end.text in ")]":
            self.next()
            kind = ("o" if t.text == "(" else "c") + ("o" if end.text == ")" else "c")
            return Node("interval", kind, tuple(items), t.pos)
        self.expect(close)
        if close == "]":
            return Node("list", "", tuple(items), t.pos)
        if len(items) == 1:
            return first
        return Node("tuple", "", tuple(items), t.pos)

    def name(self, t: Token) -> Node:
        word = t.text
        ctx = self.ctx
        if word in PREFIX_WORDS:
            return Node("not", "not", (self.expr(25),), t.pos)
        if word in BINARY_WORDS:
            raise self.syntax(t)
        if not ctx.teacher:
            self.refuse_keyword(t)
        followed = self.at("(")
        if word in ctx.variables:
            if self.at("[") and not followed:
                return self.index(t)
            return Node("name", word, (), t.pos)
        canon = function_name(word)
        if canon is not None and word not in CONSTANTS:
            if not followed and word in GREEK_NAMES:
                return self.plain_name(t)
            if not followed and self.at("|") and not self.abs_depth and FUNCTIONS[canon][0] <= 1:
                return Node("call", canon, (self.nud(self.next()),), t.pos)  # ln|x|
            if not followed:
                return self.bare_function(t, canon)
            self.next()
            return Node("call", canon, tuple(self.items(")")), t.pos)
        if word in ctx.functions or (ctx.teacher and followed and word not in CONSTANTS):
            if followed:
                self.next()
                return Node("ufunc", word, tuple(self.items(")")), t.pos)
        if canon is not None and followed:  # "oo(1,2)" style interval functions
            self.next()
            return Node("call", canon, tuple(self.items(")")), t.pos)
        if word in CONSTANTS:
            return Node("const", CONSTANTS[word], (), t.pos)
        if self.at("["):
            return self.index(t)
        if followed and len(word) > 1 and word not in GREEK_NAMES:
            return self.unknown_call(t)
        return self.plain_name(t)

    def refuse_keyword(self, t: Token) -> None:
        """Python keywords are not names: ``import os`` is not a product of two variables."""
        word = t.text
        if word in self.ctx.variables:
            return
        if word == "lambda":
            nxt = self.peek()
            python_like = nxt.kind == NAME or (nxt.kind == OP and nxt.text == ":")
            if not python_like:
                return  # the Greek letter λ
        elif word not in PYTHON_KEYWORDS or split_name(word, self.ctx.variables) is not None:
            return
        raise ParseError(M.PYTHON_KEYWORD, "keyword", {"name": word})

    def index(self, t: Token) -> Node:
        self.next()
        items = self.items("]")
        if not items:
            raise self.syntax(self.peek())
        return Node("index", t.text, tuple(items), t.pos)

    def bare_function(self, t: Token, canon: str) -> Node:
        nxt = self.peek()
        if nxt.kind == OP and nxt.text in ("^", "**"):
            power = self.peek(1).text if self.peek(1).kind == NUM else "2"
            raise ParseError(
                M.POWER_OF_FUNCTION, "function_power", {"name": t.text, "power": power}
            )
        raise ParseError(M.NO_ARGUMENT, "no_argument", {"name": t.text})

    def unknown_call(self, t: Token) -> Node:
        """An unknown multi-letter name followed by ``(``: a product, or a misspelt function."""
        parts = split_name(t.text, self.ctx.variables)
        if parts is not None:
            return self.split_product(t, parts)
        if t.text in UNKNOWN_CAS_COMMANDS:
            raise ParseError(M.CAS_COMMAND, "cas_command", {"name": t.text})
        guess = closest_function(t.text)
        if guess is not None:
            rest = t.text[len(guess) :] if t.text.startswith(guess) else ""
            suggestion = f"{guess}({rest}...)" if rest else f"{guess}(...)"
            raise ParseError(
                M.UNKNOWN_FUNCTION, "unknown_function", {"name": t.text, "suggestion": suggestion}
            )
        raise ParseError(M.UNKNOWN_FUNCTION_PLAIN, "unknown_function", {"name": t.text})

    def plain_name(self, t: Token) -> Node:
        word = t.text
        ctx = self.ctx
        if word in ctx.variables or word in GREEK_NAMES or len(word) == 1:
            return self._checked_name(t, word)
        if word[0] == "%":
            raise ParseError(
                M.UNKNOWN_VARIABLE,
                "unknown_variable",
                {"name": word, "variables": ", ".join(sorted(ctx.variables))},
            )
        parts = split_name(word, ctx.variables) if ctx.variables else None
        if parts is not None and not ctx.teacher:
            return self.split_product(t, parts)
        return self._checked_name(t, word)

    def _checked_name(self, t: Token, word: str) -> Node:
        if self.ctx.strict_names and word not in self.ctx.variables:
            raise ParseError(
                M.UNKNOWN_VARIABLE,
                "unknown_variable",
                {"name": word, "variables": ", ".join(sorted(self.ctx.variables)) or "-"},
            )
        return Node("name", word, (), t.pos)

    def split_product(self, t: Token, parts: list[str]) -> Node:
        """``xy`` with declared variables x and y: the product x*y (an implicit product).

        A power or factorial that follows binds to the last variable: ``xy^2`` is x*y^2.
        """
        offset = 0
        leaves: list[Node] = []
        for part in parts:
            is_const = part in CONSTANTS and part not in self.ctx.variables
            kind, value = ("const", CONSTANTS[part]) if is_const else ("name", part)
            leaves.append(Node(kind, value, (), t.pos + offset))
            offset += len(part)
        last = leaves[-1]
        while True:
            nxt = self.peek()
            if nxt.kind == OP and nxt.text in ("^", "**"):
                self.next()
                last = Node("op", "^", (last, self.expr(BINARY_BP["^"] - 1)), nxt.pos)
            elif nxt.kind == OP and nxt.text == "!":
                self.next()
                last = Node("fact", "!", (last,), nxt.pos)
            else:
                break
        leaves[-1] = last
        node = leaves[0]
        for leaf in leaves[1:]:
            self.implicit_at.append(leaf.pos)
            node = Node("op", "*", (node, leaf), leaf.pos)
        return node


def _ends_in_number(node: Node) -> bool:
    while node.kind == "neg":
        node = node.args[0]
    return node.kind == "num"


def parse_tree(text: str, ctx: Ctx) -> tuple[Node, list[int]]:
    """Parse normalised text into a tree.

    :param text: normalised answer text (see :mod:`.normalise`).
    :param ctx: how to read names.
    :returns: the tree and the positions where an implicit ``*`` was read.
    :raises ParseError: when the text is not a valid answer.
    """
    tokens = tokenise(text)
    if tokens[0].kind == EOF:
        raise ParseError(M.EMPTY, "empty")
    check_brackets(tokens, ctx.intervals)
    if len(tokens) > 2 and tokens[0].kind == NAME and tokens[1].text == "(":
        if any(t.kind == OP and t.text == ":=" for t in tokens):  # f(x) := ... defines f
            ctx = replace(ctx, functions=ctx.functions | {tokens[0].text})
    p = _Parser(tokens, text, ctx)
    tree = p.expr(0)
    if p.peek().kind != EOF:
        raise p.syntax(p.peek())
    return tree, p.implicit_at


__all__ = ["Ctx", "Node", "parse_tree", "FUNCTIONS"]
