"""LaTeX to MathML on the server: no CDN, no client-side typesetting."""

from __future__ import annotations

from latex2mathml.converter import convert


def latex_to_mathml(latex: str, block: bool = False) -> str:
    """Convert LaTeX to a ``<math>`` element; on a conversion error, show the LaTeX as text.

    :param latex: the LaTeX source (produced by our grader or written by an author).
    :param block: display style instead of inline.
    :returns: MathML markup.
    """
    try:
        return convert(latex, display="block" if block else "inline")
    except Exception:  # latex2mathml raises many kinds; an echo must never fail  # noqa: BLE001
        from markupsafe import escape

        return f"<code>{escape(latex)}</code>"
