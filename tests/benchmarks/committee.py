"""Committee pages at scale (issue #10, point 5): server time and SQL statements per page.

Run: ``.venv/bin/python tests/benchmarks/committee.py [--sizes 500,2000,10000] [--repeat 5]``.

For each size, a throwaway PostgreSQL cluster gets an exam whose sections draw from pools with
unequal points, one common deadline, and that many finished, graded attempts. The data is made
by a fast bulk path with the real shape (the services' draws, one response and one grade per
part, some hostile answers with the grader's "not graded" verdict and an override or two);
the marks come from a simple ability model instead of SymPy, which would take hours at 10,000.
Then the analysis job runs once (timed), a regrade plan is stored, and every committee page and
export is requested through the app (warm: after one discarded request), giving the median
server time of ``--repeat`` requests and the number of SQL statements each one ran.

Budgets: every page <= 300 ms at 2,000 and <= 1 s at 10,000 (for the streamed exports, the
first byte; their whole time is printed too); statements do not grow with N (the exam JSON
reads 500 attempts per batch). Exits with status 1 when a page is over its budget. Not
collected by pytest. Run on a quiet machine: other load inflates every figure.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import event, insert, select  # noqa: E402

from exam_engine import banks  # noqa: E402
from exam_engine.extensions import db  # noqa: E402
from exam_engine.models import (  # noqa: E402
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    Candidate,
    Exam,
    Grade,
    Invitation,
    JobKind,
    Response,
)
from exam_engine.services import exams, membership, questions  # noqa: E402
from exam_engine.services import jobs as job_service  # noqa: E402
from exam_engine.services.regrade import Change, RegradePlan, plan_to_json  # noqa: E402
from exam_engine.services.scoring import LIMIT_NOTE, PartMark  # noqa: E402

BUDGETS = {2000: 0.300, 10000: 1.0}
HOSTILE = "e^(e^(e^(e^e)))"
SECTIONS = [
    {"title": "Linear algebra", "bank": "fellowship", "topic": "linear-algebra", "draw": 2},
    {"title": "Calculus", "bank": "fellowship", "topic": "calculus", "draw": 1},
    {"title": "Probability", "bank": "fellowship", "topic": "probability", "draw": 2},
]
PAGES = [
    ("dashboard", "/committee/exams/{slug}"),
    ("ranking", "/committee/exams/{slug}/ranking"),
    ("ranking, page 5", "/committee/exams/{slug}/ranking?page=5"),
    ("ranking, search", "/committee/exams/{slug}/ranking?q=cand1234"),
    ("items", "/committee/exams/{slug}/items"),
    ("integrity", "/committee/exams/{slug}/integrity"),
    ("attempt page", "/committee/attempts/{attempt}"),
    ("regrade page", "/committee/exams/{slug}/regrade"),
    ("ranking.csv", "/committee/exams/{slug}/ranking.csv"),
    ("responses CSV", "/committee/exams/{slug}/responses.csv"),
    ("exam JSON", "/committee/exams/{slug}/export.json"),
]


def build(n: int, seed: int = 2026) -> Exam:
    """An exam with ``n`` finished, graded attempts, written in bulk."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    exam = exams.save_exam(
        {
            "slug": f"bench-{n}",
            "title": f"Benchmark, {n} candidates",
            "opens_at": (now - timedelta(days=1)).isoformat(),
            "closes_at": (now + timedelta(days=7)).isoformat(),
            "duration_minutes": 90,
            "cohort_size": 20,
            "sections": SECTIONS,
        }
    )
    db.session.flush()
    pools = [questions.pool(s.bank_slug, s.topic, s.tags) for s in exam.sections]
    parts: dict[int, list[banks.VariantPart]] = {
        v.id: list(questions.variant(v, 0).parts) for pool in pools for v in pool
    }
    start = now - timedelta(hours=2)
    deadline = start + timedelta(minutes=90)
    cand_ids = db.session.scalars(
        insert(Candidate).returning(Candidate.id),
        [{"email": f"cand{i}.{n}@example.org", "name": f"Candidate {i}"} for i in range(n)],
    ).all()
    inv_ids = db.session.scalars(
        insert(Invitation).returning(Invitation.id),
        [
            {"exam_id": exam.id, "candidate_id": c, "token": f"bench-{n}-{i}", "time_factor": 1.0}
            for i, c in enumerate(cand_ids)
        ],
    ).all()
    statuses = [
        AttemptStatus.EXPIRED if rng.random() < 0.1 else AttemptStatus.SUBMITTED for _ in cand_ids
    ]
    attempt_ids = db.session.scalars(
        insert(Attempt).returning(Attempt.id),
        [
            {
                "exam_id": exam.id,
                "candidate_id": c,
                "invitation_id": inv,
                "seed": rng.getrandbits(48),
                "status": status,
                "started_at": start,
                "deadline_at": deadline,
                "submitted_at": deadline
                if status == AttemptStatus.EXPIRED
                else deadline - timedelta(minutes=5),
                "graded_at": deadline + timedelta(minutes=1),
                "receipt": "0" * 64,
            }
            for c, inv, status in zip(cand_ids, inv_ids, statuses, strict=True)
        ],
    ).all()
    drawn, answers, marks = [], [], []
    for attempt_id in attempt_ids:
        ability = rng.gauss(0, 1)
        hostile = rng.random() < 0.01
        chosen = [
            (section.position, v)
            for section, pool in zip(exam.sections, pools, strict=True)
            for v in rng.sample(pool, section.draw_count)
        ]
        rng.shuffle(chosen)
        for position, (section, version) in enumerate(chosen, start=1):
            drawn.append(
                {
                    "attempt_id": attempt_id,
                    "position": position,
                    "question_version_id": version.id,
                    "variant_seed": rng.getrandbits(48),
                    "section_position": section,
                }
            )
            for part in parts[version.id]:
                key = f"q{position}-{part.key}"
                right = rng.random() < 1 / (1 + 2.718 ** -(ability + 0.3))
                value = HOSTILE if hostile else (str(part.model_answer) if right else "0")
                points = float(part.points)
                answers.append(
                    {
                        "attempt_id": attempt_id,
                        "part_key": key,
                        "value": value,
                        "seq": 1,
                        "saved_at": deadline,
                    }
                )
                marks.append(
                    {
                        "attempt_id": attempt_id,
                        "part_key": key,
                        "topic": version.topic,
                        "score": points if right and not hostile else 0.0,
                        "auto_score": points if right and not hostile else 0.0,
                        "max_score": points,
                        "fraction": 1.0 if right and not hostile else 0.0,
                        "note": LIMIT_NOTE
                        if hostile
                        else ("ATEquiv_True" if right else "ATEquiv_False"),
                        "feedback": "",
                        "error": "not graded: too expensive" if hostile else None,
                        "grader_version": "bench",
                        "question_version_id": version.id,
                        "graded_at": deadline,
                    }
                )
    for model, rows in ((AttemptQuestion, drawn), (Response, answers), (Grade, marks)):
        for i in range(0, len(rows), 5000):
            db.session.execute(insert(model), rows[i : i + 5000])
    job_service.bump_revision(exam.id, now)
    db.session.commit()
    return exam


