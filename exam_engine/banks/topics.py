"""Topic titles: what people read instead of a topic's slug.

A bank may name its topics in ``bank.yaml`` (``topics: {linear-algebra: {en: Linear algebra,
ko: 선형대수}}``). A topic without a title reads as its slug made readable (``linear-algebra`` ->
``Linear algebra``); slugs stay the stable keys of files, exports and the API.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from exam_engine.banks.model import TOPICS, LocalText, pick_with_language
from exam_engine.banks.schema_parts import Issue, local_text

#: Topic slug -> its title, in one language (a string) or several.
TopicTitles = Mapping[str, LocalText]


def check_topics(value: Any) -> list[Issue]:
    """Check a bank's ``topics:`` mapping.

    :param value: the loaded value of ``topics``.
    :returns: issues with paths under ``topics`` (none when every key is a known topic and every
        title is text, or a mapping of known languages to text).
    """
    if not isinstance(value, dict):
        return [(("topics",), "must be a mapping of topics to titles")]
    issues: list[Issue] = []
    for key, title in value.items():
        path = ("topics", str(key))
        if key not in TOPICS:
            issues.append((path, f"unknown topic; use one of {', '.join(TOPICS)}"))
            continue
        found = local_text(title, path)
        texts = [title] if isinstance(title, str) else list(title.values()) if not found else []
        if not found and not any(t.strip() for t in texts):
            found = [(path, "needs a title that is not empty")]
        issues += found
    return issues


def readable(slug: str) -> str:
    """A slug as words, for a topic nobody gave a title: ``linear-algebra`` -> ``Linear algebra``.

    :param slug: the topic's slug.
    :returns: the words, first letter capitalised.
    """
    words = slug.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def topic_title(slug: str, titles: TopicTitles | None, locale: str = "en") -> str:
    """A topic's title in ``locale``, else in English, else in any language, else readable slug.

    :param slug: the topic's slug.
    :param titles: the bank's (or banks') topic titles.
    :param locale: the reader's language.
    :returns: the text to show.
    """
    return topic_title_with_language(slug, titles, locale)[0]


def topic_title_with_language(
    slug: str, titles: TopicTitles | None, locale: str = "en"
) -> tuple[str, str]:
    """:func:`topic_title` and the language it is in (a slug made readable is English)."""
    title = (titles or {}).get(slug)
    if isinstance(title, dict):
        # An empty translation counts as none: fall back as for a missing one.
        title = {lang: text for lang, text in title.items() if text.strip()}
    if title:
        text, lang = pick_with_language(title, locale)
        if text.strip():
            return text.strip(), lang
    return readable(slug), "en"


def merged(banks: Iterable[TopicTitles]) -> dict[str, LocalText]:
    """Several banks' topic titles as one mapping; the first bank to name a topic wins.

    :param banks: topic titles, in order of preference.
    :returns: one mapping.
    """
    out: dict[str, LocalText] = {}
    for titles in banks:
        for slug, title in titles.items():
            out.setdefault(slug, title)
    return out
