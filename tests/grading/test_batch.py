"""grade-batch: JSON Lines in and out, in order, bad lines answered in place; the cache."""

from __future__ import annotations

import io
import json

from exam_engine.grading import GradingPool
from exam_engine.grading.batch import run_batch
from exam_engine.grading.cache import CACHE, GradeCache
from exam_engine.grading.types import GRADER_VERSION, GradeResult

KEYS = {"id", "correct", "score", "error", "note", "feedback", "display"}


def _run(lines: list[str], **kwargs: object) -> list[dict]:
    out = io.StringIO()
    run_batch(io.StringIO("\n".join(lines) + "\n"), out, **kwargs)  # type: ignore[arg-type]
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_order_and_fields() -> None:
    reqs = [
        {"id": 1, "student": "x^2-1", "teacher": "(x-1)*(x+1)"},
        {"id": "b", "student": "0.5", "teacher": "1/2", "test": "AlgEquiv", "options": None},
        {"id": [3], "student": "3.14", "teacher": "pi", "test": "NumAbsolute", "options": "0.01"},
        {"id": 4, "student": "x", "teacher": "y", "test": "Nope"},
    ]
    outs = _run([json.dumps(r) for r in reqs], use_cache=False)
    assert [o["id"] for o in outs] == [1, "b", [3], 4]
    assert all(set(o) == KEYS for o in outs)
    assert [o["correct"] for o in outs] == [True, True, True, False]
    assert outs[3]["error"]


def test_bad_lines_get_errors_in_place() -> None:
    lines = [
        json.dumps({"id": 1, "student": "x", "teacher": "x"}),
        "this is not json",
        json.dumps([1, 2]),
        json.dumps({"id": 4, "student": 5, "teacher": "x"}),
        json.dumps({"id": 5, "student": "x+", "teacher": "x"}),
        json.dumps({"id": 6, "student": "x", "teacher": "x"}),
    ]
    outs = _run(lines, use_cache=False)
    assert len(outs) == 6
    assert [o["correct"] for o in outs] == [True, False, False, False, False, True]
    assert all(o["error"] for o in outs[1:5])
    assert outs[4]["id"] == 5


def test_with_a_pool_the_order_is_kept(pool: GradingPool) -> None:
    reqs = [{"id": k, "student": f"x^{k}", "teacher": f"x^{k % 3}"} for k in range(20)]
    outs = _run([json.dumps(r) for r in reqs], use_cache=False, pool=pool)
    assert [o["id"] for o in outs] == list(range(20))
    assert [o["correct"] for o in outs] == [k == k % 3 for k in range(20)]


def test_cache_hits_and_version_key() -> None:
    CACHE.clear()
    first = json.dumps({"id": 1, "student": "2*x", "teacher": "x*2"})
    second = json.dumps({"id": 2, "student": "2×x", "teacher": "x*2"}, ensure_ascii=False)
    _run([first, second], use_cache=True)
    assert CACHE.hits >= 1
    key = GradeCache.key("x", "x", "AlgEquiv", None, None)
    assert key[-1] == GRADER_VERSION


def test_cache_is_bounded() -> None:
    c = GradeCache(maxsize=3)
    r = GradeResult(True, 1.0, None, "n", "", "x")
    for k in range(5):
        c.put(GradeCache.key(str(k), "x", "AlgEquiv", None, None), r)
    assert len(c) == 3
    assert c.get(GradeCache.key("0", "x", "AlgEquiv", None, None)) is None


def test_the_command_answers_a_line_before_stdin_is_closed() -> None:
    """grade-batch streams: one line written, its answer read, while stdin stays open."""
    import selectors
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "exam_engine.grading.batch", "--no-cache"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        answers = []
        for k, (student, teacher) in enumerate([("x^2-1", "(x-1)*(x+1)"), ("gamma(10^10)", "1")]):
            proc.stdin.write(json.dumps({"id": k, "student": student, "teacher": teacher}) + "\n")
            proc.stdin.flush()
            with selectors.DefaultSelector() as sel:
                sel.register(proc.stdout, selectors.EVENT_READ)
                # a generous safety net so a regression fails instead of hanging the suite
                assert sel.select(timeout=120), "no answer while stdin is still open"
            answers.append(json.loads(proc.stdout.readline()))
        assert proc.poll() is None  # still running: it answered before the end of its input
        assert answers[0]["id"] == 0 and answers[0]["correct"] is True
        assert answers[1]["id"] == 1 and answers[1]["error"] and not answers[1]["correct"]
        proc.stdin.close()
        assert proc.stdout.read() == ""
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdin, proc.stdout):
            if stream is not None and not stream.closed:
                stream.close()


def test_in_process_batches_use_the_pool_time_limit() -> None:
    from exam_engine.grading.batch import HARD_LIMIT
    from exam_engine.grading.pool import DEFAULT_TIMEOUT

    assert HARD_LIMIT == DEFAULT_TIMEOUT