def store_regrade_plan(exam: Exam) -> None:
    """A finished dry run whose plan changes 2% of the first parts (shaped like a real one)."""
    grades = db.session.execute(
        select(Grade.attempt_id, Grade.part_key, Grade.auto_score, Grade.max_score)
        .join(Attempt, Attempt.id == Grade.attempt_id)
        .where(Attempt.exam_id == exam.id, Grade.part_key.like("q1-%"))
    ).all()
    changes = [
        Change(a, key, old, top - old, False, PartMark(1.0 if old == 0 else 0.0, "bench", "", None))
        for n, (a, key, old, top) in enumerate(grades)
        if n % 50 == 0
    ]
    names = {a: f"Candidate {a}" for a, *_ in grades}
    plan = RegradePlan(
        "shown", changes, {c.attempt_id: (1, 2) for c in changes}, names, len(grades)
    )
    job = job_service.create_job(
        JobKind.REGRADE, exam.id, datetime.now(UTC), {"policy": "shown"}, None
    )
    claimed = job_service.claim(job.id, datetime.now(UTC), timedelta(minutes=5))
    assert claimed is not None
    job_service.finish(claimed, plan_to_json(plan), datetime.now(UTC))
    db.session.commit()


EXPORTS = {"ranking.csv", "responses CSV", "exam JSON"}


