"""The validation echo as the page shows it: translated message and MathML."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from exam_engine import grading
from exam_engine.banks.mathml import math_or_source


def translate(template: str | None, params: dict[str, str] | None = None) -> str | None:
    """Translate a grading message template and fill in its parameters."""
    if not template:
        return None
    return _(template, **(params or {}))


def echo(value: str, settings: grading.PartSettings) -> dict[str, Any]:
    """Validate ``value`` in the grading pool and describe the result for the page.

    :returns: ``{"valid", "message", "display", "mathml", "code"}``.
    """
    result = grading.get_pool().validate(value, settings)
    return {
        "valid": result.valid,
        "message": translate(result.message_template, result.message_params),
        "display": result.display,
        "mathml": math_or_source(result.display) if result.valid and result.display else "",
        "code": result.code,
    }
