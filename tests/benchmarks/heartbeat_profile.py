"""What an open page's heartbeat costs (issue 11, point 2): one web process, PostgreSQL.

Every open exam page asks ``GET /api/attempts/<id>/clock`` every 4 seconds when nothing else
told it the time: 5,000 candidates make about 1,250 of these a second. This runs the real app
(the WSGI stack, without the socket) against a throwaway PostgreSQL, starts a few attempts,
and sends ``--beats`` heartbeats through the full request path; for comparison, the full state
(``GET /api/attempts/<id>``, which the page used to poll every 30 s). Prints the CPU per
request of this process and of the PostgreSQL server, with the hot path (exam_engine/api/hot.py)
and, in the same run, without it (the Flask view), the baseline.

    .venv/bin/python tests/benchmarks/heartbeat_profile.py [--beats 3000]
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.save_profile import cpu_of, descendants  # noqa: E402
from tests.durability.servers import SittingCluster, seed_sitting  # noqa: E402

CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--beats", type=int, default=3000)
    parser.add_argument("--candidates", type=int, default=20)
    args = parser.parse_args()
    logging.disable(logging.INFO)  # the request log line is not what we measure here

    cluster = SittingCluster()
    try:
        cluster.start()
        cluster.sql("CREATE DATABASE sitting")
        url = cluster.url("sitting")
        tokens = seed_sitting(url, args.candidates)
        from tests.conftest import make_app

        app = make_app(url, TESTING=False, GRADING_POOL_SIZE=1, BASE_URL="http://bench.invalid")
        pages = []
        for token in tokens:
            one = app.test_client()
            page = one.get(f"/i/{token}").get_data(as_text=True)
            match = CSRF.search(page)
            assert match
            started = one.post(f"/i/{token}/start", data={"csrf_token": match.group(1)})
            pages.append((one, int(started.headers["Location"].rstrip("/").rsplit("/", 1)[-1])))
        postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])

        def measure(path: str, count: int) -> tuple[float, float]:
            def ask(n: int) -> None:
                one, attempt = pages[n % len(pages)]
                res = one.get(path.format(attempt=attempt))
                assert res.status_code == 200, res.get_data()

            run(ask, 200)  # warm the caches
            backends = descendants(postmaster)
            before = (time.process_time(), cpu_of(backends))
            run(ask, count)
            after = (time.process_time(), cpu_of(backends))
            web, pg = ((b - a) / count * 1e6 for a, b in zip(before, after, strict=True))
            return web, pg

        print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        for name, path, count, hot in (
            ("heartbeat, hot path", "/api/attempts/{attempt}/clock", args.beats, True),
            ("heartbeat, Flask view", "/api/attempts/{attempt}/clock", args.beats, False),
            ("full state GET /api/attempts/<id>", "/api/attempts/{attempt}", args.beats // 10, 1),
        ):
            app.config["HOT_PATH"] = hot  # exam_engine/api/hot.py
            web, pg = measure(path, count)
            print(f"{name}: web process {web:.0f} us, PostgreSQL {pg:.0f} us per request")
    finally:
        cluster.stop()


def run(ask: Callable[[int], None], count: int) -> None:
    for n in range(count):
        ask(n)


if __name__ == "__main__":
    main()
