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


# Raised only on the command line (exam files and exports are read by operators, with their
# YAML field names); everything else a person can meet in a page or the exam's API.
OPERATOR_ONLY = {
    "exam_engine/services/exam_import.py": None,
    "exam_engine/services/exams.py": {
        "save_exam",
        "_when",
        "_require",
        "_languages",
        "_positive_int",
        "_section",
    },
}


# Errors built from a reason code, which the page turns into words.
CODED = {"RegradeRefused"}


def _untranslated_raises(source: str, label: str, names: set[str]) -> list[str]:
    """``raise SomeDomainError("plain text")`` in a module: a message gettext never sees."""
    import ast

    exempt = OPERATOR_ONLY.get(label, set())
    if exempt is None:
        return []
    found = []
    functions = [f for f in ast.walk(ast.parse(source)) if isinstance(f, ast.FunctionDef)]
    for function in functions:
        if function.name in exempt:
            continue
        for node in ast.walk(function):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            called = node.exc.func
            name = getattr(called, "id", None) or getattr(called, "attr", None)
            first = node.exc.args[0] if node.exc.args else None
            literal = isinstance(first, ast.JoinedStr) or (
                isinstance(first, ast.Constant) and isinstance(first.value, str)
            )
            if name in names - CODED and literal:
                found.append(f"{label}:{node.lineno} {ast.unparse(first)[:60]}")
    return found


def test_domain_errors_people_see_are_translatable() -> None:
    import importlib
    import pkgutil

    import exam_engine
    from exam_engine.errors import DomainError

    for module in pkgutil.walk_packages(exam_engine.__path__, "exam_engine."):
        importlib.import_module(module.name)
    classes, names = [DomainError], set()
    while classes:
        cls = classes.pop()
        names.add(cls.__name__)
        classes += cls.__subclasses__()
    assert {"UserExists", "InvalidExam", "ReviewError"} <= names
    package = ROOT / "exam_engine"
    offenders = [
        line
        for path in sorted(package.rglob("*.py"))
        if path.relative_to(package).parts[0] not in ("grading", "banks", "psychometrics")
        for line in _untranslated_raises(
            path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)), names
        )
    ]
    assert offenders == [], "wrap these messages in gettext and translate them"


def test_the_raise_check_finds_plain_messages() -> None:
    source = (
        "def f(x):\n    raise InvalidExam(f'bad {x}')\n\ndef g():\n    raise InvalidExam(_('ok'))\n"
    )
    assert _untranslated_raises(source, "probe.py", {"InvalidExam"}) == ["probe.py:2 f'bad {x}'"]
    assert (
        _untranslated_raises(source, "exam_engine/services/exam_import.py", {"InvalidExam"}) == []
    )


HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _errors(page: str) -> list[str]:
    found = re.findall(r'class="field-error"[^>]*>(.*?)</span>', page, flags=re.S)
    return [re.sub(r"<[^>]+>", "", e).strip() for e in found]


def test_form_and_service_messages_in_korean(app: Flask, client: FlaskClient) -> None:
    exam = make_exam()
    login(client, make_staff("admin"))
    ko = {"Accept-Language": "ko-KR"}
    url = f"/admin/exams/{exam.slug}/invitations"
    token = csrf_token(client, url)
    fields = {"csrf_token": token, "name": "", "time_factor": "1"}
    page = client.post(url, data={**fields, "email": "not-an-email"}, headers=ko)
    empty = client.post(url, data={**fields, "email": ""}, headers=ko)
    taken = client.post(
        "/admin/",
        data={
            "csrf_token": token,
            "email": "admin@example.org",
            "name": "",
            "role": "author",
            "password": "long enough password",
        },
        headers=ko,
    )
    messages = [
        *_errors(page.get_data(as_text=True)),
        *_errors(empty.get_data(as_text=True)),
        *_errors(taken.get_data(as_text=True)),
    ]
    assert len(messages) == 3, messages
    for message in messages:  # the service's and the validators' messages, in Korean
        assert HANGUL.search(message), message
        english = re.sub(r"\S+@\S+|'[^']*'|&#39;[^&]*&#39;", "", message)
        assert not re.search(r"[A-Za-z]{3,}", english), message
