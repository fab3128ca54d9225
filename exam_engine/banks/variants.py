"""Instantiate a question with a seed: draw parameters, render Markdown, build grading rules."""

from __future__ import annotations

import re
from collections.abc import Mapping

import sympy

from exam_engine.banks.model import (
    CHOICE_INPUTS,
    PartSpec,
    QuestionSpec,
    Variant,
    VariantPart,
    pick,
)
from exam_engine.banks.params import ParameterError, draw_parameters, evaluate
from exam_engine.banks.render import render_markdown, render_markdown_inline
from exam_engine.banks.seeding import rng_for, shuffled
from exam_engine.banks.syntax import choice_answer, to_text
from exam_engine.grading import PartSettings, Rule

_TEMPLATE = re.compile(r"\\\$|\$\$|\$|\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}")


def template_names(text: str) -> list[str]:
    """List the names used as ``{{name}}`` in a text.

    :param text: Markdown or a response template.
    :returns: the names, in order of appearance.
    """
    return [m.group(1) for m in _TEMPLATE.finditer(text) if m.group(1)]


def fill_latex(text: str, values: Mapping[str, sympy.Basic]) -> str:
    """Replace ``{{name}}`` by the parameter's LaTeX; outside maths it is wrapped in ``$...$``.

    :param text: Markdown with maths.
    :param values: the drawn parameters.
    :returns: the Markdown with values filled in.
    :raises KeyError: when a name is not a parameter.
    """
    out: list[str] = []
    inline = display = False
    last = 0
    for match in _TEMPLATE.finditer(text):
        out.append(text[last : match.start()])
        last = match.end()
        token = match.group(0)
        if match.group(1):
            latex = sympy.latex(values[match.group(1)])
            if inline or display:
                before = "".join(out)
                out[:] = [before]
                out[0], latex = tidy_coefficient(before, latex, text[last:])
                out.append(latex)
            else:
                out.append(f"${latex}$")
            continue
        if token == "$$" and not inline:
            display = not display
        elif token == "$" and not display:
            inline = not inline
        out.append(token)
    out.append(text[last:])
    return "".join(out)


_SPACING = r"(?:\s|\\[,;:! ])*"
# What may follow a coefficient: a letter, a bracket, or a command that is not an operator,
# relation, spacing or structure (``1 \cdot``, ``1 \leq``, ``1 \\`` keep their 1).
_FACTOR_AFTER = re.compile(
    _SPACING
    + r"(?:[A-Za-z(]|\\(?!(?:cdot|times|div|pm|mp|to|le|ge|leq|geq|neq|ne|approx|equiv|right"
    r"|end|quad|qquad|text|mid|in|notin|subset|cup|cap|ldots|dots|cdots)(?![A-Za-z]))[A-Za-z]+"
    r"|\{\{)"
)
_TIMES_BEFORE = re.compile(r"\s*\\(?:cdot|times)\s*$")


def tidy_coefficient(before: str, latex: str, after: str) -> tuple[str, str]:
    """Write a filled-in coefficient as a person would: ``x`` not ``1x``, ``-x`` not ``-1x``,
    ``a - 3`` not ``a + -3``, ``a + 3`` not ``a - -3``.

    :param before: the maths written so far.
    :param latex: the parameter's LaTeX.
    :param after: the text that follows the parameter.
    :returns: ``(before, latex)``, either possibly shortened.
    """
    head = before.rstrip()
    if latex.startswith("-") and head.endswith(("+", "-")):
        sign = "-" if head.endswith("+") else "+"
        rest = head[:-1].rstrip()
        if sign == "+" and (not rest or rest[-1] in "{(=,&$"):
            sign = ""  # "e^{--2x}" reads "e^{2x}", not "e^{+2x}"
        before, latex = head[:-1] + sign + (" " if sign else ""), latex[1:]
        head = before.rstrip()
    if latex not in ("1", "-1") or not _FACTOR_AFTER.match(after):
        return before, latex
    if _TIMES_BEFORE.search(head):  # "2 \\cdot 1\\, y" reads "2y"
        return _TIMES_BEFORE.sub(" ", head), latex[:-1]
    last = head[-1:]
    after_command = re.search(r"\\[A-Za-z]+$", head) is not None  # "\\sum 1 x"
    if last in ("^", "_", ".", ")", "}", "]", "!", "'") or (last.isalnum() and not after_command):
        return before, latex
    return before, latex[:-1]


def fill_text(text: str, values: Mapping[str, str]) -> str:
    """Replace ``{{name}}`` by a value in answer syntax (bracketed unless it is atomic).

    :param text: a response template, e.g. ``binomial({{n}}, 3)/2^{{n}}``.
    :param values: name -> value text (``answer`` may be one of them).
    :returns: the filled text.
    :raises KeyError: when a name is unknown.
    """

    def replace(match: re.Match[str]) -> str:
        if not match.group(1):
            return match.group(0)
        value = values[match.group(1)]
        return value if re.fullmatch(r"[A-Za-z0-9_.]+", value) else f"({value})"

    return _TEMPLATE.sub(replace, text)


