"""Committee membership per exam: a member of exam A gets 404 on everything of exam B."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from exam_engine.extensions import db
from exam_engine.models import Attempt, AuditEntry, CommitteeMember, Exam, Job, JobKind
from exam_engine.services import jobs as job_service
from exam_engine.services import membership
from tests.conftest import csrf_token
from tests.factories import login, make_exam, make_staff, right, sit

NOW = datetime.now(UTC)
SECTIONS = [{"bank": "fellowship", "topic": "probability", "draw": 2}]


def two_exams() -> tuple[Exam, Exam]:
    """Exams A and B, each with one graded attempt; B also has a regrade job."""
    a = make_exam("exam-a", now=NOW, sections=SECTIONS, title="Exam A")
    b = make_exam("exam-b", now=NOW, sections=SECTIONS, title="Exam B")
    sit(a, "ada@example.org", right, NOW)
    sit(b, "bob@example.org", right, NOW)
    job_service.create_job(JobKind.REGRADE, b.id, NOW, {"policy": "shown"}, None)
    db.session.commit()
    return a, b


def url_values(exam: Exam) -> dict[str, Any]:
    """A value for every argument a committee URL takes, all belonging to ``exam``."""
    attempt = db.session.scalars(select(Attempt).where(Attempt.exam_id == exam.id)).first()
    job = db.session.scalars(select(Job).where(Job.exam_id == exam.id)).first()
    assert attempt is not None
    return {"slug": exam.slug, "attempt_id": attempt.id, "job_id": job.id if job else 0}


def committee_urls(app: Flask, exam: Exam) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) of every committee view that names an exam, filled for ``exam``.

    Walks the URL map, so views added later are covered without changing this test; a view
    with an argument this test does not know fails the test rather than being skipped.
    """
    values = url_values(exam)
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("committee.") or not rule.arguments:
            continue
        unknown = set(rule.arguments) - set(values)
        assert not unknown, f"{rule.rule}: teach this test the argument(s) {unknown}"
        url = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)
        assert url is not None
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            found.append((rule.endpoint, method, url[1]))
    return found


def request(client: FlaskClient, method: str, url: str, token: str) -> int:
    if method == "GET":
        return client.get(url).status_code
    return client.post(url, data={"csrf_token": token}).status_code


def test_member_of_one_exam_gets_404_on_every_page_export_and_post_of_another(
    app: Flask, client: FlaskClient
) -> None:
    a, b = two_exams()
    member = make_staff("committee", exams=[a])
    urls = committee_urls(app, b)
    endpoints = {endpoint for endpoint, _, _ in urls}
    # The walk really found the pages, the exports, the attempt page and the forms.
    assert {
        "committee.dashboard",
        "committee.ranking",
        "committee.items",
        "committee.attempt",
        "committee.attempt_override",
        "committee.regrade_apply",
    } <= endpoints
    assert any(url.endswith(".csv") for _, _, url in urls)
    login(client, member)
    token = csrf_token(client, "/committee/")
    answers = {
        (endpoint, method): request(client, method, url, token) for endpoint, method, url in urls
    }
    assert {key: code for key, code in answers.items() if code != 404} == {}
    # Nothing of B changed behind the 404s.
    assert db.session.scalars(select(Job).where(Job.exam_id == b.id)).all()[0].applied_at is None
    # ...and the same member opens exam A's pages.
    for endpoint, method, url in committee_urls(app, a):
        if method == "GET":
            assert client.get(url).status_code == 200, (endpoint, url)


def test_admin_reaches_every_exam(app: Flask, client: FlaskClient) -> None:
    _, b = two_exams()
    login(client, make_staff("admin"))
    for endpoint, method, url in committee_urls(app, b):
        if method == "GET":
            assert client.get(url).status_code == 200, (endpoint, url)


def test_exams_list_shows_only_the_members_exams(app: Flask, client: FlaskClient) -> None:
    a, b = two_exams()
    login(client, make_staff("committee", exams=[a]))
    page = client.get("/committee/").get_data(as_text=True)
    assert "Exam A" in page and "Exam B" not in page
    assert "Assign" not in page  # members do not assign members


