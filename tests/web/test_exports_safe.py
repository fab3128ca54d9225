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
