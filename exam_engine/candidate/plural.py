"""Plural messages for the page's JavaScript, in the reader's language.

The page learns a number only in the browser (e.g. the minutes the committee added), so the
server sends one text per plural category of the language (CLDR's ``one``, ``other``, …) and
the page picks one with ``Intl.PluralRules``, which uses the same categories.
"""

from __future__ import annotations

from collections.abc import Callable

from babel import Locale
from flask_babel import get_locale

# Enough numbers to meet every plural category of every language Babel knows.
SAMPLES = range(1, 120)


def plural_forms(render: Callable[[int], str]) -> dict[str, str]:
    """One rendering per plural category of the current language.

    :param render: gives the message for a number (an ``ngettext`` call whose placeholder the
        page fills in, e.g. ``minutes="{n}"``).
    :returns: ``{category: text}``; always has ``other``.
    """
    rule = Locale.parse(str(get_locale() or "en")).plural_form
    forms: dict[str, str] = {}
    for n in SAMPLES:
        category = rule(n)
        if category not in forms:
            forms[category] = render(n)
    return forms
