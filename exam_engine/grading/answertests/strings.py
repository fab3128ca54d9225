"""String tests: String and StringSloppy (raw text, never parsed)."""

from __future__ import annotations

from .base import Outcome, register


def _unquote(text: str) -> str:
    """Trim outer whitespace; a string in double quotes keeps its inside exactly."""
    body = text.strip() if isinstance(text, str) else ""
    if len(body) >= 2 and body[0] == '"' and body[-1] == '"':
        return body[1:-1]
    return body


@register("String", raw=True)
def t_string(student: str, teacher: str, options: str | None) -> Outcome:
    """String: the same string (outer whitespace and quotes aside), case-sensitive."""
    same = _unquote(student) == _unquote(teacher)
    return Outcome(same, "ATString_%s." % ("true" if same else "false"))


@register("StringSloppy", raw=True)
def t_string_sloppy(student: str, teacher: str, options: str | None) -> Outcome:
    """StringSloppy: the same string ignoring case and all whitespace."""

    def squash(s: str) -> str:
        return "".join(_unquote(s).split()).lower()

    same = squash(student) == squash(teacher)
    return Outcome(same, "ATStringSloppy_%s." % ("true" if same else "false"))
