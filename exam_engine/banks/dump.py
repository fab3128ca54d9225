"""Write a question back to YAML in the bank's house style, byte for byte stable.

The style is the one authors write by hand: block mappings and lists, flow lists for short
lists of names (``tags: [a, b]``), flow mappings for an author test's responses and expected
scores, ``|`` blocks for text over several lines, and plain scalars unless YAML needs quotes
(then double quotes, or single quotes when the text holds backslashes, as LaTeX does).

Every scalar form is checked by loading it back, so the dump always reloads to the same data.
:func:`dump_question` of a loaded file in this style gives its exact bytes; with ``original``,
top-level sections whose value did not change keep their original text, comments included.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FLOW_LIST_KEYS = frozenset({"tags", "variables", "forbidden_words", "answer"})
FLOW_MAP_KEYS = frozenset({"parts", "expected"})
QUOTED_KEYS = frozenset({"response", "parts"})  # author-test responses are always quoted
WIDTH = 100
_TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:")
INDENT = "  "


def _load(text: str) -> Any:
    """Load with libyaml and with PyYAML's own loader; text they read differently fails."""
    try:
        fast = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
        slow = yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        return _Failed
    return fast if fast == slow else _Failed


class _Failed:
    """Marks text that did not load (never equal to real data)."""


def _printable(char: str) -> bool:
    """Whether YAML allows the character as it is (YAML 1.1's printable set)."""
    code = ord(char)
    return (
        0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        and code not in (0x2028, 0x2029)
        or 0xE000 <= code <= 0xFFFD
        and code != 0xFEFF
        or 0x10000 <= code <= 0x10FFFF
    )


