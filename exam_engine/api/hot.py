"""The sitting's two most frequent requests, answered without the framework (issue #10).

A sitting of 5,000 candidates sends about 500 saves a second (one per burst of typing, each
answered with its validation echo), and each idle page a heartbeat every
``HEARTBEAT_SECONDS``. The work of each is small (a signed cookie, one read or one conditional
write, a commit, a round trip to a grading process); Flask's request handling around it (two
contexts, the hooks, the response object, its headers) cost more CPU than the work
(docs/operations.md, "Where a save's CPU goes"). :class:`HotPath` is WSGI middleware in front
of the Flask app that answers the ordinary case of

- ``GET /api/attempts/<id>/clock`` (the open page's heartbeat) and
- ``PUT /api/attempts/<id>/answers/<part>`` (a save, of a part this process keeps)

with the same checks and the same statements as the views in :mod:`exam_engine.api.routes`:
the session cookie read with Flask's own signing serializer, the CSRF token checked as
Flask-WTF checks it, the part keys this process keeps for the attempt, the write of
:func:`exam_engine.services.answers.write_answer` under the attempt's lock, the read of
:func:`exam_engine.services.sitting.clock_state`, the save's echo worded in the reader's
language by the views' own rule (:func:`exam_engine.i18n.choose_language`), and the same JSON,
headers and log line.

Everything else goes to the Flask view untouched, which decides and words the answer: a body
it does not expect, a session or token it does not accept, a part the attempt does not have,
a signed-in staff member (whose profile may choose the language), a refused save (submitted,
past the deadline, stale), any error. The hot path only ever says "yes" sooner; it never says
"no".
"""

from __future__ import annotations

import hmac
import io
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Flask
from flask_wtf.csrf import same_origin
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Engine, create_engine
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header, parse_cookie

from exam_engine import clock, grading, i18n, logs, security
from exam_engine.api.echo import save_echo
from exam_engine.candidate import access
from exam_engine.errors import DomainError
from exam_engine.services import answers
from exam_engine.services.locks import begin_write
from exam_engine.services.sitting import clock_state, iso

#: Where the hot path keeps a request's parsed cookies in its WSGI environ.
COOKIES = "exam_engine.hot_path.cookies"
CLOCK = re.compile(r"/api/attempts/([1-9][0-9]{0,17})/clock")
SAVE = re.compile(r"/api/attempts/([1-9][0-9]{0,17})/answers/([A-Za-z0-9_.-]{1,200})")
StartResponse = Callable[..., Any]


