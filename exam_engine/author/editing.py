"""Between the question editor's form and a question's data: both directions, with messages
that name the field (and the line inside a YAML section) of every problem."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from exam_engine import banks
from exam_engine.author.forms import QuestionForm
from exam_engine.banks.checks import parse_path
from exam_engine.banks.dump import section_text
from exam_engine.banks.source import Source, SourceError, format_path, read_yaml
from exam_engine.services.authoring import validate_question

SECTIONS = ("parameters", "conditions", "parts", "tests")
SCALARS = ("id", "title", "topic", "difficulty", "body")
LOCALISED = ("title", "body")
NEW_PARTS = """- key: a
  prompt: ""
  input: algebraic
  answer: "1"
"""


@dataclass
class Parsed:
    """The question built from a form, or the messages per form field when it is invalid."""

    data: dict[str, Any]
    errors: dict[str, list[str]] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the question is valid."""
        return not self.errors


def form_from_data(form: QuestionForm, data: dict[str, Any], base_hash: str | None) -> None:
    """Fill the editor from a question's data.

    :param form: the form.
    :param data: the question.
    :param base_hash: the content hash the file had when it was read.
    """
    for name in SCALARS:
        value = data.get(name, "")
        if name in LOCALISED and isinstance(value, dict):
            getattr(form, f"{name}_ko").data = value.get("ko", "")
            value = value.get("en", "")
        getattr(form, name).data = value
    form.tags.data = ", ".join(str(t) for t in data.get("tags", []))
    points = data.get("points")
    form.points.data = "" if points is None else str(points)
    params = data.get("parameters") or {}
    form.parameters.data = section_text(params) if params else ""
    form.conditions.data = "\n".join(str(c) for c in data.get("conditions", []))
    form.parts.data = section_text(data.get("parts", []))
    form.tests.data = section_text(data["tests"]) if data.get("tests") else ""
    form.base_hash.data = base_hash or ""


def _number(text: str) -> int | float | str:
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in text else value


def _section(parsed: Parsed, name: str, text: str, kind: type) -> Any:
    if not text.strip():
        return None
    try:
        source = read_yaml(text)
    except SourceError as exc:
        where = _("line %(line)s: ", line=exc.line) if exc.line else ""
        parsed.errors.setdefault(name, []).append(where + str(exc))
        return None
    parsed.sources[name] = source
    if not isinstance(source.data, kind):
        what = _("a list") if kind is list else _("a mapping of name: definition")
        parsed.errors.setdefault(name, []).append(_("must be %(what)s", what=what))
        return None
    return source.data


def _local(english: str, korean: str) -> str | dict[str, str]:
    """A text in English only, or in both languages when the Korean field is filled."""
    return {"en": english, "ko": korean} if korean.strip() else english


def data_from_form(form: QuestionForm) -> Parsed:
    """Build the question from the editor and validate it like a bank file.

    :param form: the submitted form.
    :returns: the data, and the messages by form field (empty when valid).
    """
    data: dict[str, Any] = {"id": (form.id.data or "").strip()}
    data["title"] = _local(form.title.data or "", form.title_ko.data or "")
    data["topic"] = form.topic.data
    parsed = Parsed(data)
    tags = [t.strip() for t in (form.tags.data or "").split(",") if t.strip()]
    if tags:
        data["tags"] = tags
    data["difficulty"] = form.difficulty.data
    if (form.points.data or "").strip():
        data["points"] = _number(form.points.data.strip())
    data["body"] = _local(
        (form.body.data or "").replace("\r\n", "\n"),
        (form.body_ko.data or "").replace("\r\n", "\n"),
    )
    params = _section(parsed, "parameters", form.parameters.data or "", dict)
    if params:
        data["parameters"] = params
    conditions = [c.strip() for c in (form.conditions.data or "").splitlines() if c.strip()]
    if conditions:
        data["conditions"] = conditions
    data["parts"] = _section(parsed, "parts", form.parts.data or "", list) or []
    tests = _section(parsed, "tests", form.tests.data or "", list)
    if tests:
        data["tests"] = tests
    if parsed.errors:
        return parsed
    for problem in validate_question(data):
        _place(parsed, problem)
    return parsed


def _place(parsed: Parsed, problem: banks.Problem) -> None:
    """Attach a problem to the form field it is about, with the line inside a YAML section."""
    path = parse_path(problem.field)
    name = str(path[0]) if path else "id"
    target = name if name in (*SCALARS, *SECTIONS, "tags", "points") else "id"
    prefix = ""
    source = parsed.sources.get(target)
    if source is not None and len(path) > 1:
        line = source.line(path[1:])
        where = format_path(path[1:])
        prefix = _("%(field)s (line %(line)s): ", field=where, line=line) if line else where + ": "
    elif target == "conditions" and len(path) > 1:
        prefix = _("condition %(n)s: ", n=int(path[1]) + 1)
    parsed.errors.setdefault(target, []).append(prefix + problem.message)
