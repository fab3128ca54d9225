"""Korean and English everywhere a person reads: catalogues complete, templates clean."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import Environment

from tests.conftest import ROOT, csrf_token
from tests.factories import login, make_exam, make_invitation, make_staff

CATALOGUE = ROOT / "exam_engine" / "translations" / "ko" / "LC_MESSAGES" / "messages.po"
TEMPLATES = ROOT / "exam_engine" / "templates"
LETTERS = re.compile(r"[A-Za-z\uac00-\ud7a3]{2,}")
TEXT_ATTRIBUTES = re.compile(r'\b(?:title|alt|placeholder|aria-label)="([^"\u00a7]*)"')


def ko_messages() -> dict[str, object]:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="ko")
    return {(m.id[0] if isinstance(m.id, tuple) else m.id): m for m in catalogue if m.id}


def test_every_korean_message_is_translated() -> None:
    untranslated = [
        msgid
        for msgid, m in ko_messages().items()
        if "fuzzy" in m.flags or not (all(m.string) if isinstance(m.string, tuple) else m.string)
    ]
    assert untranslated == []


def test_catalogue_holds_every_string_in_the_code(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "N_",
            "-k",
            "ngettext:1,2",
            "-o",
            str(pot),
            "exam_engine",
        ],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as handle:
        source = {(m.id[0] if isinstance(m.id, tuple) else m.id) for m in read_po(handle) if m.id}
    missing = sorted(source - set(ko_messages()))
    assert missing == [], "run `make messages` and translate the new strings"


def literal_text(source: str) -> list[str]:
    """Words a reader would see that are written in a template outside gettext."""
    # Every Jinja construct becomes a letter-free placeholder, so tags that span them still parse.
    text = "".join(v if kind == "data" else "\u00a7" for _, kind, v in Environment().lex(source))
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    found = [v for v in TEXT_ATTRIBUTES.findall(text) if LETTERS.search(v)]
    text = re.sub(r"<script\b.*?</script>|<style\b.*?</style>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    return found + [w for w in text.split() if LETTERS.search(w)]


def test_templates_have_no_literal_user_facing_text() -> None:
    offenders = {
        str(path.relative_to(TEMPLATES)): words
        for path in TEMPLATES.rglob("*.html")
        if (words := literal_text(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_check_finds_literal_text() -> None:
    assert literal_text('<p>Hello {{ _("x") }}</p><a title="Go home">') == ["Go home", "Hello"]
    assert literal_text('<label for="{{ f.id }}">Name</label>') == ["Name"]
    assert literal_text("<p>{{ _('Hello') }}</p>") == []


def test_language_switch_is_remembered(app: Flask, client: FlaskClient) -> None:
    invitation = make_invitation(make_exam())
    assert "Start the exam" in client.get(f"/i/{invitation.token}").get_data(as_text=True)
    token = csrf_token(client, f"/i/{invitation.token}")
    client.post("/lang/ko", data={"csrf_token": token, "next": f"/i/{invitation.token}"})
    page = client.get(f"/i/{invitation.token}").get_data(as_text=True)
    assert "시험 시작" in page and 'lang="ko"' in page


def test_accept_language_then_exam_default(app: Flask, client: FlaskClient) -> None:
    exam = make_exam(default_locale="ko")
    invitation = make_invitation(exam)
    english = client.get(f"/i/{invitation.token}", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Start the exam" in english.get_data(as_text=True)
    korean = client.get(f"/i/{invitation.token}", headers={"Accept-Language": "ko-KR"})
    assert "시험 시작" in korean.get_data(as_text=True)
    default = client.get(f"/i/{invitation.token}", headers={"Accept-Language": "fr"})
    assert "시험 시작" in default.get_data(as_text=True)


def test_window_close_shown_in_exam_zone(app: Flask, client: FlaskClient) -> None:
    exam = make_exam(closes_at="2031-03-16T23:59:00+09:00", timezone="Asia/Seoul")
    invitation = make_invitation(exam)
    page = client.get(f"/i/{invitation.token}", headers={"Accept-Language": "ko"})
    text = page.get_data(as_text=True)
    assert "2031년 3월 16일" in text and "Asia/Seoul" in text
    assert 'datetime="2031-03-16T14:59:00+00:00"' in text


def test_staff_choose_language_in_profile(app: Flask, client: FlaskClient) -> None:
    login(client, make_staff("committee"))
    token = csrf_token(client, "/staff/profile")
    client.post("/staff/profile", data={"locale": "ko", "csrf_token": token})
    assert "시험" in client.get("/committee/", headers={"Accept-Language": "en"}).get_data(True)


def test_validation_echo_in_korean(app: Flask, client: FlaskClient) -> None:
    h = {"X-CSRFToken": csrf_token(client), "Accept-Language": "ko"}
    body = client.post("/api/validate", json={"value": "sinx("}, headers=h).get_json()
    assert not body["valid"] and re.search(r"[\uac00-\ud7a3]", body["message"])
