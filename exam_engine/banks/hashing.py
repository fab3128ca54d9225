"""Content hashes that pin an attempt to the exact version of a question it was shown."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(data: Any) -> str:
    """Serialise ``data`` the same way every time: sorted keys, no spaces, UTF-8 kept.

    :param data: JSON-serialisable data (the question as loaded).
    :returns: the canonical JSON text.
    :raises TypeError: when ``data`` holds something JSON cannot represent.
    :raises ValueError: when it holds NaN or infinity.
    """
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def content_hash(data: dict[str, Any]) -> str:
    """Return the sha256 (hex) of a question's canonical JSON.

    Formatting, comments and key order in the YAML file do not change the hash; any change to
    a value does, so a fixed key is a new version.

    :param data: the question's mapping as loaded.
    :returns: 64 hexadecimal digits.
    :raises TypeError: when ``data`` is not JSON-serialisable.
    """
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()
