"""Language, time zone and number formatting for every request."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import support
from babel.dates import format_datetime
from babel.numbers import format_decimal
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape
from werkzeug.datastructures import LanguageAccept

from exam_engine.banks.topics import TopicTitles, topic_title_with_language
from exam_engine.extensions import babel

#: ``app.extensions`` key of the per-language translations :func:`catalogue` loaded.
CATALOGUES = "exam_engine.catalogues"


def select_locale() -> str | None:
    """Choose the language (:func:`choose_language`) of the request."""
    if not has_request_context():
        return None  # the CLI and services outside requests use the default locale
    profile = None
    if current_user and current_user.is_authenticated:
        profile = current_user.locale
    return choose_language(
        current_app.config,
        request.cookies.get("lang"),
        profile,
        request.accept_languages,
        g.get("exam_locale"),
    )


def choose_language(
    config: Mapping[str, Any],
    chosen: str | None,
    profile: str | None,
    accept: LanguageAccept,
    exam_default: str | None = None,
) -> str:
    """The reader's language, in order: their own choice (the switch on every page, a ``lang``
    cookie), a staff member's profile, the browser's ``Accept-Language``, the exam's default
    (set by candidate pages in ``g``), the site's default.

    The one rule for every request, the framework's and the hot path's
    (:mod:`exam_engine.api.hot`).
    """
    languages = config["LANGUAGES"]
    for candidate in (chosen, profile, accept.best_match(languages)):
        if candidate in languages:
            return str(candidate)
    return exam_default or str(config["BABEL_DEFAULT_LOCALE"])


def catalogue(app: Flask, language: str) -> support.Translations:
    """The app's translations into ``language``, loaded once per process the way Flask-Babel
    loads them (every translation directory, merged), for code that runs outside Flask's
    request handling (:mod:`exam_engine.api.hot`)."""
    cache: dict[str, support.Translations] = app.extensions.setdefault(CATALOGUES, {})
    found = cache.get(language)
    if found is None:
        settings = app.extensions["babel"]
        found = support.Translations()
        for directory in settings.translation_directories:
            loaded = support.Translations.load(directory, [language], settings.default_domain)
            if isinstance(loaded, support.Translations):  # else: none in this directory
                found.merge(loaded)
        cache[language] = found
    return found


def gettext_in(app: Flask, language: str, template: str, params: Mapping[str, Any]) -> str:
    """``gettext(template, **params)`` in ``language``, outside a request (as Flask-Babel's
    ``gettext`` fills it: ``%`` with the parameters, when there are any)."""
    text = catalogue(app, language).ugettext(template)
    return text % dict(params) if params else text


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
