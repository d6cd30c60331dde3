"""The asynchronous, polite, safe fetcher: the one way minewatch fetches a URL.

Scheduled polling, ``minewatch run`` and the command-line URLs of ``analyze``,
``ingest`` and ``run.inputs`` (through :func:`pipeline.fetching.one_url.fetch_page`)
all use one :class:`Fetcher`. For each URL it:

1. refuses non-http(s) URLs, local host names, numeric host forms and internal
   address literals (unless ``fetch.allow_private_addresses``) on every redirect hop,
   before any request (:mod:`pipeline.fetching.addresses`);
2. connects only to an address it checked: the transport resolves each host once
   through the ``resolver`` hook, refuses it when any answer fails the address
   ``policy``, and connects to a vetted IP keeping the Host header and the TLS name
   (:mod:`pipeline.fetching.transport`), so DNS rebinding cannot reach the inside;
3. honours robots.txt (``fetch.respect_robots``) and its Crawl-delay;
4. waits for a per-host slot (``per_host_concurrency``) spaced by
   ``max(per_host_delay_seconds, crawl-delay)``, and a global slot;
5. sends a conditional GET when given validators, and returns 304 as
   ``not_modified``;
6. follows redirects itself (``max_redirects``, loops refused);
7. bounds each request, body included, by a total deadline of
   ``TOTAL_TIMEOUT_FACTOR`` x ``timeout_seconds`` (a server that drips one byte a
   second is cut), checks the content type and caps the body while streaming;
8. retries transient failures (timeouts, connection errors, 5xx, 429) with
   exponential backoff and jitter, honouring Retry-After up to
   ``max_retry_after_seconds`` (longer: :class:`RateLimited` at once, so the
   scheduler backs the source off instead of holding a slot);
9. maps every httpx exception into the error tree (:func:`policy.http_error`), so
   one bad URL is one failure and the caller goes on with the next.

Every HTTP request (each retry, each redirect hop, each robots.txt) and every
refusal is reported to ``on_fetch`` as a :class:`FetchLogEntry`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self
from urllib.parse import urljoin, urlsplit

import httpx

from pipeline.config import FetchConfig
from pipeline.errors import (
    FetchRejected,
    FetchTimeout,
    MinewatchError,
    RateLimited,
    TransientError,
)
from pipeline.fetching.addresses import (
    AddressPolicy,
    IPAddress,
    Resolver,
    is_public,
    refuse_host,
    resolve,
)
from pipeline.fetching.policy import (
    REDIRECT_STATUSES,
    Accept,
    HostGate,
    backoff_delay,
    check_content_type,
    check_declared_size,
    http_error,
    http_parts,
    raise_for_status,
    too_big,
)
from pipeline.fetching.robots import RobotsCache
from pipeline.fetching.transport import VettingTransport
from pipeline.records import FetchLogEntry, FetchResult, Validators

OnFetch = Callable[[FetchLogEntry], None]
TOTAL_TIMEOUT_FACTOR = 3  # a whole request may take 3x the per-phase timeout


@dataclass(frozen=True)
class _Attempt:
    """One HTTP request's outcome: a response (status, headers, body) or an error."""

    url: str
    elapsed_ms: float
    status: int | None = None
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes = b""
    error: MinewatchError | None = None


