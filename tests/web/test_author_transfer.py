"""The import and export pages: a bank zip both ways, and STACK questions from Moodle XML."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import BANKS, csrf_token
from tests.factories import login, make_staff

FIXTURE = Path(__file__).resolve().parents[1] / "banks" / "fixtures" / "stack_small.xml"


@pytest.fixture
def root(app: Flask, tmp_path: Path) -> Path:
    shutil.copytree(BANKS, tmp_path / "banks")
    app.config["QUESTION_BANKS_PATH"] = str(tmp_path / "banks")
    return tmp_path / "banks"


@pytest.fixture
def author(app: Flask, client: FlaskClient) -> FlaskClient:
    login(client, make_staff("author"))
    return client


def test_export_download_and_import_upload(root: Path, author: FlaskClient) -> None:
    listing = author.get("/author/").get_data(as_text=True)
    assert "/author/banks/fellowship/export.zip" in listing and "/author/import" in listing
    response = author.get("/author/banks/fellowship/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    data = response.get_data()
    assert "fellowship/calculus/chain-rule.yaml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    token = csrf_token(author, "/author/import")
    page = author.post(
        "/author/import/zip",
        data={"zip-archive": (io.BytesIO(data), "fellowship.zip"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert page.status_code == 302


def test_invalid_zip_shows_the_problems(root: Path, author: FlaskClient) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("fresh/bank.yaml", "name: fresh\ntitle: Fresh\n")
        archive.writestr("fresh/calculus/q.yaml", "id: q\ntitle: Q\n")
    token = csrf_token(author, "/author/import")
    page = author.post(
        "/author/import/zip",
        data={"zip-archive": (io.BytesIO(buffer.getvalue()), "f.zip"), "csrf_token": token},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "nothing was imported" in page and "calculus/q.yaml" in page
    assert not (root / "fresh").exists()
    unsafe = io.BytesIO()
    with zipfile.ZipFile(unsafe, "w") as archive:
        archive.writestr("../x.yaml", "x")
    page = author.post(
        "/author/import/zip",
        data={"zip-archive": (io.BytesIO(unsafe.getvalue()), "u.zip"), "csrf_token": token},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "expected &lt;bank&gt;/bank.yaml" in page


def test_moodle_import_page_reports_each_question(root: Path, author: FlaskClient) -> None:
    token = csrf_token(author, "/author/import")
    page = author.post(
        "/author/import/moodle",
        data={
            "moodle-xml": (io.BytesIO(FIXTURE.read_bytes()), "stack.xml"),
            "moodle-bank": "fellowship",
            "moodle-topic": "calculus",
            "csrf_token": token,
        },
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert 'id="moodle-report"' in page
    assert "<code>differentiate-a-power</code>" in page and "Skipped" in page
    assert "type &#39;notes&#39; is not supported" in page
    assert (root / "fellowship" / "calculus" / "differentiate-a-power.yaml").is_file()
    dtd = b'<!DOCTYPE q [<!ENTITY x "y">]><quiz/>'
    page = author.post(
        "/author/import/moodle",
        data={
            "moodle-xml": (io.BytesIO(dtd), "evil.xml"),
            "moodle-bank": "fellowship",
            "moodle-topic": "calculus",
            "csrf_token": token,
        },
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "DTD or entities" in page
