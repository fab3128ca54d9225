"""CSV invitations at scale (issue 15.6): the time and SQL statements of one upload.

Run: ``.venv/bin/python tests/benchmarks/invitations.py [--rows 1000,10000]
[--engines sqlite,postgresql]``.

For each engine and size, a fresh migrated database gets an exam and a CSV of that many rows
(one in fifty a bad address, one in fifty a repeat), read and invited by the same service the
upload page and the command line call; prints seconds, rows per second and statements. Budget:
10,000 rows in under 30 s (what a person waits for on the upload page). Not collected by pytest.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import event  # noqa: E402

from exam_engine.extensions import db  # noqa: E402
from exam_engine.services.invite_csv import invite_rows, read_csv, summary  # noqa: E402
from tests.conftest import Databases, make_app  # noqa: E402
from tests.factories import make_exam  # noqa: E402

BUDGET_SECONDS = {10_000: 30.0}


def csv_text(rows: int) -> str:
    lines = ["email,name,time_factor"]
    for n in range(rows):
        if n % 50 == 7:
            lines.append(f"not-an-address-{n},Bad,1")
        elif n % 50 == 9:
            lines.append(f"person{n - 1}@example.org,Again,1")
        else:
            lines.append(f"person{n}@example.org,Person {n},{1.5 if n % 20 == 0 else 1}")
    return "\n".join(lines) + "\n"


def run(databases: Databases, engine: str, rows: int) -> bool:
    app = make_app(databases.fresh(engine))
    with app.app_context():
        exam = make_exam()
        text = csv_text(rows)
        statements = 0

        def count(*_args: object) -> None:
            nonlocal statements
            statements += 1

        event.listen(db.engine, "before_cursor_execute", count)
        started = time.perf_counter()
        report = invite_rows(exam, read_csv(text))
        db.session.commit()
        seconds = time.perf_counter() - started
        event.remove(db.engine, "before_cursor_execute", count)
        budget = BUDGET_SECONDS.get(rows)
        ok = budget is None or seconds <= budget
        print(
            f"{engine:<10} {rows:>6} rows  {seconds:7.2f} s  {rows / seconds:8.0f} rows/s  "
            f"{statements:>7} statements  [{summary(report)}]" + ("" if ok else "  OVER BUDGET")
        )
        db.session.remove()
        db.engine.dispose()
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", default="1000,10000")
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        databases = Databases(Path(folder))
        try:
            for engine in args.engines.split(","):
                for rows in (int(r) for r in args.rows.split(",")):
                    ok = run(databases, engine, rows) and ok
        finally:
            databases.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
