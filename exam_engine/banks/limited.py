"""Authors' parameters, conditions and tests, evaluated under the grading pool's limits.

A parameter such as ``exp(exp(exp(exp(3))))`` or a condition that never holds costs SymPy
minutes and gigabytes. The editor, the Moodle import and publishing to an open exam run inside
web requests, so there the work goes to a grading worker (:meth:`GradingPool.run`) with a time
limit and the worker's memory limit, and an overrun becomes an ordinary problem the author can
fix. The command line (``banks validate``, ``banks test``) runs the same functions in its own
process: it is the author's machine and its time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from exam_engine.banks.authortests import AuthorTestFailure
from exam_engine.banks.loader import check_data
from exam_engine.banks.model import Problem, QuestionSpec
from exam_engine.banks.params import ParameterError
from exam_engine.banks.variants import Variant, instantiate
from exam_engine.grading.pool import LimitHit, get_pool

# Long enough for a question's author tests over a dozen seeds; short enough for a request.
AUTHOR_SECONDS = 15.0


def _overrun(what: str) -> str:
    mb = get_pool().memory_bytes >> 20
    limit = f"{AUTHOR_SECONDS:g} s" + (f" or {mb} MB" if mb else "")
    return f"{what} ran over the limit ({limit}): simplify the parameters or conditions"


def _failed(exc: RuntimeError) -> str:
    return f"the parameters could not be computed ({exc}): simplify them"


# The functions below ending in ``_here`` run inside a grading worker.


def instantiate_here(spec: QuestionSpec, seed: int, locale: str) -> tuple[str, Any, str]:
    """:func:`instantiate`, with a parameter error returned rather than raised (it would lose its
    field on the way back)."""
    try:
        return "ok", instantiate(spec, seed, locale), ""
    except ParameterError as exc:
        return "parameter", str(exc), exc.field


def problems_here(data: Any, file: str, topic: str | None) -> list[Problem]:
    """The problems :func:`check_data` finds, trial seeds included."""
    return check_data(data, file, None, topic).problems


def limited_instantiate(spec: QuestionSpec, seed: int, locale: str = "en") -> Variant:
    """Instantiate ``spec`` at ``seed`` in a grading worker.

    :raises ParameterError: when a parameter cannot be drawn or the limits were hit.
    """
    try:
        status, value, field = get_pool().run(
            "exam_engine.banks.limited:instantiate_here", spec, seed, locale, timeout=AUTHOR_SECONDS
        )
    except LimitHit:
        raise ParameterError(_overrun("drawing the parameters"), "parameters") from None
    except RuntimeError as exc:
        raise ParameterError(_failed(exc), "parameters") from None
    if status == "parameter":
        raise ParameterError(value, field)
    variant: Variant = value
    return variant


def limited_author_tests(spec: QuestionSpec, seeds: Iterable[int]) -> list[AuthorTestFailure]:
    """:func:`run_author_tests` in a grading worker; an overrun is reported as a failure."""
    try:
        failures: list[AuthorTestFailure] = get_pool().run(
            "exam_engine.banks.authortests:run_author_tests",
            spec,
            list(seeds),
            timeout=AUTHOR_SECONDS,
        )
    except LimitHit:
        message = _overrun("the author tests")
        return [AuthorTestFailure(spec.id, -1, 0, "", "", None, None, message)]
    except RuntimeError as exc:
        return [AuthorTestFailure(spec.id, -1, 0, "", "", None, None, _failed(exc))]
    return failures


def limited_problems(data: Any, file: str, topic: str | None) -> list[Problem]:
    """Validate a question (with trial seeds) in a grading worker; an overrun is a problem."""
    try:
        problems: list[Problem] = get_pool().run(
            "exam_engine.banks.limited:problems_here", data, file, topic, timeout=AUTHOR_SECONDS
        )
    except (LimitHit, RuntimeError) as exc:
        qid = data.get("id", "") if isinstance(data, dict) else ""
        message = _overrun("checking the question") if isinstance(exc, LimitHit) else _failed(exc)
        return [Problem(file, str(qid), "parameters", None, message)]
    return problems


__all__ = [
    "AUTHOR_SECONDS",
    "limited_author_tests",
    "limited_instantiate",
    "limited_problems",
]
