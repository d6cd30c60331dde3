"""Fetch one URL into a Page, safely: timeouts, a size cap, content-type checks,
capped redirects, and no private or loopback addresses unless the config allows them.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import httpx

from pipeline.config import FetchConfig
from pipeline.errors import (
    FetchRejected,
    FetchTimeout,
    RateLimited,
    ServerError,
    Unreachable,
)
from pipeline.inputs import page_from_bytes
from pipeline.records import Page, PageKind

MAX_REDIRECTS = 5
HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain",)


def fetch_page(url: str, config: FetchConfig, max_bytes: int) -> Page:
    check_address_allowed(url, config.allow_private_addresses)
    headers = {"User-Agent": config.user_agent}
    try:
        with (
            httpx.Client(
                timeout=config.timeout_seconds,
                follow_redirects=True,
                max_redirects=MAX_REDIRECTS,
                headers=headers,
            ) as client,
            client.stream("GET", url) as response,
        ):
            raise_for_status(response)
            kind = content_kind(response.headers.get("content-type", ""))
            raw = read_capped(response, max_bytes)
            final_url = str(response.url)
    except httpx.TimeoutException:
        raise FetchTimeout(f"timed out after {config.timeout_seconds:g}s") from None
    except httpx.TooManyRedirects:
        raise FetchRejected(f"more than {MAX_REDIRECTS} redirects") from None
    except (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError) as exc:
        raise Unreachable(f"cannot connect ({type(exc).__name__}: {exc})") from None
    page = page_from_bytes(url, raw, kind)
    return Page(source=url, content=page.content, kind=kind, raw=raw, url=final_url)


def raise_for_status(response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    if status == 429 or (status == 503 and "retry-after" in response.headers):
        raise RateLimited(f"HTTP {status}", retry_after=_retry_after(response))
    if status >= 500:
        raise ServerError(f"HTTP {status}")
    raise FetchRejected(f"HTTP {status}")


def content_kind(content_type: str) -> PageKind:
    media = content_type.split(";")[0].strip().lower()
    if media in HTML_TYPES or not media:
        return "html"
    if media in TEXT_TYPES:
        return "text"
    raise FetchRejected(f"content type {media!r} is not HTML or text")


def read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchRejected(f"body over the {max_bytes:,}-byte cap (extraction.max_bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


def check_address_allowed(url: str, allow_private: bool) -> None:
    """Refuse URLs whose host resolves to a private, loopback or link-local address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchRejected(f"not an http(s) URL: {url!r}")
    if allow_private:
        return
    for address in _resolve(parts.hostname, parts.port or 0):
        if not address.is_global:
            raise FetchRejected(
                f"refused internal address {address} for host {parts.hostname!r}; "
                "set fetch.allow_private_addresses to allow it"
            )


def _resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise Unreachable(f"cannot resolve host {host!r} ({exc.strerror})") from None
    return [ipaddress.ip_address(info[4][0]) for info in infos]


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
