"""Structural validation of one question's data: fields, types, ranges and uniqueness.

Checks that need the grader (do expressions parse, do answers use known names, are the answer
tests known) live in :mod:`exam_engine.banks.checks`. Every issue is a ``(path, message)`` pair so
the caller can attach the file, the question id and the line.
"""

from __future__ import annotations

import re
from typing import Any

from exam_engine.banks.model import TOPICS
from exam_engine.banks.schema_parts import (
    NAME,
    Issue,
    check_part,
    fraction,
    local_text,
    number,
    scalar_text,
    string_list,
    unknown,
)
from exam_engine.banks.source import PathKey

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

QUESTION_FIELDS = {
    "id", "title", "topic", "tags", "difficulty", "points", "body",
    "parameters", "conditions", "parts", "tests",
}  # fmt: skip
REQUIRED_QUESTION = ("id", "title", "topic", "difficulty", "body", "parts")
TEST_FIELDS = {"part", "response", "parts", "expected", "note", "seed"}


def check_question(data: Any) -> list[Issue]:
    """Check the structure of one question mapping.

    :param data: the loaded YAML (or stored JSON) of one question.
    :returns: every issue found, in document order where possible.
    """
    if not isinstance(data, dict):
        return [((), "a question file must hold a mapping (id:, title:, parts:, ...)")]
    issues = unknown(data, QUESTION_FIELDS, ())
    issues += [
        ((name,), "required field is missing") for name in REQUIRED_QUESTION if name not in data
    ]
    qid = data.get("id")
    if "id" in data and not (isinstance(qid, str) and SLUG.match(qid)):
        issues.append((("id",), "must be a slug: lower-case letters, digits, '-' or '_'"))
    for name in ("title", "body"):
        if name in data:
            issues += local_text(data[name], (name,))
    if "topic" in data and data["topic"] not in TOPICS:
        issues.append((("topic",), f"must be one of {', '.join(TOPICS)}"))
    if "tags" in data:
        issues += string_list(data["tags"], ("tags",))
    difficulty = data.get("difficulty")
    if "difficulty" in data and not (
        isinstance(difficulty, int) and not isinstance(difficulty, bool) and 1 <= difficulty <= 5
    ):
        issues.append((("difficulty",), "must be an integer from 1 to 5"))
    if "points" in data and not (number(data["points"]) and data["points"] > 0):
        issues.append((("points",), "must be a positive number"))
    issues += _check_parameters(data)
    parts = data.get("parts")
    keys: list[str] = []
    if "parts" in data:
        if not isinstance(parts, list) or not parts:
            issues.append((("parts",), "must be a non-empty list of parts"))
        else:
            for index, part in enumerate(parts):
                issues += check_part(part, ("parts", index))
                if isinstance(part, dict) and isinstance(part.get("key"), str):
                    if part["key"] in keys:
                        issues.append(
                            (("parts", index, "key"), f"duplicate part key {part['key']!r}")
                        )
                    keys.append(part["key"])
            issues += _check_points(parts)
    if "tests" in data:
        issues += _check_tests(data["tests"], keys)
    return issues


def _check_parameters(data: dict[str, Any]) -> list[Issue]:
    issues: list[Issue] = []
    params = data.get("parameters")
    if "parameters" in data and params is not None:
        if not isinstance(params, dict):
            issues.append((("parameters",), "must be a mapping of name: definition"))
        else:
            for name, definition in params.items():
                path: PathKey = ("parameters", str(name))
                if not (isinstance(name, str) and NAME.match(name)):
                    issues.append((path, f"{name!r} is not a valid parameter name"))
                if not scalar_text(definition):
                    issues.append((path, "must be a definition such as randint(2, 9)"))
    if "conditions" in data:
        issues += string_list(data["conditions"], ("conditions",))
    return issues


def _check_points(parts: list[Any]) -> list[Issue]:
    with_points = [i for i, p in enumerate(parts) if isinstance(p, dict) and "points" in p]
    issues: list[Issue] = []
    if with_points and len(with_points) != len(parts):
        issues.append(
            (
                ("parts", with_points[0], "points"),
                "give points to every part or to none (use weight: for shares)",
            )
        )
    for index, part in enumerate(parts):
        if isinstance(part, dict) and "points" in part and "weight" in part:
            issues.append((("parts", index, "weight"), "use points or weight, not both"))
    return issues


def _check_tests(tests: Any, keys: list[str]) -> list[Issue]:
    if not isinstance(tests, list):
        return [(("tests",), "must be a list of author tests")]
    issues: list[Issue] = []
    for index, test in enumerate(tests):
        path: PathKey = ("tests", index)
        if not isinstance(test, dict):
            issues.append((path, "an author test must be a mapping"))
            continue
        issues += unknown(test, TEST_FIELDS, path)
        if "note" in test and not isinstance(test["note"], str):
            issues.append(((*path, "note"), "must be a string"))
        seed = test.get("seed")
        if "seed" in test and not (isinstance(seed, int) and not isinstance(seed, bool)):
            issues.append(((*path, "seed"), "must be an integer"))
        expected = test.get("expected")
        if "expected" not in test:
            issues.append(((*path, "expected"), "required field is missing"))
        if "part" in test or "response" in test:
            if "parts" in test:
                issues.append(((*path, "parts"), "use either part:/response: or parts:"))
            if test.get("part") not in keys:
                issues.append(((*path, "part"), f"must be one of the part keys {keys}"))
            if not scalar_text(test.get("response")):
                issues.append(((*path, "response"), "must be the response text (a string)"))
            if "expected" in test and not fraction(expected):
                issues.append(((*path, "expected"), "must be a score from 0 to 1"))
        elif isinstance(test.get("parts"), dict) and test["parts"]:
            issues += _check_test_parts(test, path, keys)
        else:
            issues.append(((*path, "parts"), "give part: and response:, or parts: {key: response}"))
    return issues


def _check_test_parts(test: dict[str, Any], path: PathKey, keys: list[str]) -> list[Issue]:
    issues: list[Issue] = []
    responses, expected = test["parts"], test.get("expected")
    for key, response in responses.items():
        if key not in keys:
            issues.append(((*path, "parts", str(key)), f"{key!r} is not a part key"))
        if not (scalar_text(response) or isinstance(response, list)):
            issues.append(((*path, "parts", str(key)), "must be the response text (a string)"))
    if "expected" in test:
        if not isinstance(expected, dict) or set(expected) != set(responses):
            issues.append(((*path, "expected"), "must map the same part keys to scores"))
        else:
            issues += [
                ((*path, "expected", str(k)), "must be a score from 0 to 1")
                for k, v in expected.items()
                if not fraction(v)
            ]
    return issues
