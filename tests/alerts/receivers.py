"""Real receivers on loopback for the alert tests: a webhook (HTTP) receiver that can
answer 500, hang past the client's timeout, stop listening (connection refused) and
come back on the same port; and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Seen:
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Webhook:
    """``script``: what to answer to the next requests ("500", "hang", "ok"); after it
    runs out every request is accepted. ``hang_seconds`` must exceed the client timeout."""

    port: int = 0
    script: list[str] = field(default_factory=list)
    hang_seconds: float = 1.5
    accepted: list[Seen] = field(default_factory=list)
    requests: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def url(self, path: str = "/hook") -> str:
        return f"json://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        server = _Server(("127.0.0.1", self.port), _handler_for(self))
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)

    def next_action(self) -> str:
        with self.lock:
            return self.script.pop(0) if self.script else "ok"

    def keys(self) -> list[str]:
        return [seen.headers.get("X-Minewatch-Idempotency-Key", "") for seen in self.requests]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeout) is expected


def _handler_for(hook: Webhook) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            seen = Seen(dict(self.headers.items()), json.loads(self.rfile.read(length) or b"{}"))
            with hook.lock:
                hook.requests.append(seen)
            action = hook.next_action()
            if action == "hang":
                time.sleep(hook.hang_seconds)
            status = 200 if action == "ok" else 500
            if status == 200:
                with hook.lock:
                    hook.accepted.append(seen)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


@contextmanager
def webhook(script: list[str] | None = None) -> Iterator[Webhook]:
    hook = Webhook(script=list(script or []))
    hook.start()
    try:
        yield hook
    finally:
        hook.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Mailbox:
    port: int
    messages: list[Message] = field(default_factory=list)

    def url(self, to: str = "desk@example.com") -> str:
        return f"mailto://127.0.0.1:{self.port}?from=alerts@example.com&to={to}&mode=insecure"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@contextmanager
def smtp() -> Iterator[Mailbox]:
    box = Mailbox(free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def mail_text(message: Message) -> str:
    """The plain-text part of a received mail, decoded."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    return ""
