"""Import STACK questions from Moodle XML into our question format, reporting what is skipped.

Supported: question variables that are random draws (``rand``, ``rand_with_step``,
``rand_with_prohib``) or expressions, algebraic/numerical/matrix inputs, and potential-response
trees whose nodes compare an input with a teacher's answer using one of our answer tests and end
a branch with a fixed score. Each node becomes a partial-credit rule, tried in order; anything
else (other inputs, ``+``/``-`` score modes, nodes chained on a true branch, feedback variables)
is skipped with a reason. Question tests become author tests.

The XML is untrusted: it is parsed with defusedxml, which refuses DTDs and entities.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from exam_engine.banks.moodle_text import definition, html_to_markdown, slug, split_statements
from exam_engine.grading import ParseError, PartSettings, parse
from exam_engine.grading.answertests import REGISTRY

MAX_XML_BYTES = 5 * 1024 * 1024
INPUT_TYPES = {"algebraic": "algebraic", "numerical": "numeric", "matrix": "matrix"}


class MoodleError(ValueError):
    """The file cannot be read as Moodle XML (too big, a DTD, or not well-formed)."""


@dataclass
class Converted:
    """One STACK question: our question data (``None`` when skipped) and what was left out."""

    name: str
    data: dict[str, Any] | None
    notes: list[str] = field(default_factory=list)


def _text(element: ET.Element | None, path: str = "text") -> str:
    if element is None:
        return ""
    found = element.find(path) if path else element
    return (found.text or "").strip() if found is not None else ""


def _number(text: str) -> int | float:
    """A score or points value, as an int when it is whole (``1.0000000`` -> ``1``)."""
    value = max(0.0, float(text or 0))
    return int(value) if value.is_integer() else value


def _child(element: ET.Element, name: str) -> str:
    found = element.find(name)
    return (found.text or "").strip() if found is not None else ""


def read_xml(text: str | bytes) -> ET.Element:
    """Parse Moodle XML safely.

    :param text: the file's content.
    :returns: the root element (``<quiz>``).
    :raises MoodleError: when it is too large, declares a DTD or entities, or is malformed.
    """
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if len(raw) > MAX_XML_BYTES:
        raise MoodleError(f"the file is larger than {MAX_XML_BYTES // 1024 // 1024} MB")
    try:
        # defusedxml refuses DTDs, entity declarations and external references in any encoding
        # the parser accepts (a regex over the bytes missed a UTF-16 file).
        return SafeET.fromstring(raw, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise MoodleError("the file declares a DTD or entities, which are not allowed") from exc
    except ET.ParseError as exc:
        raise MoodleError(f"not well-formed XML: {exc}") from exc


class _Scope:
    """Question variables split into our parameters and formulas (expressions in x, ...)."""

    def __init__(self) -> None:
        self.parameters: dict[str, str] = {}
        self.formulas: dict[str, str] = {}

    def expand(self, text: str) -> str:
        """Substitute formulas (bracketed) into an expression."""
        if text.strip() in self.formulas:
            return self.formulas[text.strip()]
        for name, value in reversed(list(self.formulas.items())):
            text = re.sub(
                rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_(])", f"({value})", text
            )
        return text

    def add(self, name: str, value: str, notes: list[str]) -> bool:
        """Add one ``name: value`` statement; ``False`` when it cannot be used."""
        generator = definition(value)
        if generator is not None:
            self.parameters[name] = generator
            return True
        expanded = self.expand(value)
        try:
            expr = parse(expanded, PartSettings(implicit_multiplication=False))
        except ParseError as exc:
            notes.append(f"question variable {name}: {value!r} is not supported ({exc.message})")
            return False
        free = {s.name for s in getattr(expr, "free_symbols", ())}
        if free <= set(self.parameters):
            self.parameters[name] = expanded
        else:
            self.formulas[name] = expanded
        return True

    def names(self, text: str) -> set[str]:
        """The free names of an expression that are not parameters (the part's variables)."""
        expr = parse(text, PartSettings(implicit_multiplication=False))
        return {s.name for s in getattr(expr, "free_symbols", ())} - set(self.parameters)


def _nodes(
    prt: ET.Element, input_name: str, scope: _Scope, notes: list[str]
) -> list[dict[str, Any]]:
    """Turn a response tree's nodes, in order, into rules (test, answer, score, feedback)."""
    prt_name = _child(prt, "name")
    rules: list[dict[str, Any]] = []
    for node in prt.findall("node"):
        label = f"{prt_name} node {_child(node, 'name')}"
        test, sans = _child(node, "answertest"), _child(node, "sans")
        if sans != input_name:
            notes.append(f"{label}: compares {sans!r}, not the input {input_name}; skipped")
            continue
        if test not in REGISTRY:
            notes.append(f"{label}: answer test {test!r} is not supported; skipped")
            continue
        if _child(node, "truescoremode") not in ("", "=") or _child(node, "truenextnode") not in (
            "",
            "-1",
        ):
            notes.append(f"{label}: the true branch adds to a score or continues; skipped")
            continue
        if float(_child(node, "falsescore") or 0) > 0 and _child(node, "falsenextnode") == "-1":
            notes.append(f"{label}: a score on the false branch cannot be a rule; ignored")
        rule: dict[str, Any] = {"answer": scope.expand(_child(node, "tans"))}
        if test != "AlgEquiv":
            rule["test"] = test
        options = _child(node, "testoptions")
        if options:
            rule["options"] = options
        rule["score"] = min(1, _number(_child(node, "truescore")))
        feedback = html_to_markdown(_text(node.find("truefeedback")), scope.parameters, notes)
        if feedback:
            rule["feedback"] = feedback
        note = _child(node, "trueanswernote")
        if note:
            rule["note"] = note
        rules.append(rule)
    return rules


def _part(
    inp: ET.Element, prts: list[ET.Element], scope: _Scope, notes: list[str]
) -> dict[str, Any] | None:
    """One input and the response tree that grades it, as a part (``None`` when skipped)."""
    name, kind = _child(inp, "name"), _child(inp, "type")
    if kind not in INPUT_TYPES:
        notes.append(f"input {name}: type {kind!r} is not supported; skipped")
        return None
    prt = next((p for p in prts if any(_child(n, "sans") == name for n in p.findall("node"))), None)
    rules = _nodes(prt, name, scope, notes) if prt is not None else []
    part: dict[str, Any] = {"key": name, "input": INPUT_TYPES[kind]}
    model = rules.pop(0) if rules and rules[0]["score"] == 1 else None
    if model is None:
        notes.append(f"input {name}: no first node gives full marks; graded by AlgEquiv")
        model = {"answer": scope.expand(_child(inp, "tans"))}
    part["answer"] = model["answer"]
    for key in ("test", "options"):
        if key in model:
            part[key] = model[key]
    part["points"] = (_number(_child(prt, "value")) or 1) if prt is not None else 1
    try:
        variables = set().union(*(scope.names(r["answer"]) for r in [model, *rules]))
    except ParseError as exc:
        notes.append(f"input {name}: an answer does not parse ({exc.message}); skipped")
        return None
    if variables:
        part["variables"] = sorted(variables)
    if _child(inp, "forbidfloat") == "1":
        part["allow_floats"] = False
    if _child(inp, "insertstars") == "0":
        part["implicit_multiplication"] = False
    words = [w.strip() for w in _child(inp, "forbidwords").split(",") if w.strip()]
    if words:
        part["forbidden_words"] = words
    if rules:
        part["rules"] = rules
    if model.get("feedback"):
        part["feedback"] = {"correct": model["feedback"]}
    return part


def _template(value: str, part: dict[str, Any], raw_tans: str, scope: _Scope) -> str:
    """A question-test input as an author-test response template."""
    if value.strip() == raw_tans.strip():
        return "{{answer}}"
    text = scope.expand(value)
    for name in sorted(scope.parameters, key=len, reverse=True):
        text = re.sub(
            rf"(?<![A-Za-z0-9_{{]){re.escape(name)}(?![A-Za-z0-9_(}}])", f"{{{{{name}}}}}", text
        )
    return text


def _tests(
    q: ET.Element, parts: list[dict[str, Any]], tans: dict[str, str], prt_of: dict[str, str],
    scope: _Scope, notes: list[str],
) -> list[dict[str, Any]]:  # fmt: skip
    tests: list[dict[str, Any]] = []
    by_key = {p["key"]: p for p in parts}
    for qtest in q.findall("qtest"):
        inputs = {_child(t, "name"): _child(t, "value") for t in qtest.findall("testinput")}
        scores = {_child(e, "name"): _child(e, "expectedscore") for e in qtest.findall("expected")}
        responses, expected = {}, {}
        for key, part in by_key.items():
            score = scores.get(prt_of.get(key, ""), "")
            if key in inputs and score:
                responses[key] = _template(inputs[key], part, tans[key], scope)
                expected[key] = min(1, _number(score))
        if responses:
            tests.append({"note": f"STACK test case {_child(qtest, 'testcase')}",
                          "parts": responses, "expected": expected})  # fmt: skip
        else:
            notes.append(f"test case {_child(qtest, 'testcase')}: no supported part; skipped")
    if not tests:
        notes.append("no question tests: added one with the model answers; add a wrong answer")
        tests.append({"note": "model answers", "parts": {k: "{{answer}}" for k in by_key},
                      "expected": {k: 1 for k in by_key}})  # fmt: skip
    return tests


def convert_question(q: ET.Element, topic: str, used: set[str]) -> Converted:
    """Convert one ``<question type="stack">`` element.

    :param q: the element.
    :param topic: the topic to file it under.
    :param used: question ids taken so far (the new id joins them).
    :returns: the question data, or ``None`` data with the reasons it was skipped.
    """
    name = _text(q.find("name")) or "STACK question"
    notes: list[str] = []
    scope = _Scope()
    for var, value in split_statements(_text(q.find("questionvariables")), notes):
        if not scope.add(var, value, notes):
            return Converted(name, None, [*notes, "skipped: a question variable is unsupported"])
    if any(_text(p.find("feedbackvariables")) for p in q.findall("prt")):
        notes.append("feedback variables are not supported; nodes using them will not validate")
    if _text(q.find("generalfeedback")):
        notes.append("general feedback has no place in our format; left out")
    prts = q.findall("prt")
    parts, tans, prt_of = [], {}, {}
    for inp in q.findall("input"):
        part = _part(inp, prts, scope, notes)
        if part is not None:
            parts.append(part)
            tans[part["key"]] = _child(inp, "tans")
            prt = next((p for p in prts if any(
                _child(n, "sans") == part["key"] for n in p.findall("node"))), None)  # fmt: skip
            prt_of[part["key"]] = _child(prt, "name") if prt is not None else ""
    if not parts:
        return Converted(name, None, [*notes, "skipped: no supported input"])
    data: dict[str, Any] = {
        "id": slug(name, used), "title": name, "topic": topic, "tags": ["stack-import"],
        "difficulty": 3,
        "body": html_to_markdown(_text(q.find("questiontext")), scope.parameters, notes),
    }  # fmt: skip
    if scope.parameters:
        data["parameters"] = dict(scope.parameters)
    data["parts"] = parts
    data["tests"] = _tests(q, parts, tans, prt_of, scope, notes)
    return Converted(name, data, notes)


def convert_moodle_xml(
    text: str | bytes, topic: str, used: set[str] | None = None
) -> list[Converted]:
    """Convert every STACK question of a Moodle XML export.

    :param text: the XML.
    :param topic: the topic to file the questions under.
    :param used: question ids already in the bank (new ids avoid them).
    :returns: one entry per question, skipped ones with their reasons.
    :raises MoodleError: when the file cannot be read safely.
    """
    root = read_xml(text)
    taken = set(used or ())
    converted: list[Converted] = []
    for q in root.iter("question"):
        kind = q.get("type", "")
        if kind == "category":
            continue
        if kind != "stack":
            name = _text(q.find("name")) or kind
            converted.append(Converted(name, None, [f"skipped: {kind!r} is not a STACK question"]))
            continue
        converted.append(convert_question(q, topic, taken))
    return converted
