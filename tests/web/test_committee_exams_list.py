"""The committee's exams: open ones first, then upcoming, then closed, each with its status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import login, make_exam, make_staff


def test_exams_are_listed_by_status(app: Flask, client: FlaskClient) -> None:
    now = datetime.now(UTC)
    day = timedelta(days=1)
    make_exam(
        "old",
        title="Old",
        opens_at=(now - 9 * day).isoformat(),
        closes_at=(now - 8 * day).isoformat(),
    )
    make_exam(
        "later",
        title="Later",
        opens_at=(now + 2 * day).isoformat(),
        closes_at=(now + 9 * day).isoformat(),
    )
    make_exam("now", title="Now")
    login(client, make_staff("committee"))
    page = client.get("/committee/").get_data(as_text=True)
    assert page.index(">Now<") < page.index(">Later<") < page.index(">Old<")
    assert 'class="badge open">Open<' in page and 'class="badge closed">Closed<' in page
    assert 'class="badge upcoming">Upcoming<' in page
