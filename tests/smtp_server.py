"""A real SMTP server for tests (aiosmtpd on a loopback port) that keeps what arrives."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class _Handler:
    """Keeps every message; refuses the next ``refuse`` ones with ``code`` (e.g. 451, 550)."""

    received: list[EmailMessage] = field(default_factory=list)
    refuse: int = 0
    code: str = "451 4.3.0 Try again later"
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                return self.code
            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.received.append(parsed)  # type: ignore[arg-type]
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    """``start()`` it, point ``MAIL_SERVER``/``MAIL_PORT`` at it, read ``messages``."""

    def __init__(self) -> None:
        self.handler = _Handler()
        self.port = _free_port()  # the controller checks its server by connecting to the port
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        with self.handler.lock:
            return list(self.handler.received)

    def refuse_next(self, count: int, code: str = "451 4.3.0 Try again later") -> None:
        """Answer the next ``count`` messages with ``code`` instead of accepting them."""
        with self.handler.lock:
            self.handler.refuse, self.handler.code = count, code

    def wait_for(self, to: str, subject_part: str = "", timeout: float = 60) -> EmailMessage:
        """The first message to ``to`` (whose subject holds ``subject_part``), waiting for it."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for message in self.messages:
                if to in str(message["To"]) and subject_part in str(message["Subject"]):
                    return message
            time.sleep(0.1)
        raise AssertionError(f"no mail to {to} ({subject_part!r}) in {timeout} s: {self.messages}")


def body(message: EmailMessage) -> str:
    """The plain-text body of a message."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def link(message: EmailMessage, pattern: str) -> str:
    """The first URL in the body that matches ``pattern``."""
    found = re.search(rf"https?://\S*{pattern}\S*", body(message))
    assert found, body(message)
    return found.group(0)
