"""The validation echo as the page shows it (translated message and MathML), and each stored
answer's state: answered, not accepted (with the reason), or empty."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

from exam_engine import grading
from exam_engine.banks.mathml import math_or_source
from exam_engine.grading.pool import PoolBusy

ANSWERED, INVALID, EMPTY = "answered", "invalid", "empty"
log = logging.getLogger(__name__)

#: Seconds a save waits at most for a free grading process to make its echo: the answer is
#: kept already, and its acknowledgement does not queue behind other people's validations.
SAVE_ECHO_WAIT = 0.1


def translate(template: str | None, params: dict[str, str] | None = None) -> str | None:
    """Translate a grading message template and fill in its parameters."""
    if not template:
        return None
    return _(template, **(params or {}))


def echo(value: str, settings: grading.PartSettings) -> dict[str, Any]:
    """Validate ``value`` in the grading pool and describe the result for the page.

    This is the validation grading applies before it grades (an answer it refuses here is
    never graded and scores 0), so what the page calls "accepted" is what grading accepts.

    :returns: ``{"valid", "message", "display", "mathml", "code"}``.
    """
    result = grading.get_pool().validate(value, settings)
    return described(result, worded(result))


def worded(result: grading.Validation) -> str | None:
    """The validation's message in the request's language (Flask-Babel's ``gettext``)."""
    return translate(result.message_template, result.message_params)


def described(result: grading.Validation, message: str | None) -> dict[str, Any]:
    """A validation as the page shows it, its message already in the reader's words."""
    return {
        "valid": result.valid,
        "message": message,
        "display": result.display,
        "mathml": math_or_source(result.display) if result.valid and result.display else "",
        "code": result.code,
    }


def save_echo(
    value: str,
    settings: grading.PartSettings,
    word: Callable[[grading.Validation], str | None] | None = None,
) -> dict[str, Any] | None:
    """The echo a save answers with (docs/api.md, "Save"), made after its commit: None for a
    blank answer (nothing to show) or when no grading process could be asked, or none was free
    within :data:`SAVE_ECHO_WAIT` (the page then asks ``/api/validate``). A save never fails
    for its echo, and never waits long for one.

    :param word: the validation's message in the reader's words (by default as the request's
        ``gettext`` words it).
    """
    if not value.strip():
        return None
    try:
        result = grading.get_pool().validate(value, settings, wait=SAVE_ECHO_WAIT)
        return described(result, (word or worded)(result))
    except PoolBusy:
        log.info("no grading process free for a save's echo within %s s", SAVE_ECHO_WAIT)
        return None
    except Exception:  # noqa: BLE001 - the answer is kept; the page asks for its echo again
        log.exception("no echo for a saved answer")
        return None


def answer_state(value: str | None, settings: grading.PartSettings) -> dict[str, Any]:
    """One part's state: ``{"state", "message", "mathml"}``.

    ``empty`` for no answer or only blanks (nothing is validated then), else ``answered`` or
    ``invalid`` by :func:`echo`.
    """
    if value is None or not value.strip():
        return {"state": EMPTY, "message": None, "mathml": ""}
    checked = echo(value, settings)
    return {
        "state": ANSWERED if checked["valid"] else INVALID,
        "message": checked["message"],
        "mathml": checked["mathml"],
    }


def answer_states(
    values: Mapping[str, str], settings: Mapping[str, grading.PartSettings]
) -> dict[str, dict[str, Any]]:
    """The state of every part in ``settings`` given the stored ``values`` by part key."""
    return {key: answer_state(values.get(key), part) for key, part in settings.items()}