class Fetcher:
    """Polite asynchronous fetcher; use as ``async with Fetcher(config, ...) as f``.

    ``resolver`` (default: the system resolver through the event loop) and ``policy``
    (default: :func:`~pipeline.fetching.addresses.is_public`) decide where a host may
    be connected to; ``fetch.allow_private_addresses`` allows every address. A
    ``transport`` given by a test replaces the vetting transport (and its checks).
    """

    def __init__(
        self,
        config: FetchConfig,
        *,
        max_bytes: int,
        on_fetch: OnFetch | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver | None = None,
        policy: AddressPolicy | None = None,
    ) -> None:
        self.config = config
        self.max_bytes = max_bytes
        self._on_fetch = on_fetch
        self._allowed = _allow_all if config.allow_private_addresses else policy or is_public
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(config.timeout_seconds),
            follow_redirects=False,
            headers={"User-Agent": config.user_agent},
            transport=transport or VettingTransport(resolver or resolve, self._allowed),
        )
        self._global = asyncio.Semaphore(config.global_concurrency)
        self._hosts: dict[str, HostGate] = {}
        self.robots = RobotsCache(self._fetch_robots)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self, url: str, *, validators: Validators | None = None, accept: Accept = "page"
    ) -> FetchResult:
        """Fetch ``url`` (see the module docstring); raises a MinewatchError on failure."""
        started = time.monotonic()
        current, seen = url, {url}
        for _hop in range(self.config.max_redirects + 1):
            await self._check_allowed(current, accept)
            attempt = await self._with_retries(current, validators, accept)
            location = _redirect_target(attempt)
            if location is None:
                return _result(url, attempt, validators, started)
            current = self._next_hop(current, location, seen)
        raise self._refused(current, f"more than {self.config.max_redirects} redirects")

    # --- safety and politeness -------------------------------------------------------

    async def _check_allowed(self, url: str, accept: Accept) -> None:
        try:
            host, _port = http_parts(url)
            if not self.config.allow_private_addresses:
                refuse_host(host, self._allowed)
        except MinewatchError as exc:
            self._log(FetchLogEntry(url=url, outcome=type(exc).__name__, error=str(exc)))
            raise
        check_robots = accept != "robots" and self.config.respect_robots
        if check_robots and not await self.robots.allowed(url, self.config.user_agent):
            raise self._refused(url, "disallowed by robots.txt")

    def _next_hop(self, current: str, location: str, seen: set[str]) -> str:
        target = urljoin(current, location)
        if target in seen:
            raise self._refused(target, "redirect loop")
        seen.add(target)
        return target

    def _refused(self, url: str, reason: str) -> FetchRejected:
        self._log(FetchLogEntry(url=url, outcome="FetchRejected", error=reason))
        return FetchRejected(reason)

    def _delay_for(self, url: str) -> float:
        crawl_delay = None
        if self.config.respect_robots:
            crawl_delay = self.robots.crawl_delay(url, self.config.user_agent)
        return max(self.config.per_host_delay_seconds, crawl_delay or 0.0)

    def _gate(self, url: str) -> HostGate:
        host = (urlsplit(url).hostname or "").lower()
        if host not in self._hosts:
            self._hosts[host] = HostGate(self.config.per_host_concurrency)
        return self._hosts[host]

    async def _fetch_robots(self, url: str) -> FetchResult:
        return await self.fetch(url, accept="robots")

    # --- retries ---------------------------------------------------------------------

    async def _with_retries(
        self, url: str, validators: Validators | None, accept: Accept
    ) -> _Attempt:
        retries = 0 if accept == "robots" else self.config.max_retries
        for number in range(retries + 1):
            attempt = await self._attempt(url, validators, accept)
            if attempt.error is None:
                self._log_attempt(attempt, _success_outcome(attempt.status))
                return attempt
            wait = self._retry_wait(attempt.error, number, retries)
            if wait is None:
                error = _explain(attempt.error, self.config)
                self._log_attempt(attempt, type(error).__name__, error)
                raise error
            self._log_attempt(attempt, "retry")
            await asyncio.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _retry_wait(self, error: MinewatchError, number: int, retries: int) -> float | None:
        """Seconds to wait before retrying, or None to give up and raise ``error``."""
        if not isinstance(error, TransientError) or number >= retries:
            return None
        if isinstance(error, RateLimited) and error.retry_after is not None:
            if error.retry_after > self.config.max_retry_after_seconds:
                return None
            return error.retry_after
        return backoff_delay(number, self.config.backoff_seconds)

    # --- one request -----------------------------------------------------------------

    async def _attempt(self, url: str, validators: Validators | None, accept: Accept) -> _Attempt:
        deadline = self.config.timeout_seconds * TOTAL_TIMEOUT_FACTOR
        async with self._gate(url).slot(self._delay_for(url)), self._global:
            started = time.monotonic()
            try:
                async with asyncio.timeout(deadline):
                    return await self._request(url, _conditional(validators), accept, started)
            except MinewatchError as exc:
                return _Attempt(url, _ms_since(started), error=exc)
            except TimeoutError:
                late = FetchTimeout(
                    f"no complete answer within {deadline:g}s "
                    f"({TOTAL_TIMEOUT_FACTOR} x fetch.timeout_seconds)"
                )
                return _Attempt(url, _ms_since(started), error=late)
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                error = http_error(exc, self.config.timeout_seconds)
                return _Attempt(url, _ms_since(started), error=error)

    async def _request(
        self, url: str, headers: dict[str, str], accept: Accept, started: float
    ) -> _Attempt:
        async with self._client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            if status in REDIRECT_STATUSES or status == 304:
                return _Attempt(url, _ms_since(started), status, response.headers)
            try:
                raise_for_status(response)
                check_content_type(response.headers.get("content-type", ""), accept)
                check_declared_size(response.headers, self.max_bytes)
                body = await self._read_capped(response)
            except MinewatchError as exc:
                return _Attempt(url, _ms_since(started), status, response.headers, error=exc)
            return _Attempt(url, _ms_since(started), status, response.headers, body)

    async def _read_capped(self, response: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchRejected(too_big(self.max_bytes))
            chunks.append(chunk)
        return b"".join(chunks)

    def _log_attempt(
        self, attempt: _Attempt, outcome: str, error: MinewatchError | None = None
    ) -> None:
        error = error or attempt.error
        self._log(
            FetchLogEntry(
                url=attempt.url,
                outcome=outcome,
                status=attempt.status,
                bytes=len(attempt.body),
                elapsed_ms=attempt.elapsed_ms,
                error=str(error) if error is not None else None,
            )
        )

    def _log(self, entry: FetchLogEntry) -> None:
        if self._on_fetch is not None:
            self._on_fetch(entry)


def _allow_all(address: IPAddress) -> bool:
    return True


def _conditional(validators: Validators | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if validators is not None and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators is not None and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


def _redirect_target(attempt: _Attempt) -> str | None:
    if attempt.status not in REDIRECT_STATUSES:
        return None
    location = _header(attempt.headers, "location")
    if location is None:
        raise FetchRejected(f"HTTP {attempt.status} redirect without a Location header")
    return location


def _result(url: str, attempt: _Attempt, sent: Validators | None, started: float) -> FetchResult:
    not_modified = attempt.status == 304
    kept = sent if sent is not None and not_modified else Validators()
    validators = Validators(
        etag=_header(attempt.headers, "etag") or kept.etag,
        last_modified=_header(attempt.headers, "last-modified") or kept.last_modified,
    )
    return FetchResult(
        url=url,
        final_url=attempt.url,
        status=attempt.status or 0,
        body=attempt.body,
        content_type=_header(attempt.headers, "content-type") or "",
        validators=validators,
        elapsed_ms=_ms_since(started),
        not_modified=not_modified,
    )


def _header(headers: httpx.Headers, name: str) -> str | None:
    value = str(headers.get(name, "")).strip()
    return value or None


def _success_outcome(status: int | None) -> str:
    if status == 304:
        return "not_modified"
    if status in REDIRECT_STATUSES:
        return "redirect"
    return "ok"


def _explain(error: MinewatchError, config: FetchConfig) -> MinewatchError:
    """Add the config hint to a Retry-After we will not wait for."""
    if isinstance(error, RateLimited) and (error.retry_after or 0) > config.max_retry_after_seconds:
        return RateLimited(
            f"{error}; Retry-After {error.retry_after:g}s is over "
            f"fetch.max_retry_after_seconds ({config.max_retry_after_seconds:g}s)",
            retry_after=error.retry_after,
        )
    return error


def _ms_since(started: float) -> float:
    return (time.monotonic() - started) * 1000