class HotPath:
    """WSGI middleware: answers the ordinary heartbeat and save itself, hands the rest to
    ``inner`` (the Flask app's WSGI callable). ``served`` counts what it answered."""

    def __init__(self, app: Flask, inner: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.inner = inner
        self.served = 0
        self._engine: Engine | None = None
        self._own_engine = False
        self._engine_lock = threading.Lock()
        self._sessions = Verified()  # session cookies
        self._tokens = Verified()  # CSRF tokens

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/api/") and self.app.config.get("HOT_PATH", True):
            method = environ.get("REQUEST_METHOD")
            started = time.perf_counter()
            answer: dict[str, Any] | None = None
            if method == "GET" and (match := CLOCK.fullmatch(path)):
                answer = self._heartbeat(environ, int(match[1]))
            elif method == "PUT" and (match := SAVE.fullmatch(path)):
                answer = self._save(environ, int(match[1]), match[2])
            if answer is not None:
                self.served += 1
                return self._respond(environ, start_response, answer, started)
        return self.inner(environ, start_response)

    # -- the two requests ------------------------------------------------------------------

    def _heartbeat(self, environ: dict[str, Any], attempt_id: int) -> dict[str, Any] | None:
        if self._allowed(environ, attempt_id) is None:
            return None
        try:
            # One statement, its own transaction: no BEGIN and ROLLBACK round trips around it.
            with (
                self.engine()
                .connect()
                .execution_options(isolation_level="AUTOCOMMIT") as connection
            ):
                return clock_state(attempt_id, clock.now(self.app.config), connection)
        except Exception:  # noqa: BLE001 - the view answers (and logs) whatever went wrong
            return None

    def _save(
        self, environ: dict[str, Any], attempt_id: int, part_key: str
    ) -> dict[str, Any] | None:
        data = self._json_body(environ)
        if data is None:
            return None
        value, seq = data.get("value"), data.get("seq")
        if not isinstance(value, str) or isinstance(seq, bool) or not isinstance(seq, int):
            return None
        if not answers.acceptable(value, seq, self.app.config["MAX_ANSWER_CHARS"]):
            return None
        session = self._allowed(environ, attempt_id)
        if session is None or not self._csrf_ok(environ, session, "PUT"):
            return None
        parts = answers.kept_parts(self.app, attempt_id) or self._learn_parts(attempt_id)
        settings = parts.get(part_key) if parts is not None else None
        if settings is None:
            return None
        language = self._language(environ, session)
        if language is None:
            return None
        now = clock.now(self.app.config)
        client_id = environ.get("HTTP_X_CLIENT_ID")
        try:
            with self.engine().connect() as connection:
                begin_write(connection)
                stored = answers.write_answer(
                    connection, attempt_id, part_key, value, seq, now, client_id
                )
                connection.commit()
        except DomainError:
            return None  # rolled back; the view refuses it in words
        except Exception:  # noqa: BLE001 - the view answers (and logs) whatever went wrong
            return None
        return {
            "seq": stored.seq,
            "saved_at": iso(stored.saved_at),
            "validation": save_echo(value, settings, lambda result: self._word(result, language)),
            "deadline": iso(stored.deadline),
            "server_now": iso(now),
        }

    # -- what they all need --------------------------------------------------------------------

    def engine(self) -> Engine:
        """The engine the hot path reads and writes with (made once).

        On PostgreSQL, an engine of its own: the app's database and pool settings without the
        pool's ping, which costs every request a round trip and a transaction (about a tenth
        of a save's CPU, docs/operations.md). A connection that died meanwhile (the server
        restarted) fails the hot path's attempt, which rolls back and leaves the request to
        the view, whose engine pings; the failure invalidates this pool, so the next request
        connects afresh. On SQLite, the app's engine.
        """
        if self._engine is None:
            from exam_engine.extensions import db

            with self._engine_lock:
                if self._engine is None:
                    with self.app.app_context():
                        base = db.engine
                    if base.dialect.name == "postgresql":
                        options = dict(self.app.config["SQLALCHEMY_ENGINE_OPTIONS"])
                        options["pool_pre_ping"] = False
                        self._engine = create_engine(base.url, **options)
                        self._own_engine = True
                    else:
                        self._engine = base
        return self._engine

    def dispose(self) -> None:
        """Close the connections of the hot path's own engine (the app's are the app's)."""
        if self._engine is not None and self._own_engine:
            self._engine.dispose()

    def _allowed(self, environ: dict[str, Any], attempt_id: int) -> dict[str, Any] | None:
        """The session's data if it lets this browser see the attempt, else None."""
        session = self._session(environ)
        return session if session and attempt_id in access.ids_in(session) else None

    def _learn_parts(self, attempt_id: int) -> Mapping[str, grading.PartSettings] | None:
        """The attempt's parts, worked out and kept as the view does
        (:func:`exam_engine.services.answers.attempt_parts`: one small query, once per attempt
        and process), so that a process's first save of an attempt is served here too; None
        when that fails (the view answers)."""
        from exam_engine.extensions import db

        with self.app.app_context():
            try:
                return answers.attempt_parts(attempt_id)
            except Exception:  # noqa: BLE001 - the view answers (and logs) whatever went wrong
                return None
            finally:
                db.session.remove()

    def _language(self, environ: dict[str, Any], session: dict[str, Any]) -> str | None:
        """The reader's language as the views choose it (:func:`exam_engine.i18n.choose_language`);
        None for a signed-in staff member, whose profile the view reads."""
        if "_user_id" in session:
            return None
        accept = parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)
        chosen = self._cookies(environ).get("lang")
        return i18n.choose_language(self.app.config, chosen, None, accept)

    def _word(self, result: grading.Validation, language: str) -> str | None:
        """A validation's message in ``language``, as the view's ``gettext`` words it."""
        if not result.message_template:
            return None
        return i18n.gettext_in(
            self.app, language, result.message_template, result.message_params or {}
        )

    @staticmethod
    def _cookies(environ: dict[str, Any]) -> Any:
        """The request's cookies, parsed once (the session and the language both read them)."""
        cookies = environ.get(COOKIES)
        if cookies is None:
            cookies = environ[COOKIES] = parse_cookie(environ.get("HTTP_COOKIE"))
        return cookies

    def _session(self, environ: dict[str, Any]) -> dict[str, Any] | None:
        """The session's data, read as Flask reads it; None without a valid cookie."""
        app = self.app
        cookie = self._cookies(environ).get(app.config["SESSION_COOKIE_NAME"])
        if not cookie or not app.secret_key:
            return None
        try:
            data = self._sessions.loads(
                lambda: app.session_interface.get_signing_serializer(app),  # type: ignore[attr-defined]
                (app.secret_key, app.config.get("SECRET_KEY_FALLBACKS")),
                cookie,
                int(app.permanent_session_lifetime.total_seconds()),
            )
        except BadData:
            return None
        return data if isinstance(data, dict) else None

    def _csrf_ok(self, environ: dict[str, Any], session: dict[str, Any], method: str) -> bool:
        """Flask-WTF's check (``CSRFProtect.protect``) of a token sent in a header: signed
        with the CSRF secret, within its time limit, equal to the session's; over TLS, a
        referrer from this host."""
        config = self.app.config
        if not config.get("WTF_CSRF_ENABLED", True) or not config.get(
            "WTF_CSRF_CHECK_DEFAULT", True
        ):
            return True
        if method not in config.get("WTF_CSRF_METHODS", ("POST", "PUT", "PATCH", "DELETE")):
            return True
        token = next(
            (
                environ[key]
                for name in config.get("WTF_CSRF_HEADERS", ("X-CSRFToken", "X-CSRF-Token"))
                if (key := "HTTP_" + name.upper().replace("-", "_")) in environ
            ),
            None,
        )
        expected = session.get(config.get("WTF_CSRF_FIELD_NAME") or "csrf_token")
        if not token or not isinstance(expected, str):
            return False
        secret = config.get("WTF_CSRF_SECRET_KEY") or self.app.secret_key
        if not secret:
            return False
        try:
            signed = self._tokens.loads(
                lambda: URLSafeTimedSerializer(secret, salt="wtf-csrf-token"),
                secret,
                token,
                config.get("WTF_CSRF_TIME_LIMIT", 3600),
            )
        except BadData:
            return False
        if not isinstance(signed, str) or not hmac.compare_digest(expected, signed):
            return False
        if environ.get("wsgi.url_scheme") == "https" and config.get("WTF_CSRF_SSL_STRICT", True):
            referrer, host = environ.get("HTTP_REFERER"), environ.get("HTTP_HOST")
            return bool(referrer and host and same_origin(referrer, f"https://{host}/"))
        return True

    def _json_body(self, environ: dict[str, Any]) -> dict[str, Any] | None:
        """The body as a JSON object, read whole and put back for the view; None for anything
        the view should judge (no length, too long, not JSON, not an object)."""
        length = environ.get("CONTENT_LENGTH", "")
        if not length.isdigit() or int(length) > (self.app.config["MAX_CONTENT_LENGTH"] or 0):
            return None
        if not environ.get("CONTENT_TYPE", "").startswith("application/json"):
            return None
        body = environ["wsgi.input"].read(int(length))
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            data = json.loads(body)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def _respond(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        answer: dict[str, Any],
        started: float,
    ) -> list[bytes]:
        body = json.dumps(answer, separators=(",", ":")).encode()
        request_id = logs.request_id(environ.get("HTTP_X_REQUEST_ID", ""))
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("X-Request-Id", request_id),
            *security.hardening(environ.get("wsgi.url_scheme") == "https"),
        ]
        start_response("200 OK", headers)
        logs.log_request(environ["REQUEST_METHOD"], environ["PATH_INFO"], 200, started, request_id)
        return [body]


