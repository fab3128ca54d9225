"""Latency of the validation echo (POST /api/validate) over real HTTP, warm grading pool.

Run with ``make bench``. Prints p50, p90 and p99 in milliseconds for typical typed answers;
issue #3 asks for "typically under 50 ms".
"""

from __future__ import annotations

import http.client
import json
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

ANSWERS = [
    "x^2-1",
    "(x-1)(x+1)",
    "2x+3",
    "sqrt(2)/2",
    "binomial(10,3)/2^10",
    "[[1,2],[3,4]]",
    "exp(-x^2/2)/sqrt(2*pi)",
    "1/(1-p)",
    "sin(x)^2+cos(x)^2",
    "n*(n+1)/2",
    "{1, 2, 3}",
    "(x+1",
    "sinx(",
    "2x+",
    "3.14159",
    "log(a*b)",
    "a*b*c/(d+e)",
    "x^10 - 1",
]


def main(rounds: int = 30) -> None:
    from werkzeug.serving import make_server

    from exam_engine import grading
    from tests.conftest import make_app, migrate

    folder = Path(tempfile.mkdtemp(prefix="exam-engine-echo-"))
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    migrate(url, with_banks=False)
    app = make_app(url, GRADER_WORKERS=2)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
    conn.request("GET", "/")
    page = conn.getresponse()
    cookie = page.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.read().decode()).group(1)
    headers = {"Content-Type": "application/json", "X-CSRFToken": token, "Cookie": cookie}
    times = []
    for n in range(rounds + 2):
        for answer in ANSWERS:
            start = time.perf_counter()
            value = f"{answer}+{n}"  # a new text every round: no cache helps
            conn.request("POST", "/api/validate", json.dumps({"value": value}), headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            if n >= 2:  # the first two rounds warm the workers' caches of SymPy itself
                times.append((time.perf_counter() - start) * 1000)
    conn.close()
    server.shutdown()
    grading.get_pool().close()
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))]  # noqa: E731
    print(f"validation echo over HTTP: {len(times)} requests")
    print(f"  p50 {statistics.median(times):.1f} ms   p90 {p(0.9):.1f} ms   p99 {p(0.99):.1f} ms")


if __name__ == "__main__":
    main()