def measure(client: Any, url: str, repeat: int) -> tuple[float, float, int, int]:
    """Warm requests: median seconds to the first byte and to the last, statements, bytes.

    Pages are measured whole; exports stream, so their first byte is what a browser waits
    for before the download starts (and a server's timeout watches).
    """
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    client.get(url).get_data()
    firsts, totals = [], []
    size = 0
    for i in range(repeat):
        if i == 0:
            event.listen(db.engine, "before_cursor_execute", record)
        began = time.perf_counter()
        response = client.get(url, buffered=False)
        chunks = iter(response.response)
        first = next(chunks, b"")
        firsts.append(time.perf_counter() - began)
        body = len(first) + sum(len(c) for c in chunks)
        response.close()
        totals.append(time.perf_counter() - began)
        if i == 0:
            event.remove(db.engine, "before_cursor_execute", record)
            size = body
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")
    return statistics.median(firsts), statistics.median(totals), len(statements), size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="500,2000,10000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--replicates", type=int, default=1000)
    args = parser.parse_args()

    from exam_engine.jobs.analysis import analyse_now
    from tests import conftest
    from tests.factories import login, make_staff
    from tests.pg import Cluster

    cluster = Cluster().start()
    failed = False
    table: dict[str, dict[int, tuple[float, float, int, int]]] = {}
    try:
        cluster.sql("CREATE DATABASE bench")
        conftest.migrate(cluster.url("bench"))
        app = conftest.make_app(
            cluster.url("bench"), TESTING=False, BASE_URL="http://bench.invalid"
        )
        sizes = [int(s) for s in args.sizes.split(",")]
        with app.app_context():
            staff = make_staff("committee")
            client = app.test_client()
            login(client, staff)
            for n in sizes:
                began = time.perf_counter()
                exam = build(n)
                membership.add_member(exam, staff, None, datetime.now(UTC))  # on its committee
                db.session.commit()
                print(
                    f"\n{n} candidates: data written in {time.perf_counter() - began:.1f} s",
                    flush=True,
                )
                began = time.perf_counter()
                analyse_now(exam, replicates=args.replicates)
                db.session.commit()
                print(
                    f"  analysis job (all figures and plots): {time.perf_counter() - began:.1f} s"
                )
                store_regrade_plan(exam)
                attempt = db.session.scalar(
                    select(Attempt.id)
                    .where(Attempt.exam_id == exam.id)
                    .order_by(Attempt.id.desc())
                    .limit(1)
                )
                for label, page in PAGES:
                    url = page.format(slug=exam.slug, attempt=attempt)
                    first, whole, count, size = measure(client, url, args.repeat)
                    table.setdefault(label, {})[n] = (first, whole, count, size)
                    budget = BUDGETS.get(n)
                    judged = first if label in EXPORTS else whole
                    over = budget is not None and judged > budget
                    failed |= over
                    print(
                        f"  {label:<18} {whole * 1000:9.1f} ms  first byte {first * 1000:7.1f} ms"
                        f"  {count:3d} statements  {size / 1024:9.1f} KiB"
                        f"{'  OVER BUDGET' if over else ''}",
                        flush=True,
                    )
        print("\npage (whole response, statements)" + "".join(f"{n:>22}" for n in sizes))
        for label, by_size in table.items():
            cells = "".join(f"{by_size[n][1] * 1000:12.1f} ms {by_size[n][2]:3d} st" for n in sizes)
            print(f"{label:<34}{cells}")
    finally:
        cluster.stop()
        if conftest._BROKER is not None:
            conftest._BROKER.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
