"""``grade`` (one answer against one key with one test) and ``grade_part`` (rules in order)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from . import messages as M
from .answertests import REGISTRY, TestError
from .answertests.base import UNREADABLE, Outcome, parse_options
from .assumptions import apply, assumed
from .choices import grade_choice, validate_choice
from .types import GradeResult, ParseError, PartSettings, Rule
from .validation import Answer, read, read_teacher, student_ctx, walk


def _error(message: str, note: str, display: str = "") -> GradeResult:
    return GradeResult(False, 0.0, message, note, "", display)


def _names(answer: Answer) -> tuple[frozenset[str], frozenset[str]]:
    """Variable names and user-function names used in an answer key."""
    variables: set[str] = set()
    functions: set[str] = set()
    for node in walk(answer.tree):
        if node.kind in ("name", "index"):
            variables.add(node.value)
        elif node.kind == "ufunc":
            functions.add(node.value)
    return frozenset(variables), frozenset(functions)


def read_student(student: str, teacher: Answer, settings: PartSettings) -> Answer:
    """Read a candidate's answer with the key's variables and functions known.

    :param student: the answer as typed.
    :param teacher: the read answer key.
    :param settings: the part's settings.
    :returns: the read answer.
    :raises ParseError: when the answer is not valid.
    """
    variables, functions = _names(teacher)
    return read(student, settings, student_ctx(settings, variables, functions))


def _verdict(out: Outcome, display: str) -> GradeResult:
    """An answer test's outcome as a result: full marks when it passed, none otherwise."""
    return GradeResult(
        out.passed,
        1.0 if out.passed else 0.0,
        None,
        out.note,
        M.render(out.feedback, out.feedback_params),
        display,
    )


def grade(
    student: str,
    teacher: str,
    test: str = "AlgEquiv",
    options: str | None = None,
    settings: PartSettings | None = None,
) -> GradeResult:
    """Grade one answer against one key with one answer test.

    :param student: the candidate's answer, as typed.
    :param teacher: the answer key, in our syntax (no parameters left).
    :param test: STACK's name of the answer test.
    :param options: the test's option string, spelled as STACK does.
    :param settings: the part's settings; default :class:`PartSettings`.
    :returns: the result; ``error`` is set when the test could not be applied.
    """
    settings = settings or PartSettings()
    spec = REGISTRY.get(test)
    if spec is None:
        return _error(M.render(M.UNKNOWN_TEST, {"test": str(test)}), "UNKNOWN_TEST")
    if spec.raw:
        return _verdict(spec.fn(student, teacher, options), _raw_display(student))
    if spec.options == "required" and (options is None or not str(options).strip()):
        return _error(f"The test {test} needs options.", "STACKERROR_OPTION.")
    try:
        ta = read_teacher(teacher, settings)
    except ParseError as exc:
        note = (
            f"AT{test}TEST_FAILED-Empty TA."
            if exc.code == "empty"
            else (f"AT{test}_STACKERROR_TAns.")
        )
        return _error(M.render(M.TEACHER_INVALID, {"message": exc.message}), note)
    try:
        sa = read_student(student, ta, settings)
    except ParseError as exc:
        note = (
            f"AT{test}TEST_FAILED-Empty SA."
            if exc.code == "empty"
            else (f"AT{test}_STACKERROR_SAns.")
        )
        return _error(exc.message, note)
    replacements = assumed(sa.tree) | assumed(ta.tree)
    if replacements:
        try:
            sa = replace(sa, value=apply(sa.value, replacements))
            ta = replace(ta, value=apply(ta.value, replacements))
        except (TypeError, ValueError, AttributeError):  # an unusual value: no assumptions
            pass
    try:
        opt = None
        if options is not None and spec.options != "none" and str(options).strip():
            try:
                opt = parse_options(str(options), test)
            except TestError as exc:
                if not spec.lenient or exc.code not in ("syntax", "unbalanced"):
                    raise
                opt = UNREADABLE
        out = spec.fn(sa, ta, opt, options)
    except TestError as exc:
        return _error(str(exc), exc.note, sa.display)
    except ParseError as exc:
        return _error(exc.message, f"AT{test}_STACKERROR.", sa.display)
    except (RecursionError, MemoryError):
        return _error(M.LIMIT, "LIMIT", sa.display)
    except Exception:  # noqa: BLE001 - a SymPy failure must give an error result, not a crash
        return _error(M.INTERNAL, f"AT{test}_INTERNAL.", sa.display)
    return _verdict(out, sa.display)


def _raw_display(text: str) -> str:
    safe = "".join(c for c in text.strip() if c.isprintable())[:200]
    for ch in "\\{}$&#^_%~":
        safe = safe.replace(ch, "\\" + ch if ch not in "\\^~" else " ")
    return rf"\text{{{safe}}}"


def grade_part(response: str, rules: Sequence[Rule], settings: PartSettings) -> GradeResult:
    """Grade a response to one part: validate, then try the rules in order.

    The first rule whose test passes gives the score, feedback and note. An invalid response
    is never graded: it gets ``error`` set and score 0.

    :param response: the candidate's answer, as typed.
    :param rules: partial-credit rules, tried in order.
    :param settings: the part's settings.
    :returns: the result.
    """
    if settings.input_type in ("choice", "multichoice"):
        return grade_choice(response, rules, settings)
    if settings.input_type == "string":
        v = validate_choice(response, settings)
        if not v.valid:
            return _error(v.message or M.EMPTY, f"invalid:{v.code}")
        display = v.display
    else:
        try:
            display = read(response, settings, student_ctx(settings), candidate=True).display
        except ParseError as exc:
            return _error(exc.message, f"invalid:{exc.code}")
    notes: list[str] = []
    errors: list[str] = []
    for rule in rules:
        result = grade(response, rule.answer, rule.test, rule.options, settings)
        if result.error:
            errors.append(result.error)
            notes.append(result.note)
            continue
        if result.correct:
            score = max(0.0, min(1.0, float(rule.score)))
            return GradeResult(
                score >= 1.0,
                score,
                None,
                rule.note or result.note,
                rule.feedback or result.feedback,
                display,
            )
        notes.append(result.note)
    if errors and len(errors) == len(rules):
        return GradeResult(False, 0.0, errors[0], " ".join(notes), "", display)
    return GradeResult(False, 0.0, None, " ".join(notes) or "no_rule_matched", "", display)
