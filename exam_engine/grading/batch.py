"""grade-batch: JSON Lines in, JSON Lines out, in the same order (see API.md).

in:  {"id": any, "student": str, "teacher": str, "test": "AlgEquiv", "options": null}
out: {"id": same, "correct", "score", "error", "note", "feedback", "display"}

A line that is not JSON, or not a valid request, gets an error result in its place; one bad
line never stops the batch. Blank lines are skipped.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any

from . import messages as M
from .answertests import REGISTRY
from .cache import CACHE
from .equivalence import BudgetExceeded, budget
from .grader import grade
from .pool import GradingPool
from .types import GradeResult

HARD_LIMIT = 10.0  # seconds per item when grading in-process (main thread only)


def _error(message: str, note: str = "BATCH_ERROR") -> GradeResult:
    return GradeResult(False, 0.0, message, note, "", "")


def _request(line: str) -> tuple[Any, tuple[str, str, str, str | None] | GradeResult]:
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return None, _error("The line is not valid JSON.")
    if not isinstance(obj, dict):
        return None, _error("The line is not a JSON object.")
    ident = obj.get("id")
    student, teacher = obj.get("student"), obj.get("teacher")
    test = obj.get("test") or "AlgEquiv"
    options = obj.get("options")
    if not isinstance(student, str) or not isinstance(teacher, str):
        return ident, _error('"student" and "teacher" must be strings.')
    if not isinstance(test, str):
        return ident, _error('"test" must be a string.')
    if options is not None and not isinstance(options, str):
        options = json.dumps(options) if not isinstance(options, (int, float)) else str(options)
    return ident, (student, teacher, test, options)


def _grade_one(
    args: tuple[str, str, str, str | None], use_cache: bool, pool: GradingPool | None
) -> GradeResult:
    student, teacher, test, options = args
    spec = REGISTRY.get(test)
    key = CACHE.key(student, teacher, test, options, None, bool(spec and spec.raw))
    if use_cache:
        hit = CACHE.get(key)
        if hit is not None:
            return hit
    if pool is not None:
        result = pool.grade(student, teacher, test, options)
    else:
        try:
            with budget(HARD_LIMIT):
                result = grade(student, teacher, test, options)
        except (BudgetExceeded, RecursionError, MemoryError):
            result = _error(M.LIMIT, "LIMIT")
    if use_cache:
        CACHE.put(key, result)
    return result


def _lines(in_stream: IO[str]) -> Iterator[str]:
    for line in in_stream:
        if line.strip():
            yield line


def run_batch(
    in_stream: IO[str],
    out_stream: IO[str],
    *,
    use_cache: bool = True,
    pool: GradingPool | None = None,
) -> int:
    """Grade every request line of ``in_stream`` and write one result line per request.

    :param in_stream: JSON Lines requests.
    :param out_stream: where the JSON Lines results go, in the same order.
    :param use_cache: use the in-process result cache (``--no-cache`` turns it off).
    :param pool: a :class:`GradingPool` to grade under hard time and memory limits, with one
        request in flight per worker; ``None`` grades in this process (time-limited when run
        from the main thread).
    :returns: the number of results written.
    """
    count = 0
    lock = threading.Lock()

    def handle(line: str) -> str:
        ident, req = _request(line)
        result = req if isinstance(req, GradeResult) else _grade_one(req, use_cache, pool)
        out = {"id": ident, **result.to_dict()}
        return json.dumps(out, ensure_ascii=False)

    def emit(text: str) -> None:
        nonlocal count
        with lock:
            out_stream.write(text + "\n")
            count += 1

    if pool is None:
        for line in _lines(in_stream):
            emit(handle(line))
    else:
        with ThreadPoolExecutor(max_workers=pool.size) as ex:
            for text in ex.map(handle, _lines(in_stream)):
                emit(text)
    out_stream.flush()
    return count


def main(argv: list[str] | None = None) -> int:
    """``python -m exam_engine.grading.batch [--no-cache] [--pool]``: grade stdin to stdout.

    :param argv: command-line arguments.
    :returns: the exit status.
    """
    args = sys.argv[1:] if argv is None else argv
    use_cache = "--no-cache" not in args
    if "--pool" in args:
        from .pool import get_pool

        run_batch(sys.stdin, sys.stdout, use_cache=use_cache, pool=get_pool())
    else:
        run_batch(sys.stdin, sys.stdout, use_cache=use_cache)
    return 0


if __name__ == "__main__":
    sys.exit(main())
