"""Benchmark: our AlgEquiv (warm worker pool, no cache) against a naive SymPy baseline.

The baseline is what many graders do: ``parse_expr`` with implicit multiplication, then
``simplify(a - b) == 0``. Both run on the same valid AlgEquiv cases from STACK's fixtures,
read from ../shared/reference at run time (never copied into this repository).

Run with ``make bench`` or ``python tests/benchmarks/grading.py [--limit N]``.
Targets: our median at least 5x lower than the baseline's, our p99 under 100 ms.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import time
from pathlib import Path

import sympy
from sympy.parsing.sympy_parser import (
    convert_xor,
    implicit_multiplication_application,
    parse_expr,
    standard_transformations,
)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from exam_engine.grading import GradingPool, ParseError, parse  # noqa: E402

REFERENCE = ROOT.parent / "shared" / "reference" / "stack_answertests.jsonl"
TRANSFORMS = standard_transformations + (implicit_multiplication_application, convert_xor)
BASELINE_LIMIT = 5.0


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Timeout


def baseline_parse(text: str) -> sympy.Expr:
    """The naive baseline's parser (``parse_expr`` evaluates Python: fine for a benchmark)."""
    text = text.replace("%pi", "pi").replace("%e", "E").replace("%i", "I")
    return parse_expr(text, transformations=TRANSFORMS)


def baseline(a: sympy.Expr, b: sympy.Expr) -> bool:
    """The naive baseline's verdict."""
    return sympy.simplify(a - b) == 0


def _readable(text: str) -> bool:
    """Whether our parser reads a fixture (as the answer-test layer does: STACK's student
    expressions may use CAS commands that candidate inputs refuse)."""
    try:
        parse(text)
    except (ParseError, RecursionError):
        return False
    return True


def cases(limit: int | None) -> list[tuple[str, str]]:
    """Valid AlgEquiv cases: both sides valid for us and for the baseline, scalar expressions."""
    out = []
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["test"] != "AlgEquiv" or row["expected"] not in (0, 1):
            continue
        s, t = row["student"], row["teacher"]
        if any(c in s + t for c in '#=<>[]{}:"') or not (_readable(s) and _readable(t)):
            continue
        try:
            signal.alarm(2)
            a, b = baseline_parse(s), baseline_parse(t)
            signal.alarm(0)
        except BaseException:  # noqa: BLE001 - anything the baseline cannot read is skipped
            signal.alarm(0)
            continue
        if isinstance(a, sympy.Expr) and isinstance(b, sympy.Expr) and not a.is_Relational:
            out.append((s, t))
    return out[:limit] if limit else out


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    """Run the benchmark and print medians, p99s and the ratio."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    todo = cases(args.limit)
    ours: list[float] = []
    base: list[float] = []
    with GradingPool(size=1, timeout=5.0) as pool:
        for s, t in todo[:5]:
            pool.grade(s, t)  # warm up
        for s, t in todo:
            t0 = time.perf_counter()
            pool.grade(s, t, "AlgEquiv")
            ours.append(time.perf_counter() - t0)
    for s, t in todo:
        a, b = baseline_parse(s), baseline_parse(t)
        t0 = time.perf_counter()
        try:
            signal.setitimer(signal.ITIMER_REAL, BASELINE_LIMIT)
            baseline(a, b)
        except _Timeout:
            pass
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        base.append(time.perf_counter() - t0)
    med_o, med_b = statistics.median(ours), statistics.median(base)
    p99_o, p99_b = pct(ours, 0.99), pct(base, 0.99)
    print(f"cases: {len(todo)} valid AlgEquiv cases (STACK fixtures)")
    print(f"ours     median {1000 * med_o:8.2f} ms   p99 {1000 * p99_o:8.2f} ms")
    print(f"baseline median {1000 * med_b:8.2f} ms   p99 {1000 * p99_b:8.2f} ms")
    print(f"ratio (baseline median / ours): {med_b / med_o:.1f}x")
    ok = med_b / med_o >= 5 and p99_o < 0.1
    print("targets met" if ok else "targets NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
