"""Pure helpers of the fetcher: which URLs, statuses and content types are
acceptable, how each httpx error maps to the error tree, how long to back off, and
the per-host gate that spaces requests. Which addresses are acceptable is
:mod:`pipeline.fetching.addresses`.

Kept apart from :mod:`pipeline.fetching.fetcher` so each rule is small and testable.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import ssl
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from email.utils import parsedate_to_datetime
from typing import Literal
from urllib.parse import urlsplit

import httpx

from pipeline.errors import (
    FetchRejected,
    FetchTimeout,
    MinewatchError,
    RateLimited,
    ServerError,
    Unreachable,
)
from pipeline.fetching.addresses import IPAddress as IPAddress  # re-exported for tests

# page: an article page (HTML); document: a page or plain text (command-line URLs);
# feed: a feed or sitemap; robots: robots.txt, whatever its type.
Accept = Literal["page", "document", "feed", "robots"]
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
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
    if accept in ("page", "document") and media in PAGE_TYPES:
        return
    if accept == "document" and media in TEXT_TYPES:
        return
    if accept == "feed" and _is_feed_type(media):
        return
    what = {"page": "a page", "document": "HTML or text"}.get(accept, "a feed or sitemap")
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


def http_error(exc: Exception, timeout_seconds: float) -> MinewatchError:
    """Any httpx exception as a minewatch error: timeouts and connection failures are
    transient; a bad TLS certificate, a corrupt body, an unsupported scheme, an invalid
    URL (also in a Location header, which httpx parses itself) and anything else httpx
    raises are terminal."""
    if isinstance(exc, httpx.TimeoutException):
        return FetchTimeout(f"timed out after {timeout_seconds:g}s")
    if _caused_by(exc, ssl.SSLCertVerificationError):
        return FetchRejected(f"the site's TLS certificate is not valid ({_cause_text(exc)})")
    if isinstance(exc, httpx.UnsupportedProtocol):
        return FetchRejected(f"unsupported URL scheme ({exc})")
    if isinstance(exc, httpx.DecodingError):
        return FetchRejected(f"the server sent a corrupt compressed body ({exc})")
    if isinstance(exc, httpx.InvalidURL):
        return FetchRejected(f"not a valid URL ({exc})")
    if isinstance(exc, httpx.RemoteProtocolError) and "location header" in str(exc):
        return FetchRejected(f"refused redirect to an invalid URL ({exc})")
    if isinstance(exc, httpx.TransportError):
        return Unreachable(f"cannot connect ({type(exc).__name__}: {exc})")
    return FetchRejected(f"{type(exc).__name__}: {exc}")


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    return any(isinstance(link, kind) for link in _chain(exc))


def _cause_text(exc: BaseException) -> str:
    root = list(_chain(exc))[-1]
    return str(getattr(root, "verify_message", None) or root)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and its causes, outermost first (each once: chains can loop)."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        link = link.__cause__ or link.__context__


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
