"""Checks that need the grader: expressions parse, names are known, answer tests exist, maths
renders, and a few seeds instantiate without error."""

from __future__ import annotations

import difflib
import re

from exam_engine.banks import quality
from exam_engine.banks.model import (
    CHOICE_INPUTS,
    LocalText,
    PartSpec,
    QuestionSpec,
    languages_of,
)
from exam_engine.banks.params import (
    ParameterError,
    condition_text,
    draw_parameters,
    parse_definition,
    parse_expression,
    split_top_level,
)
from exam_engine.banks.render import find_math_errors
from exam_engine.banks.schema import Issue
from exam_engine.banks.source import PathKey
from exam_engine.banks.variants import instantiate, template_names
from exam_engine.grading import ParseError
from exam_engine.grading.answertests import REGISTRY

RESERVED = frozenset("e E i I pi oo inf nan answer".split())
CHECK_SEEDS = range(8)
_PATH_ITEM = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(text: str) -> PathKey:
    """Read a field path back: ``parts[1].answer`` -> ``("parts", 1, "answer")``.

    :param text: a dotted field path.
    :returns: its tuple form.
    """
    return tuple(int(m.group(2)) if m.group(2) else m.group(1) for m in _PATH_ITEM.finditer(text))


def _expression(
    text: str, names: tuple[str, ...], path: PathKey, what: str, input_type: str = "algebraic"
) -> list[Issue]:
    try:
        parse_expression(text, names, input_type)
    except ParseError as exc:
        return [(path, f"{what} {text!r} does not parse: {exc.message}")]
    except ValueError as exc:
        return [(path, f"{what} {text!r} refers to {exc}; known: {', '.join(names) or 'none'}")]
    return []


def check_parameters(spec: QuestionSpec) -> list[Issue]:
    """Check parameter names and definitions, and the conditions.

    :param spec: the question.
    :returns: the issues found.
    """
    issues: list[Issue] = []
    scope: list[str] = []
    for name, text in spec.parameters.items():
        path: PathKey = ("parameters", name)
        if name in RESERVED:
            issues.append((path, f"{name!r} is reserved (a constant or template name)"))
        try:
            definition = parse_definition(text, f"parameters.{name}")
        except ParameterError as exc:
            issues.append((path, str(exc)))
            scope.append(name)
            continue
        pieces = list(definition.args) + list(definition.kwargs.values())
        if definition.kind == "choice":
            pieces = split_top_level(definition.args[0][1:-1])
        elif "exclude" in definition.kwargs:
            pieces.remove(definition.kwargs["exclude"])
            pieces += split_top_level(definition.kwargs["exclude"].strip("[]"))
        for piece in pieces:
            issues += _expression(piece, tuple(scope), path, "parameter")
        if definition.within is not None:
            issues += _expression(
                definition.within, tuple(spec.parameters), path, "range", "interval"
            )
        scope.append(name)
    for index, condition in enumerate(spec.conditions):
        path = ("conditions", index)
        found = _expression(condition_text(condition), tuple(scope), path, "condition")
        if not found and spec.parameters:
            parsed = parse_expression(condition_text(condition), tuple(scope))
            if not getattr(parsed, "free_symbols", True):
                found = [
                    (
                        path,
                        f"condition {condition!r} reads as {parsed} whatever the parameters "
                        "are (a function the parser evaluates on symbols, such as gcd?)",
                    )
                ]
        issues += found
    return issues


def _check_test(test: str, options: str | None, path: PathKey) -> list[Issue]:
    spec = REGISTRY.get(test)
    if spec is None:
        near = difflib.get_close_matches(test, list(REGISTRY), n=1)
        hint = f"; did you mean {near[0]}?" if near else ""
        return [(path, f"unknown answer test {test!r}{hint}")]
    if spec.options == "required" and options is None:
        return [(path, f"{test} needs options: (e.g. a tolerance)")]
    return []


def check_part(part: PartSpec, index: int, spec: QuestionSpec) -> list[Issue]:
    """Check one part's answers, answer tests and variables.

    :param part: the part.
    :param index: its position.
    :param spec: the question (for the parameter names).
    :returns: the issues found.
    """
    path: PathKey = ("parts", index)
    issues: list[Issue] = []
    clash = sorted(set(part.variables) & set(spec.parameters))
    if clash:
        issues.append(((*path, "variables"), f"{', '.join(clash)} is also a parameter"))
    names = tuple(spec.parameters) + part.variables
    rules = [(part.test, part.options, part.answer, (*path, "test"), (*path, "answer"))]
    rules += [
        (
            rule.test,
            rule.options,
            rule.answer,
            (*path, "rules", n, "test"),
            (*path, "rules", n, "answer"),
        )
        for n, rule in enumerate(part.rules)
    ]
    for number, (test, options, answer, test_path, answer_path) in enumerate(rules):
        if number == 0 or test != part.test:  # an inherited test is reported once, on the part
            issues += _check_test(test, options, test_path)
        if part.input_type in CHOICE_INPUTS:
            keys = {choice.key for choice in part.choices}
            given = [answer] if isinstance(answer, str) else list(answer)
            issues += [
                (answer_path, f"{key!r} is not one of the choice keys")
                for key in given
                if key not in keys
            ]
        elif isinstance(answer, str):
            issues += _expression(answer, names, answer_path, "answer", part.input_type)
        else:
            issues.append((answer_path, "a list of keys is only for multichoice parts"))
    return issues


