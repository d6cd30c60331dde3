"""robots.txt, fetched once per site and kept for a while (protego parses it).

The rules for an origin (scheme, host, port) are fetched through the fetcher itself
(so the fetch is logged, polite and address-checked) with ``accept="robots"``, which
skips the robots check and retries, so there is no recursion.

What a robots.txt answer means (RFC 9309, with one documented departure):

- 2xx: the rules apply; cached for ``ttl_seconds`` (1 hour);
- 4xx (404, 410, 403...): no rules, everything is allowed; cached for ``ttl_seconds``;
- 5xx, timeout, unreachable, rate limited: RFC 9309 says to assume "disallow all".
  We allow everything instead but cache that for only ``retry_seconds`` (5 minutes):
  the page fetch that follows meets the same broken server and fails on its own,
  and a site whose robots.txt is briefly down is not skipped for an hour. The
  per-host delay still applies, so this is never impolite in volume.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from pipeline.errors import MinewatchError, TerminalError
from pipeline.records import FetchResult

FetchRobots = Callable[[str], Awaitable[FetchResult]]
DEFAULT_TTL_SECONDS = 3600.0
RETRY_SECONDS = 300.0
MAX_ROBOTS_BYTES = 500_000  # Google reads the first 500 KiB


@dataclass(frozen=True)
class _Rules:
    parser: Protego | None  # None: everything allowed
    expires: float


class RobotsCache:
    """Per-origin robots.txt rules with a time to live."""

    def __init__(
        self,
        fetch_robots: FetchRobots,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self._fetch = fetch_robots
        self._ttl = ttl_seconds
        self._retry = retry_seconds
        self._rules: dict[str, _Rules] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def allowed(self, url: str, user_agent: str) -> bool:
        """May ``user_agent`` fetch ``url``? Fetches the site's robots.txt if needed."""
        rules = await self._rules_for(url)
        return rules.parser is None or bool(rules.parser.can_fetch(url, user_agent))

    def crawl_delay(self, url: str, user_agent: str) -> float | None:
        """The cached Crawl-delay for ``url``'s site, if robots.txt set one."""
        rules = self._rules.get(origin(url))
        if rules is None or rules.parser is None:
            return None
        delay = rules.parser.crawl_delay(user_agent)
        return float(delay) if delay is not None else None

    async def _rules_for(self, url: str) -> _Rules:
        """Cached rules, else one fetch per site even when many fetches ask at once."""
        key = origin(url)
        async with self._locks.setdefault(key, asyncio.Lock()):
            cached = self._rules.get(key)
            if cached is not None and cached.expires > time.monotonic():
                return cached
            rules = await self._load(key)
            self._rules[key] = rules
            return rules

    async def _load(self, site: str) -> _Rules:
        now = time.monotonic()
        try:
            result = await self._fetch(f"{site}/robots.txt")
        except TerminalError:  # 4xx: no robots.txt, everything allowed
            return _Rules(None, now + self._ttl)
        except MinewatchError:  # 5xx, timeout, unreachable: see the module docstring
            return _Rules(None, now + self._retry)
        text = result.body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
        return _Rules(Protego.parse(text), now + self._ttl)


def origin(url: str) -> str:
    """``scheme://host[:port]``, lowercased: the scope robots.txt rules apply to."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"