def test_committee_account_on_no_exam_sees_none(app: Flask, client: FlaskClient) -> None:
    two_exams()
    login(client, make_staff("committee", exams=[]))
    page = client.get("/committee/").get_data(as_text=True)
    assert "Exam A" not in page and "not on the committee of any exam" in page


def test_admin_assigns_and_removes_a_member_audited(app: Flask, client: FlaskClient) -> None:
    a, b = two_exams()
    reviewer = make_staff("committee", "reviewer@example.org", exams=[])
    login(client, make_staff("admin"))
    page = client.get("/committee/").get_data(as_text=True)
    assert "Exam A" in page and "Exam B" in page and "reviewer@example.org" in page
    token = csrf_token(client, "/committee/")
    added = client.post(
        f"/committee/exams/{b.slug}/members",
        data={"csrf_token": token, "email": "Reviewer@example.org", "add": "1"},
    )
    assert added.status_code == 302
    assert membership.can_see(reviewer, b.id) and not membership.can_see(reviewer, a.id)
    client.post(
        f"/committee/exams/{b.slug}/members",
        data={"csrf_token": token, "email": "reviewer@example.org", "remove": "1"},
    )
    assert not membership.can_see(reviewer, b.id)
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert "committee.member_added" in actions and "committee.member_removed" in actions
    # An author cannot be made a committee member.
    make_staff("author")
    client.post(
        f"/committee/exams/{b.slug}/members",
        data={"csrf_token": token, "email": "author@example.org", "add": "1"},
    )
    assert db.session.scalars(select(CommitteeMember)).all() == []


def test_members_cannot_assign_members(app: Flask, client: FlaskClient) -> None:
    a, _ = two_exams()
    login(client, make_staff("committee", exams=[a]))
    token = csrf_token(client, "/committee/")
    refused = client.post(
        f"/committee/exams/{a.slug}/members",
        data={"csrf_token": token, "email": "committee@example.org", "remove": "1"},
    )
    assert refused.status_code == 404
    assert len(db.session.scalars(select(CommitteeMember)).all()) == 1


def test_regrade_job_of_another_exam_cannot_be_applied_through_ones_own(
    app: Flask, client: FlaskClient
) -> None:
    a, b = two_exams()
    login(client, make_staff("committee", exams=[a]))
    job = db.session.scalars(select(Job).where(Job.exam_id == b.id)).one()
    token = csrf_token(client, "/committee/")
    answer = client.post(
        f"/committee/exams/{a.slug}/regrade/{job.id}/apply", data={"csrf_token": token}
    )
    assert answer.status_code == 404


@pytest.mark.parametrize("command", ["add", "remove"])
def test_cli_assigns_members(app: Flask, runner: Any, command: str) -> None:
    a, _ = two_exams()
    reviewer = make_staff(
        "committee", "reviewer@example.org", exams=[] if command == "add" else [a]
    )
    out = runner.invoke(args=["committee", command, "--exam", a.slug, "--email", reviewer.email])
    assert out.exit_code == 0, out.output
    db.session.expire_all()
    assert membership.can_see(reviewer, a.id) == (command == "add")
    listed = runner.invoke(args=["committee", "list", "--exam", a.slug])
    assert ("reviewer@example.org" in listed.output) == (command == "add")
    make_staff("author")
    bad = runner.invoke(
        args=["committee", "add", "--exam", a.slug, "--email", "author@example.org"]
    )
    assert bad.exit_code != 0 and "not a committee account" in bad.output
    missing = runner.invoke(args=["committee", "add", "--exam", "nope", "--email", reviewer.email])
    assert missing.exit_code != 0 and "no exam" in missing.output


def test_demo_puts_the_demo_committee_on_the_demo_exam(app: Flask, runner: Any) -> None:
    from exam_engine.services.users import find_user

    # The test database already holds the banks; the demo imports them again (unchanged).
    out = runner.invoke(args=["demo"])
    assert out.exit_code == 0, out.output
    exam = db.session.scalars(select(Exam).where(Exam.slug == "fellowship-demo")).one()
    user = find_user("committee@example.org")
    assert user is not None and membership.visible_exam_ids(user) == {exam.id}
