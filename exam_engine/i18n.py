"""Language, time zone and number formatting for every request."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from babel.numbers import format_decimal
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape

from exam_engine.banks.topics import TopicTitles, topic_title_with_language
from exam_engine.extensions import babel


def select_locale() -> str | None:
    """Choose the language.

    In order: the reader's own choice (the switch on every page), a staff member's profile, the
    browser's ``Accept-Language``, the exam's default (set by candidate pages in ``g``), English.
    """
    if not has_request_context():
        return None  # the CLI and services outside requests use the default locale
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get("lang")
    if chosen in languages:
        return str(chosen)
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    from_browser = request.accept_languages.best_match(languages)
    if from_browser:
        return from_browser
    return g.get("exam_locale") or current_app.config["BABEL_DEFAULT_LOCALE"]


def zone(name: str | None) -> ZoneInfo:
    """A time zone by name, UTC when unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_datetime(
    moment: datetime | None, zone_name: str | None = None, fmt: str = "medium"
) -> str:
    """A time in the reader's language, in the given zone (UTC by default), zone named."""
    if moment is None:
        return ""
    return format_datetime(moment, fmt, tzinfo=zone(zone_name), locale=str(get_locale()))


def browser_time(moment: datetime | None) -> Markup:
    """A ``<time>`` element that the page rewrites in the reader's own zone (UTC without JS)."""
    if moment is None:
        return Markup("")
    text = local_datetime(moment, "UTC", "medium")
    return Markup('<time class="local-time" datetime="{}">{}</time>').format(
        escape(moment.isoformat()), text
    )


def number(value: float, digits: int = 2) -> str:
    """A number in the reader's locale, with at most ``digits`` decimals."""
    pattern = "#,##0." + "#" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern, locale=str(get_locale()))


def _reader() -> str:
    """The language of the page being written."""
    return str(get_locale() or "en")


def topic_text(slug: str, titles: TopicTitles | None = None) -> str:
    """A topic's title in the reader's language (its slug made readable when it has none), as
    plain text (for a form's choices)."""
    return topic_title_with_language(slug, titles, _reader())[0]


def in_language(text: str, lang: str) -> Markup:
    """``text`` for a page's body; marked with its ``lang`` when that is not the page's (a
    fallback), so that a screen reader reads it in its own language."""
    if lang == _reader():
        return escape(text)
    return Markup('<span lang="{}">{}</span>').format(lang, text)


def topic_title(slug: str, titles: TopicTitles | None = None) -> Markup:
    """:func:`topic_text` for a page's body (a fallback marked with its language)."""
    return in_language(*topic_title_with_language(slug, titles, _reader()))


def exam_text(exam: Any, name: str = "title") -> Markup:
    """An exam's title (or ``instructions``) in the reader's language for a page's body (a
    fallback to the exam's default language marked with it)."""
    return in_language(*exam.text_in(name, _reader()))


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with our locale selector and expose helpers to templates."""
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["localdt"] = local_datetime
    app.jinja_env.filters["browser_time"] = browser_time
    app.jinja_env.filters["number"] = number
    app.jinja_env.globals["topic_title"] = topic_title
    app.jinja_env.globals["exam_text"] = exam_text

    @app.context_processor
    def _languages() -> dict[str, object]:
        return {"languages": app.config["LANGUAGES"], "current_locale": str(get_locale())}
