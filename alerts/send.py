"""Sending one message to one channel through Apprise.

Every message carries ``X-Minewatch-Idempotency-Key`` (the same on every retry of the
message) and ``X-Minewatch-Timestamp``; with a channel ``secret`` also
``X-Minewatch-Signature: v1=<hex>``, the HMAC-SHA256 of
``"{timestamp}.{idempotency key}.{message text}"`` under the secret, so a receiver can
check the sender and drop repeats. Apprise sets them as HTTP headers (json://,
form://, xml://) or mail headers (mailto://) from ``+Header=value`` URL parameters.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import logging
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import apprise

from pipeline.alert_config import AlertChannel

KEY_HEADER = "X-Minewatch-Idempotency-Key"
TIMESTAMP_HEADER = "X-Minewatch-Timestamp"
SIGNATURE_HEADER = "X-Minewatch-Signature"

# Apprise's mail plugin imports imghdr, deprecated in Python 3.11 (a DeprecationWarning
# on first use): import it once here, quietly, so sending stays warning-free.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "'imghdr' is deprecated", DeprecationWarning)
    importlib.import_module("imghdr")


@dataclass(frozen=True)
class Message:
    key: str
    title: str
    text: str
    html: str


@dataclass(frozen=True)
class SendResult:
    ok: bool
    error: str | None = None


Sender = Callable[[AlertChannel, Message, float], SendResult]


def signature(secret: str, timestamp: str, key: str, text: str) -> str:
    payload = f"{timestamp}.{key}.{text}".encode()
    return "v1=" + hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def headers(channel: AlertChannel, message: Message, now: float | None = None) -> dict[str, str]:
    stamp = str(int(time.time() if now is None else now))
    found = {KEY_HEADER: message.key, TIMESTAMP_HEADER: stamp}
    if channel.secret:
        found[SIGNATURE_HEADER] = signature(channel.secret, stamp, message.key, message.text)
    return found


def apprise_url(channel: AlertChannel, message: Message, timeout: float) -> str:
    """The channel's URL with the headers and socket timeouts as Apprise parameters."""
    params = {f"+{name}": value for name, value in headers(channel, message).items()}
    params.update({"rto": f"{timeout:g}", "cto": f"{timeout:g}"})
    query = "&".join(f"{quote(k, safe='+')}={quote(v, safe='')}" for k, v in params.items())
    return f"{channel.url}{'&' if '?' in channel.url else '?'}{query}"


def _is_mail(url: str) -> bool:
    return url.lower().startswith(("mailto:", "mailtos:"))


class _ThreadLog(logging.Handler):
    """Apprise's warnings of the calling thread only (sends run in parallel)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.lines.append(record.getMessage())


_ASSET = apprise.AppriseAsset(async_mode=False)


def apprise_send(channel: AlertChannel, message: Message, timeout: float) -> SendResult:
    """Send through Apprise (in the calling thread); the failure's reason from
    Apprise's own warnings."""
    notifier = apprise.Apprise(asset=_ASSET)
    if not notifier.add(apprise_url(channel, message, timeout)):
        return SendResult(False, f"Apprise cannot use the URL of channel {channel.name!r}")
    mail = _is_mail(channel.url)
    body = message.html if mail else message.text
    fmt = apprise.NotifyFormat.HTML if mail else apprise.NotifyFormat.TEXT
    log = _ThreadLog()
    logger = logging.getLogger("apprise")
    logger.addHandler(log)
    try:
        ok = notifier.notify(body=body, title=message.title, body_format=fmt)
    finally:
        logger.removeHandler(log)
    if ok:
        return SendResult(True)
    return SendResult(False, " | ".join(line.strip() for line in log.lines[-2:]) or "not sent")