def _texts(spec: QuestionSpec) -> list[tuple[PathKey, str]]:
    found: list[tuple[PathKey, LocalText]] = [(("body",), spec.body), (("title",), spec.title)]
    for i, part in enumerate(spec.parts):
        found.append((("parts", i, "prompt"), part.prompt))
        found += [(("parts", i, "choices", j, "text"), c.text) for j, c in enumerate(part.choices)]
        found.append((("parts", i, "feedback", "correct"), part.feedback_correct))
        found.append((("parts", i, "feedback", "incorrect"), part.feedback_incorrect))
        found += [
            (("parts", i, "rules", j, "feedback"), r.feedback) for j, r in enumerate(part.rules)
        ]
    texts: list[tuple[PathKey, str]] = []
    for path, text in found:  # every language's text must name parameters and render
        if isinstance(text, str):
            texts.append((path, text))
        else:
            texts += [((*path, lang), value) for lang, value in text.items()]
    return texts


def check_texts(spec: QuestionSpec) -> list[Issue]:
    """Check that templates name parameters and that every formula renders.

    :param spec: the question.
    :returns: the issues found.
    """
    issues: list[Issue] = []
    for path, text in _texts(spec):
        unknown = [n for n in template_names(text) if n not in spec.parameters]
        issues += [(path, f"{{{{{name}}}}} is not a parameter") for name in unknown]
        # Placeholders become "1" here so a template inside maths does not break the check.
        filled = re.sub(r"\{\{\s*[A-Za-z][A-Za-z0-9_]*\s*\}\}", "1", text)
        issues += [(path, message) for message in find_math_errors(filled)]
    for n, test in enumerate(spec.tests):
        for key, response in test.responses.items():
            unknown = [
                x for x in template_names(response) if x not in spec.parameters and x != "answer"
            ]
            issues += [
                (("tests", n), f"{{{{{x}}}}} in the response to {key} is not a parameter")
                for x in unknown
            ]
    return issues


def check_points(spec: QuestionSpec) -> list[Issue]:
    """The parts' points must add up to the question's points.

    :param spec: the question.
    :returns: an issue when they do not.
    """
    total = sum(part.points for part in spec.parts)
    if abs(total - spec.points) > 1e-9:
        return [(("points",), f"the parts' points add up to {total:g}, not {spec.points:g}")]
    return []


def check_question(spec: QuestionSpec, try_seeds: bool = True, strict: bool = False) -> list[Issue]:
    """Run every grader-aware check and, when they pass, instantiate a few seeds.

    :param spec: a question whose structure is valid.
    :param try_seeds: also instantiate a few seeds (catches impossible conditions, division
        by zero in a parameter, a value outside its declared range, ...).
    :param strict: also require what ``banks validate`` requires of bank files (see
        :mod:`exam_engine.banks.quality`): a right and a wrong author test per part, and
        prompts whose shown syntax the inputs accept.
    :returns: the issues found.
    """
    issues = check_parameters(spec) + check_texts(spec) + check_points(spec)
    for index, part in enumerate(spec.parts):
        issues += check_part(part, index, spec)
    if issues:
        return issues
    if strict:
        issues += quality.strict_issues(spec)
    if not try_seeds:
        return issues
    for seed in CHECK_SEEDS if spec.is_random else range(1):
        try:
            values = draw_parameters(spec.id, spec.parameters, spec.conditions, seed)
            instantiate(spec, seed)
        except ParameterError as exc:
            return [*issues, (parse_path(exc.field), f"seed {seed}: {exc}")]
        outside = quality.range_failures(spec, values)
        if outside:
            return issues + [(path, f"seed {seed}: {message}") for path, message in outside]
    return issues


def missing_languages(spec: QuestionSpec, required: tuple[str, ...]) -> list[str]:
    """The candidate-facing texts of a question that lack one of the ``required`` languages.

    :param spec: the question.
    :param required: language codes, e.g. ``("en", "ko")``.
    :returns: field paths such as ``parts[0].prompt: ko``; empty when all are present.
    """
    shown: list[tuple[str, LocalText]] = [("title", spec.title), ("body", spec.body)]
    for i, part in enumerate(spec.parts):
        shown.append((f"parts[{i}].prompt", part.prompt))
        shown += [(f"parts[{i}].choices[{j}].text", c.text) for j, c in enumerate(part.choices)]
    missing = []
    for path, text in shown:
        if not isinstance(text, str) or text:  # an empty prompt needs no translation
            gaps = [lang for lang in required if lang not in languages_of(text)]
            missing += [f"{path}: {lang}" for lang in gaps]
    return missing
