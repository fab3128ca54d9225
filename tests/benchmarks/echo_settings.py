"""The validation echo's part settings at the size of a sitting (issue #10: nothing sized so
that a sitting outgrows it).

``POST /api/validate`` with ``attempt_id`` and ``part_key`` validates with the part's own
settings. It used to find them by instantiating the attempt's variants (``parts_of``), which a
per-process cache of 4,096 variants holds for only a few hundred candidates: past that, a
round of echoes across the sitting re-instantiates every candidate's questions. It now reads
the parts the save path keeps per attempt (keys and settings, worked out from the question
versions without any variant).

Starts ``--candidates`` attempts of the test exam on SQLite, then answers one echo lookup per
candidate in turn, several rounds, each in its own session as a request would be:

- ours: ``answers.attempt_parts(attempt_id)[part]``;
- the baseline: ``parts_of(get_attempt(attempt_id))[part].part.settings`` (the former way),
  with the variant cache as deployed;

and, for scale, the validation itself in the grading pool. Prints milliseconds per lookup and
the ratio. Run with ``make bench``.

    .venv/bin/python tests/benchmarks/echo_settings.py [--candidates 1500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def per_lookup(
    lookup: Callable[[int, str], object], targets: list[tuple[int, str]], rounds: int
) -> float:
    """Milliseconds per lookup over ``rounds`` passes through ``targets``, a session each."""
    from exam_engine.extensions import db

    started = time.perf_counter()
    for _ in range(rounds):
        for attempt_id, part in targets:
            lookup(attempt_id, part)
            db.session.remove()
    return (time.perf_counter() - started) * 1000 / (rounds * len(targets))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from exam_engine import grading
    from exam_engine.extensions import db
    from exam_engine.services import answers, attempts, questions
    from tests.conftest import make_app, migrate
    from tests.factories import make_exam, make_invitation

    folder = Path(tempfile.mkdtemp(prefix="exam-engine-echo-settings-"))
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    migrate(url)
    app = make_app(url, GRADER_WORKERS=1)
    with app.app_context():
        exam = make_exam(duration_minutes=180)
        now = datetime.now(UTC)
        started = time.perf_counter()
        targets = []
        for n in range(args.candidates):
            attempt = attempts.start_attempt(make_invitation(exam, f"c{n}@example.org"), now)
            db.session.commit()
            keys = list(attempts.parts_of(attempt))
            targets.append((attempt.id, keys[n % len(keys)]))
        setup = time.perf_counter() - started
        variants = sum(len(attempts.get_attempt(a).questions) for a, _ in targets)
        db.session.remove()
        print(
            f"{args.candidates} attempts started in {setup:.0f} s: {variants} variants, "
            f"a variant cache of {questions._variant.cache_info().maxsize}"
        )

        def ours(attempt_id: int, part: str) -> object:
            return answers.attempt_parts(attempt_id)[part]

        def baseline(attempt_id: int, part: str) -> object:
            return attempts.parts_of(attempts.get_attempt(attempt_id))[part].part.settings

        answers.forget_parts()
        first = per_lookup(ours, targets, 1)  # each attempt's parts worked out once
        steady = per_lookup(ours, targets, args.rounds)
        old = per_lookup(baseline, targets, args.rounds)
        pool = grading.get_pool()
        settings = answers.attempt_parts(targets[0][0])[targets[0][1]]
        pool.validate("x^2+1", settings)  # warm
        started = time.perf_counter()
        for n in range(200):
            pool.validate(f"x^2+{n}", settings)
        validate = (time.perf_counter() - started) * 1000 / 200
        pool.close()

    print("the echo's part settings, ms per request (one pass through every candidate):")
    print(f"  ours, first request of each attempt in a process   {first:8.2f}")
    print(f"  ours, after that                                   {steady:8.2f}")
    print(f"  baseline, variants of the attempt (cache as deployed) {old:5.2f}")
    print(f"  for scale: the validation itself in the grading pool  {validate:5.2f}")
    print(
        f"  ratio baseline / ours: {old / first:.0f}x at an attempt's first echo in a process, "
        f"{old / steady:.0f}x after that"
    )


if __name__ == "__main__":
    main()
