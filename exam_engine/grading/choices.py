"""Choice inputs: single choice (one key) and multiple choice (a set of keys)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from . import messages as M
from .types import GradeResult, PartSettings, Rule, Validation

_KEY = re.compile(r"^[A-Za-z0-9_\-]{1,40}$")
MAX_CHOICE_CHARS = 2000


def parse_keys(text: str) -> list[str]:
    """Read ``"a"``, ``"a,c"`` or ``"{a, c}"`` into a list of keys.

    :param text: the response.
    :returns: the keys in the order given (duplicates removed).
    :raises ValueError: with a message template when a key is malformed.
    """
    body = text.strip()
    if body.startswith("{") and body.endswith("}") or body.startswith("[") and body.endswith("]"):
        body = body[1:-1]
    keys: list[str] = []
    for part in body.split(","):
        key = part.strip()
        if not key:
            continue
        if not _KEY.match(key):
            raise ValueError(key)
        if key not in keys:
            keys.append(key)
    return keys


def validate_choice(text: str, settings: PartSettings) -> Validation:
    """Validate a choice, multichoice or string response.

    :param text: the response.
    :param settings: the part's settings (``choices`` lists the allowed keys).
    :returns: the validation.
    """
    if not isinstance(text, str) or not text.strip():
        return Validation(
            False, "", M.NO_CHOICE if settings.input_type != "string" else M.EMPTY, {}, "empty"
        )
    if len(text) > MAX_CHOICE_CHARS:
        return Validation(
            False,
            "",
            M.TOO_LONG,
            {"length": str(len(text)), "limit": str(MAX_CHOICE_CHARS)},
            "too_long",
        )
    if settings.input_type == "string":
        if any(not c.isprintable() for c in text):
            return Validation(False, "", M.BAD_CHAR, {"char": "?"}, "bad_char")
        return Validation(True, _text(text))
    try:
        keys = parse_keys(text)
    except ValueError as exc:
        return Validation(False, "", M.BAD_CHOICE, {"choice": str(exc)[:40]}, "bad_choice")
    if not keys:
        return Validation(False, "", M.NO_CHOICE, {}, "empty")
    if settings.input_type == "choice" and len(keys) > 1:
        return Validation(False, "", M.BAD_CHOICE, {"choice": ",".join(keys)}, "bad_choice")
    for key in keys:
        if settings.choices and key not in settings.choices:
            return Validation(False, "", M.BAD_CHOICE, {"choice": key}, "bad_choice")
    return Validation(True, _text(", ".join(keys)))


def _text(s: str) -> str:
    safe = "".join(c for c in s.strip() if c.isprintable())[:200]
    for ch in "\\{}$&#^_%~":
        safe = safe.replace(ch, " ")
    return rf"\text{{{safe}}}"


def grade_choice(response: str, rules: Sequence[Rule], settings: PartSettings) -> GradeResult:
    """Grade a choice or multichoice response against rules whose answers are keys.

    A rule passes on an exact match of the chosen key(s). For multichoice, when no rule
    matches exactly, the first rule gives partial credit by "right minus wrong":
    ``max(0, (right picks - wrong picks) / number of right keys) * rule.score``.

    :param response: the response ("a", "a,c" or "{a,c}").
    :param rules: rules with ``answer`` a key or a set of keys.
    :param settings: the part's settings.
    :returns: the result.
    """
    v = validate_choice(response, settings)
    if not v.valid:
        return GradeResult(False, 0.0, v.message, f"invalid:{v.code}", "", "")
    chosen = set(parse_keys(response))
    for rule in rules:
        try:
            wanted = set(parse_keys(rule.answer))
        except ValueError:
            continue
        if chosen == wanted:
            score = max(0.0, min(1.0, float(rule.score)))
            return GradeResult(
                score >= 1.0, score, None, rule.note or "ATChoice_True.", rule.feedback, v.display
            )
    if settings.input_type == "multichoice" and rules:
        try:
            wanted = set(parse_keys(rules[0].answer))
        except ValueError:
            wanted = set()
        if wanted:
            right = len(chosen & wanted)
            wrong = len(chosen - wanted)
            part = max(0.0, (right - wrong) / len(wanted)) * float(rules[0].score)
            if part > 0:
                return GradeResult(False, round(part, 6), None, "ATChoice_Partial.", "", v.display)
    return GradeResult(False, 0.0, None, "ATChoice_False.", "", v.display)
