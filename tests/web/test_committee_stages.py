"""Two-stage selection: the shortlist invited to a second exam in one step; both stages shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from exam_engine.extensions import db
from exam_engine.models import AuditEntry, DecisionKind, Exam, Invitation, User
from exam_engine.services import exams, review, stages
from tests.conftest import csrf_token
from tests.factories import login, make_exam, make_staff, right, sit

NOW = datetime.now(UTC)
SECTIONS = [{"bank": "fellowship", "topic": "probability", "draw": 2}]


def first_stage() -> tuple[Exam, Exam, User]:
    """Stage 1 with four candidates (two shortlisted, one offered, one rejected), and stage 2."""
    first = make_exam("stage-one", now=NOW, sections=SECTIONS, title="Stage one")
    second = make_exam("stage-two", now=NOW, sections=SECTIONS, title="Stage two")
    staff = make_staff("committee")
    people = {
        "ada@example.org": DecisionKind.SHORTLIST,
        "bob@example.org": DecisionKind.SHORTLIST,
        "cy@example.org": DecisionKind.OFFER,
        "dee@example.org": DecisionKind.REJECT,
    }
    for email, kind in people.items():
        attempt = sit(first, email, right if email != "bob@example.org" else None, NOW)
        review.decide(attempt, kind, "", staff, NOW)
    # Ada needs extra time; it carries over to the second stage.
    ada = db.session.scalars(
        select(Invitation).where(Invitation.exam_id == first.id).order_by(Invitation.id)
    ).first()
    assert ada is not None
    ada.time_factor = 1.5
    db.session.commit()
    return first, second, staff


def invited_to(exam: Exam) -> dict[str, float]:
    rows = db.session.scalars(select(Invitation).where(Invitation.exam_id == exam.id)).all()
    return {i.candidate.email: i.time_factor for i in rows}


def test_invite_shortlisted_in_one_step_skips_those_already_invited(
    app: Flask, client: FlaskClient
) -> None:
    first, second, staff = first_stage()
    exams.invite(second, "bob@example.org", "Bob")  # invited by hand before
    db.session.commit()
    login(client, staff)
    page = client.get(f"/committee/exams/{first.slug}/stages").get_data(as_text=True)
    assert "2 candidates of this exam are shortlisted." in page and "Stage two" in page
    token = csrf_token(client, f"/committee/exams/{first.slug}/stages")
    done = client.post(
        f"/committee/exams/{first.slug}/stages",
        data={"csrf_token": token, "second": second.slug},
    )
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "1 invited to Stage two, 1 already invited, of 2 chosen candidates." in page
    assert invited_to(second) == {"ada@example.org": 1.5, "bob@example.org": 1.0}
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "stage.invite_shortlisted")
    ).one()
    assert entry.details["invited"] == 1 and entry.details["already"] == 1
    # Again, with offers too: only Cy is new.
    again = client.post(
        f"/committee/exams/{first.slug}/stages",
        data={"csrf_token": token, "second": second.slug, "include_offers": "y"},
    )
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "1 invited to Stage two, 2 already invited, of 3 chosen candidates." in page
    assert set(invited_to(second)) == {"ada@example.org", "bob@example.org", "cy@example.org"}


def test_both_stages_side_by_side(app: Flask, client: FlaskClient) -> None:
    first, second, staff = first_stage()
    stages.invite_shortlisted(first, second, staff, NOW)
    db.session.commit()
    # Ada sits the second stage; Bob has not started it.
    sit(second, "ada@example.org", right, NOW + timedelta(hours=1))
    login(client, staff)
    page = client.get(f"/committee/exams/{first.slug}/stages").get_data(as_text=True)
    table = page[page.index('id="stages"') :]
    rows = table.split("<tr>")[3:]
    by_name = {r.split("</a>")[0].rsplit(">", 1)[-1]: r for r in rows}
    assert set(by_name) == {"Ada", "Bob", "Cy", "Dee"}
    assert "Shortlist" in by_name["Ada"] and "submitted" in by_name["Ada"]
    assert "100.0%" in by_name["Ada"] and by_name["Ada"].count("100.0%") == 2
    assert "invited, not started" in by_name["Bob"] and "0.0%" in by_name["Bob"]
    assert "not invited" in by_name["Cy"] and "Offer" in by_name["Cy"]
    assert "Reject" in by_name["Dee"]


def test_second_stage_must_be_an_exam_of_the_members_committee(
    app: Flask, client: FlaskClient
) -> None:
    first, second, _ = first_stage()
    only_first = make_staff("committee", "first-only@example.org", exams=[first])
    login(client, only_first)
    page = client.get(f"/committee/exams/{first.slug}/stages").get_data(as_text=True)
    assert "Stage two" not in page and "no other exam" in page
    token = csrf_token(client, f"/committee/exams/{first.slug}/stages")
    client.post(
        f"/committee/exams/{first.slug}/stages", data={"csrf_token": token, "second": second.slug}
    )
    assert invited_to(second) == {}


def test_same_exam_is_not_its_own_second_stage(app: Flask) -> None:
    import pytest

    first, _, staff = first_stage()
    with pytest.raises(stages.StageError):
        stages.invite_shortlisted(first, first, staff, NOW)
