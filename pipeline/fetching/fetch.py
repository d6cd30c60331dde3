"""Fetch one URL into a Page, safely: timeouts, a size cap, content-type checks,
capped redirects, and no private or loopback addresses unless the config allows them.

This is the synchronous path of ``minewatch analyze URL``; scheduled polling uses the
asynchronous :class:`pipeline.fetching.fetcher.Fetcher`. Both share :mod:`pipeline.fetching.policy`.
"""

from __future__ import annotations

import httpx

from pipeline.config import FetchConfig
from pipeline.errors import FetchRejected, FetchTimeout, Unreachable
from pipeline.fetching.inputs import page_from_bytes
from pipeline.fetching.policy import http_parts, raise_for_status, refuse_internal, resolve_sync
from pipeline.records import Page, PageKind

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
                max_redirects=config.max_redirects,
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
        raise FetchRejected(f"more than {config.max_redirects} redirects") from None
    except (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError) as exc:
        raise Unreachable(f"cannot connect ({type(exc).__name__}: {exc})") from None
    page = page_from_bytes(url, raw, kind)
    return Page(source=url, content=page.content, kind=kind, raw=raw, url=final_url)


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
    host, port = http_parts(url)
    if not allow_private:
        refuse_internal(host, resolve_sync(host, port))
