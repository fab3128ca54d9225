"""Language and time zone selection for every request."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask_login import current_user

from exam_engine.extensions import babel


def select_locale() -> str | None:
    """Choose the language: an explicit choice, then a staff profile, then the browser."""
    if not has_request_context():
        return None  # the CLI and services outside requests use the default locale
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    return request.accept_languages.best_match(languages)


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with our locale selector and expose helpers to templates."""
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def _languages() -> dict[str, object]:
        return {"languages": app.config["LANGUAGES"], "current_locale": select_locale() or "en"}
