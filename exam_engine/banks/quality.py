"""Checks that catch questions which load but are broken for candidates.

A question can parse, instantiate and pass author tests that only replay its own model answer,
and still be wrong: a probability drawn above 1, a prompt that asks for a form the input refuses,
a part whose grading was never shown to fail. ``exam-engine banks validate`` and
``banks test`` (the *strict* checks) require:

* every part has an author test expecting full marks and one expecting 0 (a wrong answer);
* every inline code span of a prompt (`` `[x, y, z]` ``), i.e. the syntax shown to candidates,
  is accepted by the part's input as a candidate would type it (body spans by some part),
  and is not itself a right answer on any variant tested (an example must not give it away);
* every declared parameter range (``p: rational(1, 99, den=100) in (0, 1)``) holds on every
  variant checked.

Stored versions are not held to these rules, so an old pinned version always instantiates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import sympy

from exam_engine.banks.model import CHOICE_INPUTS, LocalText, QuestionSpec
from exam_engine.banks.params import ParameterError, evaluate, parse_definition
from exam_engine.banks.source import PathKey
from exam_engine.banks.variants import part_settings
from exam_engine.grading import validate

Issue = tuple[PathKey, str]

_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_PLACEHOLDER = re.compile(r"\{\{\s*[A-Za-z][A-Za-z0-9_]*\s*\}\}")


def declared_ranges(spec: QuestionSpec) -> dict[str, str]:
    """The parameters that declare a range, with the interval text.

    :param spec: the question.
    :returns: parameter name -> interval text, e.g. ``{"p": "(0, 1)"}``.
    """
    ranges: dict[str, str] = {}
    for name, text in spec.parameters.items():
        try:
            within = parse_definition(text, f"parameters.{name}").within
        except ParameterError:
            continue
        if within is not None:
            ranges[name] = within
    return ranges


def range_failures(spec: QuestionSpec, values: Mapping[str, sympy.Basic]) -> list[Issue]:
    """The declared ranges that a drawn variant breaks.

    :param spec: the question.
    :param values: the variant's parameter values.
    :returns: ``(("parameters", name), message)`` for each value outside its range.
    """
    issues: list[Issue] = []
    for name, within in declared_ranges(spec).items():
        where = f"parameters.{name}"
        try:
            interval = evaluate(within, dict(values), where, "interval")
        except ParameterError as exc:
            issues.append((("parameters", name), f"range {within!r}: {exc}"))
            continue
        value = values[name]
        inside = interval.contains(value) if isinstance(interval, sympy.Set) else None
        if inside is not sympy.true:
            issues.append((("parameters", name), f"{name} = {value} is not in {within}"))
    return issues


def check_coverage(spec: QuestionSpec) -> list[Issue]:
    """Every part needs an author test expecting full marks and one expecting 0.

    :param spec: the question.
    :returns: one issue per part that lacks either.
    """
    issues: list[Issue] = []
    for index, part in enumerate(spec.parts):
        scores = [test.expected[part.key] for test in spec.tests if part.key in test.expected]
        if not any(score == 1 for score in scores):
            issues.append(
                (("parts", index), f"part {part.key!r} has no author test expecting full marks")
            )
        if not any(score == 0 for score in scores):
            issues.append(
                (
                    ("parts", index),
                    f"part {part.key!r} has no author test with a wrong answer expecting 0",
                )
            )
    return issues


def code_spans(text: str, fill: bool = True) -> list[str]:
    """The inline code spans of Markdown text.

    :param text: Markdown.
    :param fill: replace ``{{name}}`` placeholders by ``2``.
    :returns: the spans' contents, stripped.
    """
    spans = [m.group(2).strip() for m in _CODE_SPAN.finditer(text) if m.group(2).strip()]
    return [_PLACEHOLDER.sub("2", span) for span in spans] if fill else spans


def shown_examples(spec: QuestionSpec) -> dict[str, list[str]]:
    """The answer forms each typed part's prompt shows, placeholders kept.

    :param spec: the question.
    :returns: part key -> the distinct code spans of its prompt, in every language.
    """
    shown: dict[str, list[str]] = {}
    for part in spec.parts:
        if part.input_type in CHOICE_INPUTS:
            continue
        texts = [text for _, text in _by_language((), part.prompt)]
        spans = [span for text in texts for span in code_spans(text, fill=False)]
        if spans:
            shown[part.key] = list(dict.fromkeys(spans))
    return shown


def _by_language(path: PathKey, text: LocalText) -> list[tuple[PathKey, str]]:
    if isinstance(text, str):
        return [(path, text)]
    return [((*path, lang), value) for lang, value in text.items()]


def check_shown_syntax(spec: QuestionSpec) -> list[Issue]:
    """Every answer form a prompt shows (its code spans) must be valid for the part's input.

    :param spec: the question.
    :returns: one issue per span that the input refuses.
    """
    issues: list[Issue] = []
    typed = [part for part in spec.parts if part.input_type not in CHOICE_INPUTS]
    for index, part in enumerate(spec.parts):
        if part.input_type in CHOICE_INPUTS:
            continue
        for path, text in _by_language(("parts", index, "prompt"), part.prompt):
            for span in code_spans(text):
                result = validate(span, part_settings(part))
                if not result.valid:
                    issues.append(
                        (
                            path,
                            f"shows `{span}` but the {part.input_type} input refuses it: "
                            f"{result.message}",
                        )
                    )
    for path, text in _by_language(("body",), spec.body):
        for span in code_spans(text):
            if typed and not any(validate(span, part_settings(p)).valid for p in typed):
                inputs = ", ".join(sorted({p.input_type for p in typed}))
                issues.append((path, f"shows `{span}` but no part's input ({inputs}) accepts it"))
    return issues


def strict_issues(spec: QuestionSpec) -> list[Issue]:
    """The checks ``banks validate`` adds to loading: test coverage and shown syntax.

    :param spec: a question that loads.
    :returns: the issues found.
    """
    return check_coverage(spec) + check_shown_syntax(spec)
