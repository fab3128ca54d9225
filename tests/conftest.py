"""Fixtures shared by the whole suite: real databases (SQLite and PostgreSQL), app, client."""

from __future__ import annotations

import atexit
import itertools
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.pg import Cluster
from tests.redis_server import RedisServer

ENGINES = [
    e for e in os.environ.get("EXAM_ENGINE_TEST_ENGINES", "sqlite,postgresql").split(",") if e
]
ROOT = Path(__file__).resolve().parent.parent
BANKS = ROOT / "question_banks"
PASSWORD = "correct horse battery staple"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the message catalogues, as ``make`` does, so a bare ``pytest`` run sees Korean."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (ROOT / "exam_engine" / "translations").glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as source:
            catalogue = read_po(source, locale=po.parent.parent.name)
        with po.with_suffix(".mo").open("wb") as target:
            write_mo(target, catalogue)


class RequestClient(FlaskClient):
    """A test client whose every request gets its own app context, as in a real server.

    Without this, requests reuse the test's app context, and with it ``g`` (where Flask-WTF
    caches the CSRF token) and the database session.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


_BROKER: RedisServer | None = None
_QUEUES = itertools.count(1)
_APPS: list[Flask] = []


def broker() -> RedisServer:
    """The session's Redis server (the task queue's broker), started on first use."""
    global _BROKER
    if _BROKER is None:
        _BROKER = RedisServer().start()
        atexit.register(_BROKER.stop)  # benchmarks use it outside pytest too
    return _BROKER


def make_app(url: str, **extra: Any) -> Flask:
    """The real app factory, pointed at ``url``, with a queue of its own on the test broker.

    Every app gets its own queue name, so a worker started for one test never takes another
    test's messages (which name attempts of another database).
    """
    from exam_engine import create_app

    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "GRADER_WORKERS": 1,
        "BROKER_URL": broker().url,
        "QUEUE_NAME": f"test-{os.getpid()}-{next(_QUEUES)}",
        **extra,
    }
    app = create_app(config)
    app.test_client_class = RequestClient
    _APPS.append(app)
    return app


@pytest.fixture(autouse=True)
def _dispose_engines() -> Iterator[None]:
    """Close the connection pools of every app a test made, when the test ends.

    A pool left to the garbage collector closes its connections at an arbitrary later moment,
    and psycopg's ResourceWarning (an error in this suite) then fails whichever test is running.
    """
    yield
    from exam_engine.extensions import db

    while _APPS:
        app = _APPS.pop()
        with app.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()
        hot = app.extensions.get("exam_engine.hot_path")
        if hot is not None:
            hot.dispose()  # its own engine on PostgreSQL


def migrate(url: str, with_banks: bool = True) -> None:
    """Upgrade an empty database to the newest migration (and load the sample banks)."""
    from flask_migrate import upgrade

    from exam_engine.extensions import db

    app = make_app(url)
    with app.app_context():
        upgrade()
        if with_banks:
            from exam_engine.services.questions import import_banks

            import_banks(BANKS)
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


class Databases:
    """Fresh, migrated databases in milliseconds: copies of one template per engine."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.counter = itertools.count(1)
        self.cluster: Cluster | None = None
        self.sqlite_template: Path | None = None
        self.pg_template = False

    def fresh(self, engine: str) -> str:
        """A new database on ``engine`` holding the migrated schema and the sample banks."""
        n = next(self.counter)
        if engine == "sqlite":
            if self.sqlite_template is None:
                self.sqlite_template = self.folder / "template.sqlite"
                migrate(f"sqlite:///{self.sqlite_template}")
            target = self.folder / f"test{n}.sqlite"
            shutil.copyfile(self.sqlite_template, target)
            return f"sqlite:///{target}"
        if engine == "postgresql":
            cluster = self.postgres()
            if not self.pg_template:
                cluster.sql("CREATE DATABASE template_exam")
                migrate(cluster.url("template_exam"))
                self.pg_template = True
            cluster.sql(f"CREATE DATABASE test{n} TEMPLATE template_exam")
            return cluster.url(f"test{n}")
        raise ValueError(f"unknown engine {engine!r}")

    def empty(self, engine: str) -> str:
        """A new database with no tables at all."""
        n = next(self.counter)
        if engine == "sqlite":
            return f"sqlite:///{self.folder / f'empty{n}.sqlite'}"
        cluster = self.postgres()
        cluster.sql(f"CREATE DATABASE empty{n}")
        return cluster.url(f"empty{n}")

    def postgres(self) -> Cluster:
        """The session's PostgreSQL cluster, started on first use."""
        if self.cluster is None:
            self.cluster = Cluster().start()
        return self.cluster

    def close(self) -> None:
        if self.cluster is not None:
            self.cluster.stop()


@pytest.fixture(scope="session", autouse=True)
def _broker() -> Iterator[RedisServer]:
    """The Redis broker for the whole session, stopped at the end."""
    yield broker()
    global _BROKER
    if _BROKER is not None:
        _BROKER.stop()
        _BROKER = None


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    dbs = Databases(tmp_path_factory.mktemp("databases"))
    yield dbs
    dbs.close()


@pytest.fixture(scope="session", autouse=True)
def _grading_pool() -> Iterator[None]:
    """One pool of grading workers for the session, shut down at the end."""
    yield
    from exam_engine import grading

    grading.get_pool().close()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """The database engine under test: every database test runs on each."""
    return str(request.param)


@pytest.fixture
def app(databases: Databases, engine: str) -> Iterator[Flask]:
    """The app on a fresh database of the current engine."""
    from exam_engine.extensions import db

    application = make_app(databases.fresh(engine))
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """The CSRF token a page carries, as a browser would read it."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)
