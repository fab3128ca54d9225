"""Read a YAML file once and keep, for every field path, the line it was written on.

PyYAML silently keeps the last of two equal keys in a mapping; authors get a problem for that
here instead, because a duplicated ``answer:`` is exactly the kind of slip that ships a wrong key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

PathKey = tuple[str | int, ...]
# A question file is a few dozen fields; these bounds are far above any real one and far below
# what makes a request slow (a 339-byte alias bomb expands to gigabytes when walked).
MAX_NODES = 20_000
MAX_DEPTH = 40
# libyaml's safe loader when PyYAML was built with it: same results, several times faster.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Source:
    """The loaded data of one YAML file and the line of each field path (1-based)."""

    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)
    duplicates: list[tuple[PathKey, int]] = field(default_factory=list)

    def line(self, path: PathKey) -> int | None:
        """Return the line of ``path``, or of its nearest ancestor that has one.

        :param path: a field path such as ``("parts", 1, "test")``.
        :returns: a 1-based line number, or ``None`` when nothing is known.
        """
        for end in range(len(path), -1, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found
        return None


class SourceError(ValueError):
    """The text is not well-formed YAML; ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def _walk(node: yaml.Node, path: PathKey, source: Source) -> None:
    """Record the line of ``node`` and its children under ``path``."""
    source.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = (*path, key)
            if key in seen:
                source.duplicates.append((child, key_node.start_mark.line + 1))
            seen.add(key)
            # A field's line is where its key is written, not where a block value starts.
            source.lines[child] = key_node.start_mark.line + 1
            _walk(value_node, child, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), source)


def _check_shape(root: yaml.Node) -> None:
    """Refuse aliases, deep nesting and huge documents before anything walks the data.

    An alias makes the composed graph share a node, which is how a few bytes become gigabytes
    once the data is walked; question files never need one, so any shared node is refused.

    :raises SourceError: naming the first offending line.
    """
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        line = node.start_mark.line + 1
        if id(node) in seen:
            raise SourceError("YAML aliases (*name) are not allowed: write the value out", line)
        seen.add(id(node))
        if len(seen) > MAX_NODES:
            raise SourceError(f"the file has more than {MAX_NODES:,} values", line)
        if depth > MAX_DEPTH:
            raise SourceError(f"the file nests deeper than {MAX_DEPTH} levels", line)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend(((key, depth + 1), (value, depth + 1)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)


def read_yaml(text: str) -> Source:
    """Parse YAML text safely (no Python tags) and map field paths to lines.

    :param text: the file's text.
    :returns: the data and its line map.
    :raises SourceError: when the text is not valid YAML, holds more than one document, uses
        an alias, or is deeper or larger than a question file can be.
    """
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_shape(node)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise SourceError(f"invalid YAML: {exc.problem or exc}", line) from exc
    except yaml.YAMLError as exc:
        raise SourceError(f"invalid YAML: {exc}", None) from exc
    finally:
        loader.dispose()
    source = Source(data)
    if node is not None:
        _walk(node, (), source)
    return source


def format_path(path: PathKey) -> str:
    """Format a field path for people: ``("parts", 1, "test")`` -> ``parts[1].test``.

    :param path: the path.
    :returns: the dotted form.
    """
    out = ""
    for item in path:
        if isinstance(item, int):
            out += f"[{item}]"
        else:
            out += f".{item}" if out else item
    return out
