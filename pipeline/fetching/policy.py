"""Pure helpers of the fetcher: which addresses, statuses and content types are
acceptable, how long to back off, and the per-host gate that spaces requests.

Kept apart from :mod:`pipeline.fetching.fetcher` so each rule is small and testable, and so
the synchronous single-URL fetch (:mod:`pipeline.fetching.fetch`) shares the same rules.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import random
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.utils import parsedate_to_datetime
from typing import Literal
from urllib.parse import urlsplit

import httpx

from pipeline.errors import FetchRejected, RateLimited, ServerError, Unreachable

Accept = Literal["page", "feed", "robots"]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset(
    {
        "application/json",
        "application/feed+json",
        "application/octet-stream",  # common for .xml.gz sitemaps and misconfigured feeds
        "application/gzip",
        "application/x-gzip",
    }
)
MAX_BACKOFF_SECONDS = 300.0


def http_parts(url: str) -> tuple[str, int]:
    """(host, port) of an absolute http(s) URL; FetchRejected for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchRejected(f"not a valid URL: {url!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchRejected(f"not an http(s) URL: {url!r}")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def refuse_internal(host: str, addresses: list[IPAddress]) -> None:
    """FetchRejected when any address of ``host`` is not a global (public) address.

    Any, not all: a name that resolves to one public and one internal address could
    be connected to the internal one.
    """
    for address in addresses:
        if not address.is_global:
            raise FetchRejected(
                f"refused internal address {address} for host {host!r}; "
                "set fetch.allow_private_addresses to allow it"
            )


def resolve_sync(host: str, port: int) -> list[IPAddress]:
    """Blocking DNS lookup, for the synchronous fetch of ``analyze URL``."""
    literal = _ip_literal(host)
    if literal is not None:
        return [literal]
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise Unreachable(f"cannot resolve host {host!r} ({exc.strerror})") from None
    return [ipaddress.ip_address(info[4][0]) for info in infos]


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Non-blocking DNS lookup through the event loop's resolver."""
    literal = _ip_literal(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise Unreachable(f"cannot resolve host {host!r} ({exc.strerror})") from None
    return [ipaddress.ip_address(info[4][0]) for info in infos]


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def raise_for_status(response: httpx.Response) -> None:
    """Map an HTTP error status to the error tree: 429 (and 503 with Retry-After) is
    RateLimited, other 5xx ServerError (both transient), any other 4xx FetchRejected."""
    status = response.status_code
    if status < 400:
        return
    if status == 429 or (status == 503 and "retry-after" in response.headers):
        raise RateLimited(f"HTTP {status}", retry_after=retry_after(response.headers))
    if status >= 500:
        raise ServerError(f"HTTP {status}")
    raise FetchRejected(f"HTTP {status}")


def retry_after(headers: httpx.Headers) -> float | None:
    """Retry-After in seconds, from delta-seconds or an HTTP date; None if absent or bad."""
    value = str(headers.get("retry-after", "")).strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def media_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def check_content_type(content_type: str, accept: Accept) -> None:
    """FetchRejected unless the media type suits what the caller asked for.

    An empty type is accepted (many servers omit it); the body is checked later by
    extraction or discovery anyway. Robots files are accepted whatever their type.
    """
    media = media_type(content_type)
    if not media or accept == "robots":
        return
    if accept == "page" and media in PAGE_TYPES:
        return
    if accept == "feed" and _is_feed_type(media):
        return
    what = "a page" if accept == "page" else "a feed or sitemap"
    raise FetchRejected(f"content type {media!r} is not {what}")


def _is_feed_type(media: str) -> bool:
    return (
        media.startswith("text/")
        or media in FEED_TYPES
        or media.endswith(("/xml", "+xml", "+json"))
    )


def check_declared_size(headers: httpx.Headers, max_bytes: int) -> None:
    """Refuse before reading when Content-Length already says the body is too big."""
    declared = str(headers.get("content-length", ""))
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchRejected(too_big(max_bytes, int(declared)))


def too_big(max_bytes: int, size: int | None = None) -> str:
    stated = f"{size:,} bytes is " if size is not None else "body "
    return (
        f"{stated}over the {max_bytes:,}-byte cap; raise extraction.max_bytes in "
        "config.yaml to accept it"
    )


def backoff_delay(attempt: int, base_seconds: float) -> float:
    """Exponential backoff with jitter: base * 2**attempt, times a factor in [0.5, 1.5),
    so many sources failing together do not retry in lockstep."""
    return min(MAX_BACKOFF_SECONDS, base_seconds * 2.0**attempt * (0.5 + random.random()))


class HostGate:
    """Politeness for one host: at most ``concurrency`` requests in flight, and request
    starts at least ``delay`` seconds apart (the delay is given per request, so a
    crawl-delay learnt from robots.txt applies from the next request on)."""

    def __init__(self, concurrency: int) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._spacing = asyncio.Lock()
        self._next_start = 0.0

    @asynccontextmanager
    async def slot(self, delay: float) -> AsyncIterator[None]:
        async with self._slots:
            async with self._spacing:
                wait = self._next_start - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._next_start = time.monotonic() + delay
            yield
