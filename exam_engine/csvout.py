"""CSV downloads: one writer for every export, streamed, safe to open in a spreadsheet.

A cell a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return) gets a leading apostrophe, so a candidate named ``=HYPERLINK(...)`` stays
text. Numbers stay numbers. The file starts with a byte-order mark so that spreadsheet programs
read Korean names as UTF-8.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Response, stream_with_context

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a cell that no spreadsheet evaluates (a number written as text, such as
    ``-0.5``, stays as it is)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and "\t" not in text


def lines(rows: Iterable[Iterable[Any]], batch: int = 200) -> Iterator[str]:
    """The CSV text of ``rows`` after a byte-order mark, ``batch`` rows at a time."""
    yield "\ufeff"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for n, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(cell) for cell in row])
        if n % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def download(rows: Iterable[Iterable[Any]], filename: str) -> Response:
    """A streamed CSV attachment (rows may be a generator reading the database in batches)."""
    return Response(
        stream_with_context(lines(rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
