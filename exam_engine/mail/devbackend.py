"""Development mail: each message to the log and to ``MAIL_FILE_PATH`` as an ``.eml`` file."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask_mailman.backends.base import BaseEmailBackend

log = logging.getLogger("exam_engine.mail")


class EmailBackend(BaseEmailBackend):
    """Writes what would be sent, so a newcomer without a mail server can click the links."""

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        """Write each message; returns how many were written."""
        folder = Path(self.mailman.file_path)
        folder.mkdir(parents=True, exist_ok=True)
        written = 0
        for message in email_messages:
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
            path = folder / f"{stamp}-{written}.eml"
            path.write_bytes(message.message().as_bytes())
            log.info(
                "mail (no EXAM_ENGINE_MAIL_SERVER set) to %s: %s\n%s\n(saved as %s)",
                ", ".join(message.to),
                message.subject,
                message.body,
                path,
            )
            written += 1
        return written
