"""CSV cells a spreadsheet would run stay text; names never reach the file system as patterns."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from exam_engine import csvout
from exam_engine.services import authoring
from tests.factories import login, make_exam, make_invitation, make_staff


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("-0.5", "-0.5"),
        ("+1e-3", "+1e-3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("Kim Min-ji", "Kim Min-ji"),
        ("김민지", "김민지"),
        (-2.5, -2.5),
        (3, 3),
    ],
)
def test_formula_cells_are_neutralised(value: object, shown: object) -> None:
    assert csvout.safe_cell(value) == shown


def test_the_invitations_export_is_safe_and_streamed(app: Flask, client: FlaskClient) -> None:
    exam = make_exam()
    make_invitation(exam, "evil@example.org").candidate.name = '=HYPERLINK("http://x","y")'
    from exam_engine.extensions import db

    db.session.commit()
    login(client, make_staff("admin"))
    response = client.get(f"/admin/exams/{exam.slug}/invitations.csv")
    assert response.is_streamed
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0]["name"].startswith("'=")


@pytest.mark.parametrize("name", ["*", "../bank", "chain-rule/../../x", ".hidden", "CHAIN"])
def test_question_names_are_never_patterns(name: str) -> None:
    root = Path(__file__).resolve().parents[2] / "question_banks" / "fellowship"
    assert authoring.find_file(root, name) is None
    assert authoring.find_file(root, "chain-rule") is not None


def test_a_star_in_an_editor_url_is_404(app: Flask, client: FlaskClient) -> None:
    login(client, make_staff("author"))
    assert client.get("/author/banks/fellowship/questions/*/edit").status_code == 404
    assert client.get("/author/banks/*/questions/chain-rule/edit").status_code == 404


def test_the_committee_exports_neutralise_typed_formulas(app: Flask, client: FlaskClient) -> None:
    from tests.factories import sit

    exam = make_exam()
    sit(exam, "hostile@example.org", lambda part: '=HYPERLINK("http://x")')
    login(client, make_staff("committee"))
    text = client.get(f"/committee/exams/{exam.slug}/responses.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)
    assert not any(cell.startswith("=") for cell in cells)


def test_the_exam_export_is_pseudonymised_in_blind_review(app: Flask, client: FlaskClient) -> None:
    import json

    from exam_engine.extensions import db
    from tests.conftest import csrf_token
    from tests.factories import sit

    exam = make_exam()
    sit(exam, "ada@example.org", lambda part: "1")
    sit(exam, "bob@example.org", None)
    login(client, make_staff("committee"))
    url = f"/committee/exams/{exam.slug}/export.json"
    shown = json.loads(client.get(url).get_data())
    assert not shown["exam"]["pseudonymised"]
    assert {a["email"] for a in shown["attempts"]} == {"ada@example.org", "bob@example.org"}

    token = csrf_token(client, f"/committee/exams/{exam.slug}/ranking")
    client.post(f"/committee/exams/{exam.slug}/blind", data={"csrf_token": token})
    db.session.expire_all()
    text = client.get(url).get_data(as_text=True)
    assert "ada@example.org" not in text and "Ada" not in text and "bob@" not in text
    blind = json.loads(text)
    assert blind["exam"]["pseudonymised"] and blind["exam"]["blind"]
    emails = [a["email"] for a in blind["attempts"]]
    assert len(set(emails)) == 2 and all(e.endswith("@pseudonym.invalid") for e in emails)
    # The same candidate carries the same pseudonym in the invitations and the attempts.
    assert set(emails) == {i["email"] for i in blind["invitations"]}
    # The answers and marks are all there: the pseudonymised file is still a whole export.
    assert [len(a["grades"]) for a in blind["attempts"]] == [
        len(a["grades"]) for a in shown["attempts"]
    ]