class Verified:
    """Signed values (session cookies, CSRF tokens) this process has verified already, by their
    exact text, with the second each was signed: a value seen again is checked for its age
    only, as itsdangerous checks it, not signed again (two HMACs and a decode per save, the
    largest share of the hot path's own CPU after the SQL).

    A forged or altered value is another text, never found here, and is verified in full. The
    key it was verified with is part of the record: another key (tests, a rotated secret)
    starts afresh. Sized by design: a candidate's page keeps one cookie and one token for
    hours (the hot path sets no cookie), so a web node with 5,000 candidates holds about
    10,000 entries; at :data:`VERIFIED_KEPT` the record starts again.
    """

    def __init__(self) -> None:
        self._key: Any = None
        self._seen: dict[str, tuple[Any, int]] = {}

    def loads(self, serializer: Callable[[], Any], key: Any, text: str, max_age: int | None) -> Any:
        """The value signed in ``text``, as ``serializer().loads(text, max_age=max_age)`` gives
        it (the serializer is made only when ``text`` is new).

        :raises BadData: for a value that is forged, malformed or too old.
        """
        if key != self._key:
            self._key, self._seen = key, {}
        seen = self._seen.get(text)
        if seen is None:
            value, signed_at = serializer().loads(text, max_age=max_age, return_timestamp=True)
            if len(self._seen) >= VERIFIED_KEPT:
                self._seen = {}
            seen = self._seen[text] = (value, int(signed_at.timestamp()))
        if max_age is not None:
            age = int(time.time()) - seen[1]
            if age > max_age or age < 0:
                raise SignatureExpired(f"Signature age {age} > {max_age} seconds")
        return seen[0]


#: Verified values a process keeps per kind (see :class:`Verified`).
VERIFIED_KEPT = 20_000


def install(app: Flask) -> None:
    """Put the hot path in front of the app's WSGI callable (inside any proxy fix, which is
    installed later and so wraps it)."""
    hot = HotPath(app, app.wsgi_app)
    app.extensions["exam_engine.hot_path"] = hot
    app.wsgi_app = hot  # type: ignore[method-assign]
