"""Time the committee's analytics on 10,000 candidates × 40 items (issue #6 point 9, issue 12).

Run: ``.venv/bin/python tests/benchmarks/analytics.py [--candidates N] [--items M] [--k K]``.
Prints each figure and the total; exits with status 1 if the total is over the budget (10 s).
Not collected by pytest (``norecursedirs``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from exam_engine.psychometrics import (
    analyse,
    analyse_items,
    bootstrap_top_k,
    fit_irt,
    posterior_top_k,
    rank,
)
from exam_engine.psychometrics.analysis import band_rows
from exam_engine.psychometrics.simulate import simulate_sitting

BUDGET_SECONDS = 10.0
T = TypeVar("T")


def timed(label: str, work: Callable[[], T], figures: dict[str, float]) -> T:
    """Run ``work``, print and record how long it took."""
    start = time.perf_counter()
    result = work()
    figures[label] = time.perf_counter() - start
    print(f"{label:<34} {figures[label]:7.3f} s", flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--k", type=int, default=50)
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument(
        "--partial-steps", type=int, default=2, help="marks per item (2 = half marks allowed)"
    )
    args = parser.parse_args()

    sitting = simulate_sitting(
        args.candidates, args.items, seed=2026, partial_steps=args.partial_steps
    )
    matrix = sitting.matrix
    print(
        f"{args.candidates} candidates x {args.items} items, k = {args.k}, "
        f"{args.replicates} replicates, marks in steps of 1/{args.partial_steps}"
    )
    figures: dict[str, float] = {}
    ranking = timed("ranking", lambda: rank(matrix), figures)
    timed("item analysis", lambda: analyse_items(matrix), figures)
    tracked = band_rows(ranking.ranks, args.k)
    timed(
        f"bootstrap ({args.replicates} replicates)",
        lambda: bootstrap_top_k(
            matrix, args.k, replicates=args.replicates, seed=0, tracked=tracked
        ),
        figures,
    )
    fit = timed("IRT estimation (2PL, EM)", lambda: fit_irt(matrix, "2pl"), figures)
    timed(
        f"P(top k), plausible values ({args.replicates} draws)",
        lambda: posterior_top_k(
            fit, matrix, args.k, draws=args.replicates, seed=0, tracked=tracked
        ),
        figures,
    )
    total = sum(figures.values())
    print(f"{'total':<34} {total:7.3f} s (budget {BUDGET_SECONDS:.0f} s)")
    r = float(np.corrcoef(fit.ability, sitting.ability)[0, 1])
    print(f"(ability recovery r = {r:.4f}, EM iterations = {fit.iterations})")
    start = time.perf_counter()
    analyse(matrix, args.k, replicates=args.replicates)
    print(f"(the analyse() facade, end to end: {time.perf_counter() - start:.3f} s)")
    return 0 if total < BUDGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
