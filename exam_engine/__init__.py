"""exam-engine: timed mathematics and statistics screening exams."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from flask.cli import NoAppException

from exam_engine.config import Config, from_environment


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application.

    :param test_config: settings that override everything else (used by tests).
    :returns: the configured Flask app. It never creates or migrates tables.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Config)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(from_environment())
    if test_config is not None:
        app.config.update(test_config)
    _finish_config(app)

    from exam_engine import cli, errors, grading, i18n, jobs, logs, mail, security
    from exam_engine.api import hot
    from exam_engine.extensions import csrf, db, login_manager, migrate

    logs.init_app(app)
    hot.install(app)  # before the proxy fix, which then wraps it
    grading.configure_pool(
        size=app.config["GRADER_WORKERS"],
        timeout=app.config["GRADER_TIMEOUT"],
        memory_mb=app.config["GRADER_MEMORY_MB"],
    )
    security.init_app(app)
    db.init_app(app)
    # Inside the package (a link to the top-level folder in a checkout, a copy in a wheel).
    migrations = (Path(__file__).parent / "_migrations").resolve()
    migrate.init_app(app, db, directory=str(migrations), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    jobs.init_app(app)
    mail.init_app(app)
    _register_blueprints(app)
    errors.register(app)
    cli.register(app)
    _sqlite_pragmas(app)
    return app


class ConfigurationError(NoAppException):
    """The app cannot start as configured (the CLI shows the message, not a traceback)."""


def _finish_config(app: Flask) -> None:
    """Fill in defaults that depend on the instance folder; refuse a missing secret or, outside
    development, a missing public address."""
    os.makedirs(app.instance_path, mode=0o700, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        path = Path(app.instance_path) / "exam_engine.sqlite"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    for name, kind, low, high in (
        ("HEARTBEAT_SECONDS", int | float, 2, 300),
        ("DATABASE_POOL_SIZE", int, 1, 1000),
    ):
        value = app.config[name]
        if isinstance(value, bool) or not isinstance(value, kind) or not low <= value <= high:
            raise ConfigurationError(f"EXAM_ENGINE_{name} must be a number from {low} to {high}")
    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        # Connections kept open per process: at least its threads, or under load the pool's
        # overflow connections are closed at each check-in and reopened (a server process
        # started for a few saves, docs/operations.md).
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.setdefault("pool_size", app.config["DATABASE_POOL_SIZE"])
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not app.config.get("QUESTION_BANKS_PATH"):
        app.config["QUESTION_BANKS_PATH"] = str(
            (Path(__file__).parent / "_question_banks").resolve()
        )
    development = app.testing or bool(app.config.get("DEV_SERVER"))
    if not app.config.get("SECRET_KEY"):
        if not development:
            raise ConfigurationError(
                "EXAM_ENGINE_SECRET_KEY must be set (`make run` writes one to instance/config.py)"
            )
        # Never a fixed, public key: a development server without one gets a fresh random key
        # (sessions end when it restarts).
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    if not app.config.get("BASE_URL") and not development:
        raise ConfigurationError(
            "EXAM_ENGINE_BASE_URL must be set: the public address in invitation links and e-mail"
        )


def _register_blueprints(app: Flask) -> None:
    """Attach one blueprint per role, plus the sitting API.

    One way for every package: ``<package>/routes.py`` makes the blueprint (and may hold views);
    the package's other view modules decorate that blueprint and are imported here, before
    registering, so that nothing depends on import side effects elsewhere.
    """
    from exam_engine.admin.routes import bp as admin_bp
    from exam_engine.api.routes import bp as api_bp
    from exam_engine.apply import practice  # noqa: F401 (routes)
    from exam_engine.apply.routes import bp as apply_bp
    from exam_engine.auth.reset import bp as reset_bp
    from exam_engine.auth.routes import bp as auth_bp
    from exam_engine.author import editor, transfer  # noqa: F401 (views)
    from exam_engine.author.routes import bp as author_bp
    from exam_engine.candidate.routes import bp as candidate_bp
    from exam_engine.committee import attempts, exports, ranking, review, stages  # noqa: F401
    from exam_engine.committee.routes import bp as committee_bp
    from exam_engine.main import bp as main_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(candidate_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(author_bp)
    app.register_blueprint(committee_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(apply_bp)
    app.register_blueprint(reset_bp)


def _sqlite_pragmas(app: Flask) -> None:
    """Turn on WAL, foreign keys and a busy timeout for SQLite connections."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event

    from exam_engine.extensions import db

    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()