def _double(text: str) -> str:
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif not _printable(char):
            code = ord(char)
            out.append(
                f"\\x{code:02x}"
                if code < 0x100
                else f"\\u{code:04x}"
                if code < 0x10000
                else f"\\U{code:08x}"
            )
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def scalar(value: Any, flow: bool = False, quote: bool = False) -> str:
    """Write a scalar on one line: plain when YAML reads it back the same, quoted otherwise.

    :param value: a string, number, boolean or ``None``.
    :param flow: whether it sits inside ``[...]`` or ``{...}`` (where ``,`` and brackets count).
    :param quote: always quote a string (author-test responses).
    :returns: the YAML text of the value.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    # Only printable characters outside double quotes: libyaml and PyYAML differ on the rest.
    printable = all(_printable(char) for char in text)
    plain = printable and not quote and text == text.strip()
    candidates = [text] if plain else []
    if printable and "\\" in text and "'" not in text:
        candidates.append("'" + text + "'")
    candidates.append(_double(text))
    for candidate in candidates:
        wrapped = f"[{candidate}]" if flow else f"k: {candidate}"
        loaded = _load(wrapped)
        if loaded == ([text] if flow else {"k": text}):
            return candidate
    return _double(text)


def _block_text(text: str, pad: str) -> list[str] | None:
    """A ``|`` block for multi-line text, or ``None`` when YAML would not read it back."""
    if "\n" not in text or text.startswith((" ", "\n")):
        return None
    if not all(_printable(char) or char == "\n" for char in text):
        return None
    body = text[:-1] if text.endswith("\n") else text
    chomp = "" if text.endswith("\n") and not text.endswith("\n\n") else "-"
    if text.endswith("\n\n"):
        return None
    lines = ["|" + chomp] + [(pad + line) if line else "" for line in body.split("\n")]
    if _load("k: " + "\n".join(lines) + "\n") != {"k": text}:
        return None
    return lines


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _flow(value: Any, quote: bool = False) -> str:
    if isinstance(value, dict):
        items = (f"{scalar(k, True)}: {scalar(v, True, quote)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    return "[" + ", ".join(scalar(v, True) for v in value) + "]"


def _flow_ok(key: str, value: Any) -> bool:
    if isinstance(value, list):
        return key in FLOW_LIST_KEYS and all(_is_scalar(v) for v in value)
    if isinstance(value, dict):
        return key in FLOW_MAP_KEYS and all(_is_scalar(v) for v in value.values())
    return False


def _entry(key: str, value: Any, pad: str, quote: bool = False) -> list[str]:
    """Lines for ``key: value`` at indentation ``pad``."""
    head = f"{pad}{scalar(key, True)}:"
    quote = quote or key in QUOTED_KEYS
    if isinstance(value, str) and "\n" in value:
        block = _block_text(value, pad + INDENT)
        if block is not None:
            return [f"{head} {block[0]}", *block[1:]]
    if _is_scalar(value):
        return [f"{head} {scalar(value, quote=quote)}"]
    if not value:
        return [f"{head} {'{}' if isinstance(value, dict) else '[]'}"]
    if _flow_ok(key, value):
        line = f"{head} {_flow(value, quote)}"
        if len(line) <= WIDTH or isinstance(value, list):
            return [line]
    if isinstance(value, dict):
        return [head, *_mapping(value, pad + INDENT, quote)]
    return [head, *_sequence(value, pad + INDENT)]


def _mapping(data: dict[str, Any], pad: str, quote: bool = False) -> list[str]:
    lines: list[str] = []
    for key, value in data.items():
        lines += _entry(str(key), value, pad, quote)
    return lines


def _sequence(items: list[Any], pad: str) -> list[str]:
    lines: list[str] = []
    for item in items:
        if isinstance(item, dict) and item:
            inner = _mapping(item, pad + INDENT)
            lines += [f"{pad}- {inner[0][len(pad) + 2 :]}", *inner[1:]]
        elif isinstance(item, list) and item:
            lines.append(f"{pad}- {_flow(item)}")
        elif isinstance(item, str) and "\n" in item and _block_text(item, pad + INDENT):
            block = _block_text(item, pad + INDENT) or []
            lines += [f"{pad}- {block[0]}", *block[1:]]
        elif _is_scalar(item):
            lines.append(f"{pad}- {scalar(item)}")
        else:
            lines.append(f"{pad}- {'{}' if isinstance(item, dict) else '[]'}")
    return lines


def _sections(original: str) -> tuple[list[str], dict[str, str]]:
    """Split a file into its leading lines and one text block per top-level key.

    Comment and blank lines just before a key belong to that key's block.
    """
    head: list[str] = []
    blocks: dict[str, list[str]] = {}
    pending: list[str] = []
    current: list[str] | None = None
    for line in original.splitlines(keepends=True):
        match = _TOP_KEY.match(line)
        if match:
            current = blocks.setdefault(match.group(1), [])
            current += pending + [line]
            pending = []
        elif line.strip() == "" or line.startswith("#"):
            pending.append(line)
        elif current is not None:
            current += pending + [line]
            pending = []
        else:
            head.append(line)
    if pending and current is not None:
        current += pending
    elif pending:
        head += pending
    return head, {key: "".join(lines) for key, lines in blocks.items()}


def dump_question(data: dict[str, Any], original: str | None = None) -> str:
    """Write a question mapping as YAML.

    :param data: the question (JSON-like: dicts, lists, strings, numbers, booleans).
    :param original: the file's current text; sections whose value is unchanged keep their
        text (and comments), and an unchanged question gives ``original`` itself.
    :returns: the YAML text, ending with a newline.
    """
    if original is not None and _load(original) == data:
        return original
    head: list[str] = []
    kept: dict[str, str] = {}
    if original is not None:
        head, blocks = _sections(original)
        for key, text in blocks.items():
            loaded = _load(text)
            if isinstance(loaded, dict) and key in data and loaded == {key: data[key]}:
                kept[key] = text if text.endswith("\n") else text + "\n"
    out = ["".join(head)]
    for key, value in data.items():
        out.append(kept.get(str(key)) or "\n".join(_entry(str(key), value, "")) + "\n")
    return "".join(out)


def section_text(value: dict[str, Any] | list[Any]) -> str:
    """Write one section (a mapping or a list) on its own, as the editor shows it.

    :param value: e.g. a question's ``parts`` list or ``parameters`` mapping.
    :returns: YAML text that loads back to ``value``.
    """
    lines = _mapping(value, "") if isinstance(value, dict) else _sequence(value, "")
    return "\n".join(lines) + "\n"
