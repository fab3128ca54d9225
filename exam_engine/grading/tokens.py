"""Tokeniser: answer text -> a list of tokens, with a whitelist of characters."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import messages as M
from .types import ParseError

NUM, NAME, OP, EOF = "num", "name", "op", "eof"

_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NAME = re.compile(r"%?[A-Za-z_][A-Za-z0-9_]*")
_OPS = (
    "#pm#",
    "**",
    "<=",
    ">=",
    "==",
    "!=",
    ":=",
    "+",
    "-",
    "*",
    "/",
    "^",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    "=",
    "#",
    "<",
    ">",
    "!",
    "|",
    "'",
    ":",
    "&",
    ";",
)
_SPACE = " \t\r\n"
_DIGITS = "0123456789"

MAX_TOKENS = 6000
MAX_NUMBER_DIGITS = 1000


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, its text and where it starts in the normalised text."""

    kind: str
    text: str
    pos: int
    space_before: bool = False


def tokenise(text: str, max_tokens: int = MAX_TOKENS) -> list[Token]:
    """Split normalised answer text into tokens.

    :param text: the normalised text.
    :param max_tokens: the most tokens accepted.
    :returns: the tokens, ending with an ``eof`` token.
    :raises ParseError: on a character outside the whitelist, an over-long number, or too
        many tokens.
    """
    out: list[Token] = []
    i, n = 0, len(text)
    space = False
    while i < n:
        ch = text[i]
        if ch in _SPACE:
            i += 1
            space = True
            continue
        if len(out) >= max_tokens:
            raise ParseError(M.TOO_MANY_TOKENS, "too_long", {"limit": str(max_tokens)})
        if ch in _DIGITS or (ch == "." and i + 1 < n and text[i + 1] in _DIGITS):
            m = _NUMBER.match(text, i)
            assert m is not None
            word = m.group(0)
            if len(word) > MAX_NUMBER_DIGITS:
                raise ParseError(M.NUMBER_TOO_LONG, "number_too_long")
            out.append(Token(NUM, word, i, space))
            i = m.end()
        elif ch.isascii() and (ch.isalpha() or ch == "_" or ch == "%"):
            m = _NAME.match(text, i)
            if m is None:
                raise ParseError(M.BAD_CHAR, "bad_char", {"char": ch})
            out.append(Token(NAME, m.group(0), i, space))
            i = m.end()
        elif text.startswith("+-", i):  # STACK reads +- as plus-or-minus: x=+-2
            out.append(Token(OP, "#pm#", i, space))
            i += 2
        else:
            for op in _OPS:
                if text.startswith(op, i):
                    out.append(Token(OP, op, i, space))
                    i += len(op)
                    break
            else:
                shown = ch if ch.isprintable() else f"U+{ord(ch):04X}"
                raise ParseError(M.BAD_CHAR, "bad_char", {"char": shown})
        space = False
    out.append(Token(EOF, "", n, space))
    return out
