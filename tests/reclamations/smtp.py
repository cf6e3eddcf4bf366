"""A real SMTP server for tests (aiosmtpd on a free local port) that keeps what arrives,
and can hang on the messages to chosen addresses, as a stalled mail server does."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
import time
from email.message import Message

from aiosmtpd.controller import Controller


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.hold_for: set[str] = set()
        self.holding = threading.Event()  # set while a message is held unanswered
        self.released = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content)
        if message["To"] in self.hold_for and not self.released.is_set():
            self.holding.set()
            while not self.released.is_set():  # other connections are served meanwhile
                await asyncio.sleep(0.02)
        self.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    """Start with ``start()``; ``url`` is the AVIS_SMTP_URL; ``wait_for(n)`` the messages."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.inbox = _Inbox()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[Message]:
        return self.inbox.messages

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while len(self.inbox.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.inbox.messages

    def hang_on(self, address: str) -> None:
        """Leave the message to ``address`` unanswered (after its DATA) until release()."""
        self.inbox.hold_for.add(address)

    def wait_until_hanging(self, timeout: float = 10.0) -> bool:
        return self.inbox.holding.wait(timeout)

    def release(self) -> None:
        self.inbox.released.set()

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.release()
        self.controller.stop()


def body_of(message: Message) -> str:
    """Return the decoded text body of a received message."""
    part = message.get_body(("plain",)) if hasattr(message, "get_body") else message
    payload = (part or message).get_payload(decode=True)
    return payload.decode((part or message).get_content_charset() or "utf-8")
