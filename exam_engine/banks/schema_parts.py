"""Structural checks shared by the schema, and the checks of one part (its answer, choices
and partial-credit rules)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from exam_engine.banks.model import CHOICE_INPUTS, INPUT_TYPES, LANGUAGES
from exam_engine.banks.source import PathKey

Issue = tuple[PathKey, str]

PART_KEY = re.compile(r"^[A-Za-z0-9_]{1,32}$")
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
PART_FIELDS = {
    "key", "prompt", "input", "answer", "test", "options", "points", "weight", "variables",
    "allow_floats", "implicit_multiplication", "forbidden_words", "choices", "shuffle",
    "rules", "feedback", "allowed_commands", "allow_matrix_product",
}  # fmt: skip
RULE_FIELDS = {"test", "answer", "options", "score", "feedback", "note"}


def number(value: Any) -> bool:
    """Whether ``value`` is an int or float (YAML's ``true`` is not a number here).

    :param value: a loaded value.
    :returns: whether it is a number.
    """
    return isinstance(value, int | float) and not isinstance(value, bool)


def fraction(value: Any) -> bool:
    """Whether ``value`` is a score: a number from 0 to 1.

    :param value: a loaded value.
    :returns: whether it is a score.
    """
    return number(value) and 0 <= value <= 1


def scalar_text(value: Any) -> bool:
    """Whether ``value`` can stand for an expression: a string, or a bare YAML number
    (``answer: 0.95``).

    :param value: a loaded value.
    :returns: whether it is usable as expression text.
    """
    return isinstance(value, str) or number(value)


def local_text(value: Any, path: PathKey) -> list[Issue]:
    """Check text an author may write in one language or several (``{en: ..., ko: ...}``).

    :param value: a loaded value.
    :param path: where it is.
    :returns: the issues found (none for a string, or a mapping of known languages to strings).
    """
    if isinstance(value, str):
        return []
    message = f"must be text, or a mapping of languages ({', '.join(LANGUAGES)}) to text"
    if not isinstance(value, dict) or not value:
        return [(path, message)]
    issues = [
        ((*path, str(k)), f"unknown language; use {', '.join(LANGUAGES)}")
        for k in value
        if k not in LANGUAGES
    ]
    issues += [
        ((*path, str(k)), "must be a string")
        for k, v in value.items()
        if k in LANGUAGES and not isinstance(v, str)
    ]
    return issues


def unknown(data: Mapping[str, Any], allowed: set[str], path: PathKey) -> list[Issue]:
    """Report the keys of ``data`` that are not ``allowed`` (typos must not pass silently).

    :param data: a mapping.
    :param allowed: the field names it may have.
    :param path: its path.
    :returns: one issue per unknown field.
    """
    return [
        ((*path, str(key)), f"unknown field {key!r}") for key in data if str(key) not in allowed
    ]


def string_list(value: Any, path: PathKey, pattern: re.Pattern[str] | None = None) -> list[Issue]:
    """Check a list of strings, optionally each matching ``pattern``.

    :param value: the loaded value.
    :param path: its path.
    :param pattern: a pattern every item must match.
    :returns: the issues found.
    """
    if not isinstance(value, list):
        return [(path, "must be a list of strings")]
    issues: list[Issue] = []
    for index, item in enumerate(value):
        if not isinstance(item, str):
            issues.append(((*path, index), "must be a string"))
        elif pattern is not None and not pattern.match(item):
            issues.append(((*path, index), f"{item!r} is not a valid name"))
    return issues


def check_part(part: Any, path: PathKey) -> list[Issue]:
    """Check the structure of one part.

    :param part: the part's mapping.
    :param path: its path, e.g. ``("parts", 0)``.
    :returns: the issues found.
    """
    if not isinstance(part, dict):
        return [(path, "a part must be a mapping (key:, input:, answer:, ...)")]
    issues = unknown(part, PART_FIELDS, path)
    issues += [
        ((*path, name), "required field is missing")
        for name in ("key", "input", "answer")
        if name not in part
    ]
    if "key" in part and not (isinstance(part["key"], str) and PART_KEY.match(part["key"])):
        issues.append(((*path, "key"), "must be a short name: letters, digits or '_' (quote it)"))
    input_type = part.get("input")
    if "input" in part and input_type not in INPUT_TYPES:
        issues.append(
            (
                (*path, "input"),
                f"unknown input type {input_type!r}; use one of {', '.join(INPUT_TYPES)}",
            )
        )
    if "test" in part and not isinstance(part["test"], str):
        issues.append(((*path, "test"), "must be a string"))
    if "prompt" in part:
        issues += local_text(part["prompt"], (*path, "prompt"))
    if "options" in part and not (part["options"] is None or scalar_text(part["options"])):
        issues.append(((*path, "options"), "must be a string or a number"))
    for name in ("points", "weight"):
        if name in part and not (number(part[name]) and part[name] > 0):
            issues.append(((*path, name), "must be a positive number"))
    for name in ("allow_floats", "implicit_multiplication", "shuffle", "allow_matrix_product"):
        if name in part and not isinstance(part[name], bool):
            issues.append(((*path, name), "must be true or false"))
    if "variables" in part:
        issues += string_list(part["variables"], (*path, "variables"), NAME)
    if "forbidden_words" in part:
        issues += string_list(part["forbidden_words"], (*path, "forbidden_words"))
    if "allowed_commands" in part:
        issues += string_list(part["allowed_commands"], (*path, "allowed_commands"), NAME)
    issues += _check_answer(part, path, input_type)
    if "rules" in part:
        issues += _check_rules(part["rules"], (*path, "rules"))
    feedback = part.get("feedback")
    if "feedback" in part:
        if not isinstance(feedback, dict):
            issues.append(((*path, "feedback"), "must be a mapping with correct: and incorrect:"))
        else:
            issues += unknown(feedback, {"correct", "incorrect"}, (*path, "feedback"))
            for k, v in feedback.items():
                issues += local_text(v, (*path, "feedback", k))
    return issues


def _check_answer(part: dict[str, Any], path: PathKey, input_type: Any) -> list[Issue]:
    issues: list[Issue] = []
    answer = part.get("answer")
    choices = part.get("choices")
    if input_type in CHOICE_INPUTS:
        if not isinstance(choices, list) or len(choices) < 2:
            return [((*path, "choices"), "a choice part needs a list of at least two choices")]
        keys: list[str] = []
        for index, choice in enumerate(choices):
            cpath: PathKey = (*path, "choices", index)
            if not isinstance(choice, dict):
                issues.append((cpath, "a choice must be a mapping with key: and text:"))
                continue
            issues += unknown(choice, {"key", "text"}, cpath)
            key, text = choice.get("key"), choice.get("text")
            if not (isinstance(key, str) and PART_KEY.match(key)):
                issues.append(((*cpath, "key"), "must be a short name such as A (quote it)"))
            elif key in keys:
                issues.append(((*cpath, "key"), f"duplicate choice key {key!r}"))
            else:
                keys.append(key)
            if not scalar_text(text):
                issues += local_text(text, (*cpath, "text"))
        given = answer if isinstance(answer, list) else [answer]
        if input_type == "choice" and isinstance(answer, list):
            issues.append(((*path, "answer"), "a single-choice part has one key as its answer"))
        for item in given:
            if "answer" in part and item not in keys:
                issues.append(((*path, "answer"), f"{item!r} is not one of the choice keys"))
    else:
        if "choices" in part:
            issues.append(((*path, "choices"), "only choice and multichoice parts have choices"))
        if "answer" in part and not scalar_text(answer):
            issues.append(((*path, "answer"), "must be an expression (a string)"))
    return issues


def _check_rules(rules: Any, path: PathKey) -> list[Issue]:
    if not isinstance(rules, list):
        return [(path, "must be a list of rules")]
    issues: list[Issue] = []
    for index, rule in enumerate(rules):
        rpath: PathKey = (*path, index)
        if not isinstance(rule, dict):
            issues.append((rpath, "a rule must be a mapping with test:, answer:, score:"))
            continue
        issues += unknown(rule, RULE_FIELDS, rpath)
        issues += [
            ((*rpath, name), "required field is missing")
            for name in ("answer", "score")
            if name not in rule
        ]
        if "test" in rule and not isinstance(rule["test"], str):
            issues.append(((*rpath, "test"), "must be a string"))
        answer = rule.get("answer")
        if "answer" in rule and not (scalar_text(answer) or isinstance(answer, list)):
            issues.append(((*rpath, "answer"), "must be an expression (a string)"))
        if "options" in rule and not (rule["options"] is None or scalar_text(rule["options"])):
            issues.append(((*rpath, "options"), "must be a string or a number"))
        if "score" in rule and not fraction(rule["score"]):
            issues.append(((*rpath, "score"), "must be a number from 0 to 1"))
        if "note" in rule and not isinstance(rule["note"], str):
            issues.append(((*rpath, "note"), "must be a string"))
        if "feedback" in rule:
            issues += local_text(rule["feedback"], (*rpath, "feedback"))
    return issues
