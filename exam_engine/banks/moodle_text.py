"""Text helpers for the Moodle XML import: HTML to Markdown, STACK's random draws, ids."""

from __future__ import annotations

import html
import re

_RAND = re.compile(r"^rand\(\s*(-?\d+)\s*\)$")
_RAND_PLUS = re.compile(
    r"^rand\(\s*(\d+)\s*\)\s*([+-])\s*(\d+)$|^(\d+)\s*\+\s*rand\(\s*(\d+)\s*\)$"
)
_RAND_LIST = re.compile(r"^rand\(\s*(\[.*\])\s*\)$", re.DOTALL)
_RAND_STEP = re.compile(r"^rand_with_step\(([^,]+),([^,]+),([^,]+)\)$")
_RAND_PROHIB = re.compile(r"^rand_with_prohib\(([^,]+),([^,]+),\s*(\[.*\])\s*\)$")
_ASSIGN = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)\s*:(?!=)\s*(.+)$", re.DOTALL)


def definition(value: str) -> str | None:
    """Translate a STACK random draw into our parameter syntax.

    :param value: the right-hand side of a question variable, e.g. ``rand(5)+2``.
    :returns: our definition (``randint(2, 6)``), or ``None`` when it is not a draw we know.
    """
    value = value.strip()
    if match := _RAND.match(value):
        top = int(match.group(1))
        return f"randint(0, {top - 1})" if top > 0 else None
    if match := _RAND_PLUS.match(value):
        if match.group(1):
            top, sign, shift = int(match.group(1)), match.group(2), int(match.group(3))
            shift = shift if sign == "+" else -shift
        else:
            shift, top = int(match.group(4)), int(match.group(5))
        return f"randint({shift}, {top - 1 + shift})" if top > 0 else None
    if match := _RAND_LIST.match(value):
        return f"choice({match.group(1)})"
    if match := _RAND_STEP.match(value):
        low, high, step = (x.strip() for x in match.groups())
        return f"randint({low}, {high}, step={step})"
    if match := _RAND_PROHIB.match(value):
        low, high, banned = (x.strip() for x in match.groups())
        return f"randint({low}, {high}, exclude={banned})"
    return None


def split_statements(text: str, notes: list[str]) -> list[tuple[str, str]]:
    """Split STACK question variables into ``(name, expression)`` assignments.

    :param text: the question variables (Maxima statements separated by ``;``).
    :param notes: collects what was skipped.
    :returns: the assignments, in order.
    """
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.DOTALL)
    statements: list[str] = []
    depth, start = 0, 0
    for index, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char in ";$" and depth == 0:
            statements.append(text[start:index])
            start = index + 1
    statements.append(text[start:])
    found: list[tuple[str, str]] = []
    for statement in (s.strip() for s in statements):
        if not statement:
            continue
        match = _ASSIGN.match(statement)
        if match is None:
            notes.append(f"question variables: {statement!r} is not an assignment; skipped")
            continue
        found.append((match.group(1), " ".join(match.group(2).split())))
    return found


def html_to_markdown(text: str, parameters: dict[str, str], notes: list[str]) -> str:
    """Turn STACK's HTML with ``\\(..\\)`` maths and ``{@x@}`` values into our Markdown.

    :param text: the HTML.
    :param parameters: our parameter names (``{@a@}`` becomes ``{{a}}``).
    :param notes: collects CAS text that could not be kept.
    :returns: Markdown with ``$...$`` maths.
    """
    text = re.sub(r"\[\[(input|validation|feedback):[^\]]*\]\]", "", text)
    text = re.sub(r"(?i)<br\s*/?>", "\n", text)
    text = re.sub(r"(?i)</p\s*>|</div\s*>", "\n\n", text)
    text = re.sub(r"(?i)<li[^>]*>", "\n- ", text)
    text = re.sub(r"<[^>]*>", "", text)
    text = html.unescape(text).replace("$", "\\$")
    text = text.replace("\\(", "$").replace("\\)", "$").replace("\\[", "$$").replace("\\]", "$$")

    def value(match: re.Match[str]) -> str:
        inner = match.group(1).strip()
        if inner in parameters:
            braced = match.start() > 0 and text[match.start() - 1] in "^_"
            return "{ {{" + inner + "}} }" if braced else "{{" + inner + "}}"
        notes.append(f"CAS text {match.group(0)!r} is not a question variable; kept as code")
        return f"`{inner}`"

    text = re.sub(r"\{[@#](.*?)[@#]\}", value, text)
    lines = [line.rstrip() for line in text.replace("\r", "").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def slug(name: str, used: set[str]) -> str:
    """A question id from a Moodle name, unique among ``used`` (which it joins).

    :param name: the question's name.
    :param used: the ids taken so far.
    :returns: the new id.
    """
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].strip("-") or "stack-question"
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    used.add(candidate)
    return candidate
