"""E-mail: rendered in the recipient's language, kept in an outbox, sent by the task queue.

With ``MAIL_SERVER`` set (``EXAM_ENGINE_MAIL_SERVER``) messages go out through SMTP via
Flask-Mailman; without one (development), :mod:`exam_engine.mail.devbackend` writes each to the
log and as an ``.eml`` file in the instance folder's ``mail/``, so the links can be clicked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, render_template
from flask_babel import force_locale
from flask_mailman import Mail

mail = Mail()

DEV_BACKEND = "exam_engine.mail.devbackend.EmailBackend"


def init_app(app: Flask) -> None:
    """Map our settings onto Flask-Mailman's and bind it to ``app``."""
    config = app.config
    config["MAIL_DEFAULT_SENDER"] = config["MAIL_SENDER"]
    # Environment values arrive as text or numbers; an empty one means "not set".
    config["MAIL_PORT"] = int(config["MAIL_PORT"])
    config["MAIL_USE_TLS"] = str(config["MAIL_USE_TLS"]).lower() in {"1", "true", "yes"}
    for key in ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD"):
        config[key] = str(config[key]) if config.get(key) not in (None, "") else None
    config["MAIL_TIMEOUT"] = float(config["MAIL_TIMEOUT"])
    if not config.get("MAIL_FILE_PATH"):
        config["MAIL_FILE_PATH"] = str(Path(app.instance_path) / "mail")
    if not config.get("MAIL_BACKEND"):
        config["MAIL_BACKEND"] = "smtp" if config.get("MAIL_SERVER") else DEV_BACKEND
    mail.init_app(app)


def public_base() -> str:
    """The public address links in e-mail start with (never a request's Host header)."""
    return str(current_app.config.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")


def render(template: str, locale: str, subject: Any, **context: Any) -> tuple[str, str]:
    """Render ``mail/<template>.txt`` and the subject in ``locale``.

    Rendering happens in a request context on the public address, so ``url_for(...,
    _external=True)`` in a template gives links that work from the recipient's inbox, whether
    this runs in a web request or in a worker.

    :param template: the template's name under ``templates/mail/``, without ``.txt``.
    :param locale: the recipient's language (``en`` or ``ko``).
    :param subject: a lazy string (``lazy_gettext``), translated here.
    :returns: ``(subject, body)``.
    """
    if locale not in current_app.config["LANGUAGES"]:
        locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    with current_app.test_request_context("/", base_url=public_base()):
        g.mail_locale = locale  # Flask-Babel forces a locale only where ``g`` holds something
        with force_locale(locale):
            body = render_template(f"mail/{template}.txt", locale=locale, **context)
            return " ".join(str(subject).split()), body
