"""grade-batch: JSON Lines in, JSON Lines out, in the same order (see API.md).

in:  {"id": any, "student": str, "teacher": str, "test": "AlgEquiv", "options": null}
out: {"id": same, "correct", "score", "error", "note", "feedback", "display"}

A line that is not JSON, or not a valid request, gets an error result in its place; one bad
line never stops the batch. Blank lines are skipped. The command grades in the worker pool
(:mod:`.pool`), under the same time and memory limits as the web app, and answers each line as
soon as it is graded.
"""

from __future__ import annotations

import json
import queue
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, Any

from . import messages as M
from .answertests import REGISTRY
from .cache import CACHE
from .equivalence import BudgetExceeded, budget
from .grader import grade
from .pool import DEFAULT_TIMEOUT, GradingPool
from .types import GradeResult

HARD_LIMIT = DEFAULT_TIMEOUT  # seconds per item in-process (main thread only): the pool's


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
    """Non-blank lines, read one at a time (``readline`` answers as soon as a line is there)."""
    while True:
        line = in_stream.readline()
        if not line:
            return
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

    Results are written, and flushed, as soon as they and every result before them are
    ready: a caller may send one line and read its answer before sending the next.

    :param in_stream: JSON Lines requests.
    :param out_stream: where the JSON Lines results go, in the same order.
    :param use_cache: use the in-process result cache (``--no-cache`` turns it off).
    :param pool: a :class:`GradingPool` to grade under hard time and memory limits, with one
        request in flight per worker (the command always uses one); ``None`` grades in this
        process under the pool's time limit only (when run from the main thread).
    :returns: the number of results written.
    """
    count = 0

    def handle(line: str) -> str:
        ident, req = _request(line)
        result = req if isinstance(req, GradeResult) else _grade_one(req, use_cache, pool)
        return json.dumps({"id": ident, **result.to_dict()}, ensure_ascii=False)

    def emit(text: str) -> None:
        nonlocal count
        out_stream.write(text + "\n")
        out_stream.flush()
        count += 1

    if pool is None:
        for line in _lines(in_stream):
            emit(handle(line))
        return count
    # The reader submits lines as they come; the writer emits results in order. The bounded
    # queue keeps at most a few requests per worker in flight.
    pending: queue.Queue[Future[str] | None] = queue.Queue(maxsize=4 * pool.size)
    failure: list[BaseException] = []

    def writer() -> None:
        try:
            while (future := pending.get()) is not None:
                emit(future.result())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            failure.append(exc)
            while pending.get() is not None:  # drain so the reader never blocks
                pass

    thread = threading.Thread(target=writer, name="grade-batch-writer", daemon=True)
    thread.start()
    with ThreadPoolExecutor(max_workers=pool.size) as ex:
        try:
            for line in _lines(in_stream):
                pending.put(ex.submit(handle, line))
        finally:
            pending.put(None)
            thread.join()
    if failure:
        raise failure[0]
    return count


def main(argv: list[str] | None = None) -> int:
    """``python -m exam_engine.grading.batch [--no-cache]``: grade stdin to stdout in a pool.

    :param argv: command-line arguments (``--pool`` is accepted: the pool is always used).
    :returns: the exit status.
    """
    from .pool import get_pool

    args = sys.argv[1:] if argv is None else argv
    run_batch(sys.stdin, sys.stdout, use_cache="--no-cache" not in args, pool=get_pool())
    return 0


if __name__ == "__main__":
    sys.exit(main())
