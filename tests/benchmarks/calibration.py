"""Reliability tables of P(top k) for docs/psychometrics.md (issue 12, point 3).

Run: ``.venv/bin/python tests/benchmarks/calibration.py [--sittings S] [--draws D]``.
For k = 5 and 50 at N = 500 and 2,000, simulates sittings whose sections draw questions from
pools, worth 1 to 4 points (:mod:`exam_engine.psychometrics.calibration`), and prints one
Markdown table per setting: each band of predicted P(top k) with its count, mean prediction
and observed frequency, then the Brier scores of the committee's figure, of an oracle with the
true item parameters, and of the bootstrap check. Exits 1 if a band with at least 100
candidates is off by more than 0.05. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import sys
import time

from exam_engine.psychometrics.calibration import SECTIONS, study


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sittings", type=int, default=100)
    parser.add_argument("--draws", type=int, default=400)
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--ks", type=int, nargs="+", default=[5, 50])
    parser.add_argument("--seed", type=int, default=0, help="added to every setting's seeds")
    args = parser.parse_args()
    print(f"Sections (pool, drawn): {SECTIONS}; points 1-4; {args.sittings} sittings each\n")
    ok = True
    for n in args.sizes:
        for k in args.ks:
            start = time.perf_counter()
            result = study(n, k, args.sittings, seed=10_000 * n + k + args.seed, draws=args.draws)
            seconds = time.perf_counter() - start
            print(f"#### N = {n}, k = {k} ({args.sittings} sittings, {seconds:.0f} s)\n")
            print(
                "| predicted P | candidates | mean predicted | observed | difference "
                "| oracle: candidates | mean predicted | observed |"
            )
            print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            oracle = {(b.low, b.high): b for b in result.oracle_bands}
            for b in result.bands:
                diff = b.observed - b.predicted
                if b.count >= 100 and abs(diff) > 0.05:
                    ok = False
                o = oracle.get((b.low, b.high))
                known = f"{o.count} | {o.predicted:.3f} | {o.observed:.3f}" if o else "0 | | "
                print(
                    f"| {b.low:.2f}–{b.high:.2f} | {b.count} | {b.predicted:.3f} | "
                    f"{b.observed:.3f} | {diff:+.3f} | {known} |"
                )
            print(
                f"\nBrier: posterior {result.brier:.5f}, oracle {result.brier_oracle:.5f}, "
                f"bootstrap {result.brier_bootstrap:.5f}\n",
                flush=True,
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
