"""Hardening: headers, sessions that end, the language cookie, sign-in throttling, ``next``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from exam_engine import clock
from exam_engine.auth.routes import safe_next
from exam_engine.extensions import db
from exam_engine.models import AuditEntry, User
from exam_engine.services import throttle
from tests.conftest import PASSWORD, csrf_token
from tests.factories import login, make_staff


def test_pages_carry_security_headers(client: FlaskClient) -> None:
    response = client.get("/staff/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP
    page = response.get_data(as_text=True)
    assert "<script>" not in page and " onclick=" not in page


def test_over_tls_cookies_are_secure_and_hsts_is_sent(app: Flask, client: FlaskClient) -> None:
    response = client.get("/staff/login", base_url="https://exam.example.org")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in response.headers["Set-Cookie"]


def test_behind_a_trusted_proxy_the_forwarded_scheme_counts(databases: object) -> None:
    from tests.conftest import make_app

    app = make_app(databases.fresh("sqlite"), TRUSTED_PROXIES=1)  # type: ignore[attr-defined]
    client = app.test_client()
    response = client.get("/staff/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers
    assert "Secure" in response.headers["Set-Cookie"]
    untrusted = make_app(databases.fresh("sqlite")).test_client()  # type: ignore[attr-defined]
    plain = untrusted.get("/staff/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in plain.headers


def test_logout_ends_every_session_of_the_account(app: Flask) -> None:
    user = make_staff("committee")
    first, second = app.test_client(), app.test_client()
    login(first, user)
    login(second, user)  # another browser, or a cookie copied elsewhere
    assert first.get("/committee/").status_code == 200
    assert second.get("/committee/").status_code == 200
    first.post("/staff/logout", data={"csrf_token": csrf_token(first, "/committee/")})
    assert second.get("/committee/").status_code in (302, 401)
    login(second, user)  # signing in again works
    assert second.get("/committee/").status_code == 200


def test_a_new_password_ends_every_session(app: Flask, runner: object) -> None:
    user = make_staff("committee")
    browser = app.test_client()
    login(browser, user)
    result = runner.invoke(  # type: ignore[attr-defined]
        args=["users", "reset-password", "--email", user.email],
        env={"EXAM_ENGINE_PASSWORD": "another long password"},
    )
    assert result.exit_code == 0, result.output
    assert browser.get("/committee/").status_code in (302, 401)


def test_the_language_choice_is_its_own_cookie(app: Flask, client: FlaskClient) -> None:
    token = csrf_token(client, "/")
    response = client.post("/lang/ko", data={"csrf_token": token, "next": "/"})
    cookies = response.headers.getlist("Set-Cookie")
    lang = next(c for c in cookies if c.startswith("lang=ko"))
    assert "Max-Age=" in lang
    # The session cookie is never made permanent by the switch.
    assert not any(c.startswith("session=") and "Expires=" in c for c in cookies)
    assert 'lang="ko"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "/%09/evil.example".replace("%09", "\t"),
        "/\n/evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "evil.example",
        "/\\/evil.example",
        "/ok\\..\\x",
    ],
)
def test_next_refuses_anything_but_a_local_path(target: str) -> None:
    assert safe_next(target) is None


def test_next_keeps_local_paths() -> None:
    assert safe_next("/committee/exams/x?tab=1") == "/committee/exams/x?tab=1"


def test_a_real_sign_in_never_redirects_off_site(app: Flask, client: FlaskClient) -> None:
    user = make_staff("committee")
    token = csrf_token(client, "/staff/login")
    response = client.post(
        "/staff/login?next=/%09/evil.example",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/committee/"


def test_failed_sign_ins_are_throttled_with_back_off(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The server's clock stands still: the fifth failure locks the account for two seconds
    # only, and a loaded machine can take longer than that over the next sign-ins (each
    # wrong password costs a deliberately slow hash).
    frozen = clock.now()
    monkeypatch.setattr(clock, "now", lambda config=None: frozen)
    user = make_staff("committee")
    statuses = []
    for _ in range(throttle.ACCOUNT_FREE + 1):
        token = csrf_token(client, "/staff/login")
        response = client.post(
            "/staff/login", data={"email": user.email, "password": "wrong", "csrf_token": token}
        )
        statuses.append(response.status_code)
    assert statuses[: throttle.ACCOUNT_FREE] == [200] * throttle.ACCOUNT_FREE
    assert statuses[-1] == 429
    token = csrf_token(client, "/staff/login")
    right = client.post(
        "/staff/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    # Even the right password waits until the back-off is over, and is told how long.
    assert right.status_code == 429 and int(right.headers["Retry-After"]) >= 1
    assert "Too many failed sign-ins" in right.get_data(as_text=True)
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "auth.throttled" in actions and "auth.refused_while_throttled" in actions
    assert db.session.scalars(select(User)).first() is not None


def test_back_off_grows_and_is_capped(app: Flask) -> None:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    keys = throttle.keys_for("a@example.org", "192.0.2.1")
    waits = [throttle.failed(keys, now) for _ in range(throttle.ACCOUNT_FREE + 12)]
    assert waits[: throttle.ACCOUNT_FREE - 1] == [0] * (throttle.ACCOUNT_FREE - 1)
    growing = waits[throttle.ACCOUNT_FREE - 1 :]
    assert growing == sorted(growing) and growing[1] == 2 * growing[0]
    assert max(growing) == throttle.MAX_WAIT.total_seconds()
    assert throttle.retry_after(keys, now) == max(growing)


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EXAM_ENGINE_", "FLASK_"))}
    return subprocess.run(
        [sys.executable, "-m", "exam_engine.cli", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        cwd="/",
    )


def test_help_works_without_any_configuration() -> None:
    result = _cli({}, "--help")
    assert result.returncode == 0, result.stderr
    assert "worker" in result.stdout and "Traceback" not in result.stderr


def test_no_public_secret_even_in_debug_mode(tmp_path: Path) -> None:
    """gunicorn with FLASK_DEBUG=1 and no key must not start (no fixed fallback key)."""
    from exam_engine import ConfigurationError, create_app

    os.environ["FLASK_DEBUG"] = "1"
    try:
        with pytest.raises(ConfigurationError, match="SECRET_KEY"):
            create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})
        with pytest.raises(ConfigurationError, match="BASE_URL"):
            create_app(
                {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite", "SECRET_KEY": "k"}
            )
    finally:
        del os.environ["FLASK_DEBUG"]
    # The development server alone may run without them, with a random key.
    one = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite", "DEV_SERVER": True}
    )
    two = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite", "DEV_SERVER": True}
    )
    assert (
        len(one.config["SECRET_KEY"]) == 64 and one.config["SECRET_KEY"] != two.config["SECRET_KEY"]
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HEARTBEAT_SECONDS", "0"),
        ("HEARTBEAT_SECONDS", "soon"),
        ("DATABASE_POOL_SIZE", "2.5"),
        ("DATABASE_POOL_SIZE", "0"),
    ],
)
def test_a_setting_out_of_range_is_refused_by_name(tmp_path: Path, name: str, value: str) -> None:
    from exam_engine import ConfigurationError, create_app
    from exam_engine.config import from_environment

    settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite", "DEV_SERVER": True}
    settings.update(from_environment({f"EXAM_ENGINE_{name}": value}))
    with pytest.raises(ConfigurationError, match=f"EXAM_ENGINE_{name} must be a number"):
        create_app(settings)


def test_the_pool_keeps_as_many_postgresql_connections_as_set(tmp_path: Path) -> None:
    from exam_engine import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@/nowhere",
            "DEV_SERVER": True,
            "DATABASE_POOL_SIZE": 12,
        }
    )
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True, "pool_size": 12}
    with app.app_context():
        from exam_engine.extensions import db

        assert db.engine.pool.size() == 12


def test_every_documented_variable_is_read_by_the_code() -> None:
    """The README's configuration table and the code agree: each variable is a setting that
    something other than the configuration itself reads."""
    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text()
    documented = set(re.findall(r"^\| `EXAM_ENGINE_([A-Z_]+)`", readme, flags=re.MULTILINE))
    assert {"DATABASE_URL", "SECRET_KEY", "BROKER_URL", "BASE_URL"} <= documented
    from exam_engine.config import Config

    code = "\n".join(
        p.read_text() for p in (root / "exam_engine").rglob("*.py") if p.name != "config.py"
    )
    for name in documented - {"DATABASE_URL"}:
        assert hasattr(Config, name), f"EXAM_ENGINE_{name} is documented but not a setting"
        assert re.search(rf"[\"']{name}[\"']", code), f"EXAM_ENGINE_{name} is never read"
