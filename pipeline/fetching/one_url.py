"""Fetch one URL synchronously: the entry of ``analyze URL``, ``ingest URL`` and
``run.inputs`` into the one asynchronous :class:`~pipeline.fetching.fetcher.Fetcher`.

:func:`fetch_page` runs a fresh Fetcher on its own event loop (``asyncio.run``), so
every command-line URL gets the same checks as polling: address rules on every
redirect hop and at connect time, robots.txt, the total deadline, the byte cap,
retries and error mapping. Call it from code with no running event loop (the main
thread of a command, or a worker thread); never from inside a coroutine, where
``asyncio.run`` refuses to start (use the Fetcher itself there).
"""

from __future__ import annotations

import asyncio

import httpx

from pipeline.config import FetchConfig
from pipeline.fetching.addresses import AddressPolicy, Resolver
from pipeline.fetching.fetcher import Fetcher, OnFetch
from pipeline.fetching.pages import page_from_fetch
from pipeline.records import Page


def fetch_page(
    url: str,
    config: FetchConfig,
    max_bytes: int,
    *,
    on_fetch: OnFetch | None = None,
    resolver: Resolver | None = None,
    policy: AddressPolicy | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Page:
    """The page at ``url`` (HTML or plain text), keyed by its article URL; raises a
    MinewatchError when it cannot be fetched."""

    async def fetch() -> Page:
        async with Fetcher(
            config,
            max_bytes=max_bytes,
            on_fetch=on_fetch,
            transport=transport,
            resolver=resolver,
            policy=policy,
        ) as fetcher:
            result = await fetcher.fetch(url, accept="document")
        return page_from_fetch(url, result)

    return asyncio.run(fetch())
