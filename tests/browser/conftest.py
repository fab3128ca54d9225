"""A live server on the test's database, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
# Waits, not speed claims: an expectation waits as long as a page action may (15 s), since the
# suite shares two cores between two test processes, and the first echo of a fresh app waits
# for a grading process to start.
expect.set_options(timeout=15_000)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield launched
        launched.close()


class _Serving:
    """The app as the live server runs it: each response read whole and closed before the
    server writes a byte, and the requests in flight counted.

    Werkzeug's development server skips ``close()`` on a response when the browser resets the
    connection while the server drains the request (an aborted favicon, a page navigated
    away), leaving a static file open for the garbage collector to find in some later test;
    buffering makes closing our job, done every time (the pages under test are small).
    Counting lets the fixture wait, at the end of a test, for the requests still running (a
    heartbeat, a save) instead of leaving them holding a database connection after the test's
    engine is gone. (Connections are kept alive by the browser, so waiting for the server's
    threads would wait for the browser.)
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.running = 0
        self.closed = False
        self.idle = threading.Condition()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with self.idle:
            if self.closed:  # the test is over: a kept-alive connection asks again
                start_response("503 Service Unavailable", [("Connection", "close")])
                return [b""]
            self.running += 1
        try:
            body = self.app(environ, start_response)
            try:
                return [b"".join(body)]
            finally:
                close = getattr(body, "close", None)
                if close is not None:
                    close()
        finally:
            with self.idle:
                self.running -= 1
                self.idle.notify_all()

    def close(self, seconds: float) -> None:
        """Take no more requests and wait for those running."""
        with self.idle:
            self.closed = True
            self.idle.wait_for(lambda: self.running == 0, timeout=seconds)


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve the app (threaded, like a real server) on a free loopback port."""
    serving = _Serving(app)
    server = make_server("127.0.0.1", 0, serving, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)
    serving.close(10)
    server.server_close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()
