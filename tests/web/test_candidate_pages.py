"""What the candidate's pages say: the window, the time allowed, and lost sessions."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import make_exam, make_invitation, start


def test_before_the_window_the_page_says_when_it_opens(app: Flask, client: FlaskClient) -> None:
    opens = datetime(2030, 3, 2, 0, 0, tzinfo=UTC)
    exam = make_exam(
        opens_at=opens.isoformat(),
        closes_at=(opens + timedelta(days=5)).isoformat(),
        timezone="Asia/Seoul",
    )
    page = client.get(f"/i/{make_invitation(exam).token}").get_data(as_text=True)
    assert "This exam opens at" in page and "Asia/Seoul" in page
    assert "2030" in page and "Start the exam" not in page
    assert 'datetime="2030-03-02T00:00:00+00:00"' in page  # rewritten in the reader's zone


def test_after_the_window_the_page_says_it_closed(app: Flask, client: FlaskClient) -> None:
    now = datetime.now(UTC)
    exam = make_exam(
        opens_at=(now - timedelta(days=3)).isoformat(),
        closes_at=(now - timedelta(days=1)).isoformat(),
    )
    page = client.get(f"/i/{make_invitation(exam).token}").get_data(as_text=True)
    assert "This exam closed at" in page and "opens at" not in page


def test_the_time_allowed_is_stated_once_with_extra_time(app: Flask, client: FlaskClient) -> None:
    exam = make_exam(duration_minutes=90, instructions="Read every question first.")
    plain = client.get(f"/i/{make_invitation(exam).token}").get_data(as_text=True)
    assert "Time allowed: 90 minutes" in plain
    extra = make_invitation(exam, "slow@example.org", factor=1.5)
    page = client.get(f"/i/{extra.token}").get_data(as_text=True)
    assert "Time allowed: 135 minutes with your extra time (90 minutes × 1.5)" in page
    assert "90 minutes," not in page


def test_an_attempt_url_without_its_session_says_what_to_do(
    app: Flask, client: FlaskClient
) -> None:
    attempt_id = start(client, make_invitation(make_exam()))
    other = app.test_client()
    for path in (f"/attempts/{attempt_id}", f"/attempts/{attempt_id}/receipt", "/attempts/99999"):
        response = other.get(path)
        assert response.status_code == 404
        assert "open your invitation link again" in response.get_data(as_text=True)
    # The API keeps its plain JSON 404.
    assert other.get(f"/api/attempts/{attempt_id}").get_json()["error"] == "not_found"


def test_the_exam_page_is_served_read_only_until_its_script_runs(
    app: Flask, client: FlaskClient
) -> None:
    """sitting.js unlocks the fields once it keeps what is typed; without it the page says why
    (in the reader's language)."""
    attempt_id = start(client, make_invitation(make_exam()))
    page = client.get(
        f"/attempts/{attempt_id}", headers={"Accept-Language": "ko-KR,ko;q=0.9"}
    ).get_data(as_text=True)
    assert "<noscript>" in page and "이 시험은 답안을 저장하려면 JavaScript가 필요합니다" in page
    fields = re.findall(r"<input [^>]*>", page)
    texts = [f for f in fields if 'class="answer"' in f]
    choices = [f for f in fields if 'type="radio"' in f or 'type="checkbox"' in f]
    assert texts and all(" readonly" in f for f in texts)
    assert all(" disabled" in f for f in choices)


def test_a_title_not_in_the_readers_language_is_marked_with_its_own(
    app: Flask, client: FlaskClient
) -> None:
    """A screen reader reads an English fallback title as English on a Korean page."""
    english_only = make_invitation(make_exam(instructions="Read every question first."))
    client.set_cookie("lang", "ko")
    page = client.get(f"/i/{english_only.token}").get_data(as_text=True)
    assert '<h1><span lang="en">Screening</span></h1>' in page
    assert '<p><span lang="en">Read every question first.</span></p>' in page
    both = make_exam("both", title={"en": "Screening", "ko": "선별 시험"})
    page = client.get(f"/i/{make_invitation(both).token}").get_data(as_text=True)
    assert "<h1>선별 시험</h1>" in page
    client.set_cookie("lang", "en")
    page = client.get(f"/i/{make_invitation(both, 'b@example.org').token}").get_data(as_text=True)
    assert "<h1>Screening</h1>" in page