def teacher_text(
    spec: PartSpec, answer: str | tuple[str, ...], values: dict[str, sympy.Basic], where: str
) -> str:
    """Instantiate a model or rule answer: substitute parameters and write it in our syntax.

    :param spec: the part (its input type and variables matter).
    :param answer: the expression, or choice key(s).
    :param values: the drawn parameters.
    :param where: field path for errors.
    :returns: the teacher's answer string.
    :raises ParameterError: when the answer does not parse or uses unknown names.
    """
    if spec.input_type in CHOICE_INPUTS:
        return choice_answer(answer, spec.input_type)
    scope = dict(values)
    for name in spec.variables:
        scope.setdefault(name, sympy.Symbol(name))
    if isinstance(answer, tuple):
        raise ParameterError("a list of keys is only for multichoice parts", where)
    return to_text(evaluate(answer, scope, where, spec.input_type))


def part_settings(spec: PartSpec, choices: tuple[str, ...] | None = None) -> PartSettings:
    """A part's validation and grading settings: the same for every variant (only the order
    of the choices is drawn, and nothing checks an answer by that order).

    :param spec: the part.
    :param choices: the choice keys in the variant's order; the bank's order when omitted.
    :returns: the settings.
    """
    return PartSettings(
        input_type=spec.input_type,
        variables=spec.variables,
        implicit_multiplication=spec.implicit_multiplication,
        allow_floats=spec.allow_floats,
        forbidden_words=spec.forbidden_words,
        allowed_commands=spec.allowed_commands,
        allow_matrix_product=spec.allow_matrix_product,
        choices=tuple(choice.key for choice in spec.choices) if choices is None else choices,
    )


def instantiate_part(
    spec: PartSpec,
    values: dict[str, sympy.Basic],
    question_id: str,
    seed: int,
    index: int,
    locale: str = "en",
) -> VariantPart:
    """Instantiate one part.

    :param spec: the part.
    :param values: the drawn parameters.
    :param question_id: for the choice-shuffling stream.
    :param seed: the variant seed.
    :param index: the part's position (for field paths).
    :returns: the variant part.
    :raises ParameterError: when an answer cannot be instantiated.
    """
    where = f"parts[{index}]"
    model = teacher_text(spec, spec.answer, values, f"{where}.answer")
    rules = [
        Rule(
            spec.test,
            model,
            spec.options,
            1.0,
            fill_latex(pick(spec.feedback_correct, locale), values),
            f"{spec.key}-model",
        )
    ]
    for number, rule in enumerate(spec.rules):
        answer = teacher_text(spec, rule.answer, values, f"{where}.rules[{number}].answer")
        note = rule.note or f"{spec.key}-rule{number}"
        rules.append(
            Rule(
                rule.test,
                answer,
                rule.options,
                rule.score,
                fill_latex(pick(rule.feedback, locale), values),
                note,
            )
        )
    keys = [choice.key for choice in spec.choices]
    if spec.shuffle and keys:
        keys = shuffled(rng_for(f"{question_id}\x00choices\x00{spec.key}", seed), keys)
    texts = {choice.key: choice.text for choice in spec.choices}
    return VariantPart(
        key=spec.key,
        prompt_html=render_markdown(fill_latex(pick(spec.prompt, locale), values)),
        input_type=spec.input_type,
        points=spec.points,
        settings=part_settings(spec, tuple(keys)),
        rules=rules,
        choices=[
            (key, render_markdown_inline(fill_latex(pick(texts[key], locale), values)))
            for key in keys
        ],
        model_answer=model,
        feedback_incorrect=fill_latex(pick(spec.feedback_incorrect, locale), values),
    )


def instantiate(spec: QuestionSpec, seed: int, locale: str = "en") -> Variant:
    """Instantiate a question: the same (question, seed) always gives the same variant.

    :param spec: the question.
    :param seed: the variant seed (any integer, e.g. derived from the attempt).
    :param locale: the reader's language for the texts (English, or any language they have,
        when the question has no text in it); numbers and grading never depend on it.
    :returns: the variant, with HTML+MathML rendered and instantiated grading rules.
    :raises ParameterError: when parameters cannot be drawn or an answer cannot be built.
    """
    values = draw_parameters(spec.id, spec.parameters, spec.conditions, seed)
    return Variant(
        question_id=spec.id,
        seed=seed,
        params={name: to_text(value) for name, value in values.items()},
        body_html=render_markdown(fill_latex(pick(spec.body, locale), values)),
        title=pick(spec.title, locale),
        locale=locale,
        parts=[
            instantiate_part(part, values, spec.id, seed, index, locale)
            for index, part in enumerate(spec.parts)
        ],
        content_hash=spec.content_hash,
    )
