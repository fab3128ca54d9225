"""Where a save's CPU goes (issue #10, point 6): one web process, PostgreSQL, many saves.

Runs the real app (the WSGI stack gunicorn's workers run, without the socket) against a
throwaway PostgreSQL, starts a few attempts, then sends ``--saves`` answer saves through the
full request path (session cookie, CSRF, the view, the commit, the JSON answer). Prints:

- the CPU per save of this process, of its grading processes (the validation echo) and of
  the PostgreSQL server, unprofiled;
- a cProfile split of this process's share by component, in microseconds per save (scaled to
  the unprofiled total, so the columns add up to what a save costs).

    .venv/bin/python tests/benchmarks/save_profile.py [--saves 3000]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.durability.servers import SittingCluster, seed_sitting  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')

# Component -> the functions whose cumulative time is that component (first match wins).
# The view's functions and the hot path's (exam_engine/api/hot.py) for each component.
COMPONENTS = [
    ("session cookie (open + save)", ["open_session", "save_session", "_session"]),
    ("CSRF check", ["protect", "_csrf_ok"]),
    ("load attempt + questions (ORM)", ["get_attempt"]),
    ("part keys of the attempt", ["parts_of", "attempt_parts", "kept_parts", "_learn_parts"]),
    (
        "lock + status check + write (SQL)",
        ["save_answer:attempts.py", "store_answer", "write_answer"],
    ),
    ("client mark (second-session check)", ["note_client"]),
    ("commit", ["commit", "commit:base.py"]),
    ("validation echo (IPC to grader, MathML)", ["echo", "save_echo"]),
    ("JSON body parse + answer", ["get_json", "jsonify", "_json_body", "_respond"]),
]
# Parts of the components above (shown indented, not added again).
INSIDE = [
    ("of which: connection from the pool (with its ping)", "_checkout"),
    ("of which: SQL statements (execute)", "_execute_clauseelement"),
]


def cpu_of(pids: list[int]) -> float:
    """User + system CPU seconds of ``pids`` (those still alive)."""
    total = 0.0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = text[text.rfind(")") + 2 :].split()
        total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def descendants(parent: int) -> list[int]:
    """Every live process below ``parent`` (the grading pool may sit behind a fork server)."""
    found: list[int] = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                text = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(text[text.rfind(")") + 2 :].split()[1]) == parent:
                found.append(int(entry))
    for child in list(found):
        found += descendants(child)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--saves", type=int, default=3000)
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--dump", type=Path, help="write the profile here (pstats format)")
    parser.add_argument(
        "--no-hot-path",
        dest="hot_path",
        action="store_false",
        help="profile the Flask view (HOT_PATH off) instead of the hot path",
    )
    args = parser.parse_args()

    cluster = SittingCluster()
    try:
        cluster.start()
        cluster.sql("CREATE DATABASE sitting")
        url = cluster.url("sitting")
        tokens = seed_sitting(url, args.candidates)
        from tests.conftest import make_app

        app = make_app(url, TESTING=False, GRADER_WORKERS=1, BASE_URL="http://bench.invalid")
        pages = []
        for token in tokens:
            one = app.test_client()
            page = one.get(f"/i/{token}").get_data(as_text=True)
            match = CSRF.search(page)
            assert match
            started = one.post(f"/i/{token}/start", data={"csrf_token": match.group(1)})
            attempt = int(started.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
            state = json.loads(one.get(f"/api/attempts/{attempt}").get_data())
            parts = [p["key"] for q in state["questions"] for p in q["parts"]]
            pages.append((one, match.group(1), attempt, parts, dict.fromkeys(parts, 0)))
        rng = random.Random(1)

        def save(n: int) -> None:
            one, token, attempt, parts, seqs = pages[n % len(pages)]
            part = rng.choice(parts)
            seqs[part] += 1
            res = one.put(
                f"/api/attempts/{attempt}/answers/{part}",
                data=json.dumps({"value": f"{seqs[part]}*x^2+{n % 7}", "seq": seqs[part]}),
                headers={
                    "Content-Type": "application/json",
                    "X-CSRFToken": token,
                    "X-Client-Id": f"page{attempt}",
                },
            )
            assert res.status_code == 200, res.get_data()

        for n in range(300):  # warm the caches and the grading pool
            save(n)
        postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
        backends = descendants(postmaster)
        helpers = descendants(os.getpid())

        def measure() -> tuple[float, ...]:
            before = (time.process_time(), cpu_of(helpers), cpu_of(backends))
            for n in range(args.saves):
                save(n)
            after = (time.process_time(), cpu_of(helpers), cpu_of(backends))
            return tuple((b - a) / args.saves * 1e6 for a, b in zip(before, after, strict=True))

        # The baseline first: every save through the Flask view (exam_engine/api/hot.py off).
        app.config["HOT_PATH"] = False
        view_web, view_grading, view_pg = measure()
        app.config["HOT_PATH"] = args.hot_path
        web, grading, pg = measure()

        profile = cProfile.Profile(time.process_time)  # CPU, not waiting for PostgreSQL
        profile.enable()
        for n in range(args.saves):
            save(n)
        profile.disable()
        stats = pstats.Stats(profile)
        if args.dump:
            stats.dump_stats(args.dump)
        profiled_total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
        scale = web / (profiled_total / args.saves * 1e6)
        print(
            f"{args.saves} saves; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
        )
        for name, (w, g, p) in (
            ("the Flask view (baseline)", (view_web, view_grading, view_pg)),
            ("as configured" if not args.hot_path else "the hot path", (web, grading, pg)),
        ):
            print(
                f"CPU per save, unprofiled, {name}: web process {w:.0f} us, grading processes "
                f"{g:.0f} us, PostgreSQL {p:.0f} us, total {w + g + p:.0f} us"
            )
        print(f"hot path / view, web process: {web / view_web:.2f}")
        print("| component (web process) | us per save |\n|---|---:|")
        accounted = 0.0
        for name, needles in COMPONENTS:
            micro = sum(_component(stats, needle) for needle in needles)
            micro *= scale / args.saves * 1e6
            accounted += micro
            print(f"| {name} | {micro:.0f} |")
        for name, func in INSIDE:
            seconds = sum(
                value[3]
                for (_f, _l, function), value in stats.stats.items()  # type: ignore[attr-defined]
                if function == func
            )
            print(f"| &nbsp;&nbsp;{name} | ({seconds * scale / args.saves * 1e6:.0f}) |")
        print(f"| Flask/Werkzeug request handling, the rest | {web - accounted:.0f} |")
        print(f"| **total, web process** | **{web:.0f}** |")
    finally:
        cluster.stop()


def _component(stats: pstats.Stats, needle: str) -> float:
    """Cumulative seconds of the outermost function matching ``needle`` (a name, or
    ``name:file.py``), counting only calls made from the view or the framework (a helper the
    service calls inside the write is part of the write)."""
    best = 0.0
    for (filename, _line, func), value in stats.stats.items():  # type: ignore[attr-defined]
        if ":" in needle:
            hit = needle == f"{func}:{Path(filename).name}"
        else:
            hit = func == needle and _ours(filename, needle)
        if not hit:
            continue
        seconds = sum(
            timing[3]
            for (caller_file, _l, _f), timing in value[4].items()
            if "services/" not in caller_file and "sqlalchemy/orm/session.py" not in caller_file
        )
        best = max(best, seconds)
    return best


def _ours(filename: str, func: str) -> bool:
    """Whether ``filename`` is where the component's function of that name lives."""
    where = {
        "open_session": "flask/sessions.py",
        "save_session": "flask/sessions.py",
        "protect": "flask_wtf/csrf.py",
        "get_attempt": "services/attempts.py",
        "parts_of": "services/attempts.py",
        "attempt_parts": "services/answers.py",
        "store_answer": "services/answers.py",
        "note_client": "services/integrity.py",
        "commit": "sqlalchemy/orm/session.py",
        "echo": "api/echo.py",
        "save_echo": "api/echo.py",
        "get_json": "werkzeug/wrappers/request.py",
        "jsonify": "flask/json/__init__.py",
        "_session": "api/hot.py",
        "_csrf_ok": "api/hot.py",
        "kept_parts": "services/answers.py",
        "_learn_parts": "api/hot.py",
        "write_answer": "services/answers.py",
        "_json_body": "api/hot.py",
        "_respond": "api/hot.py",
    }
    return filename.endswith(where.get(func, "\0"))


if __name__ == "__main__":
    main()
