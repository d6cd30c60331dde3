"""The polite fetcher against a real HTTP server on loopback: every misbehaviour the
server can produce maps to the right error or outcome, and every request is logged.

Timeouts, delays and backoffs are small so the whole file runs in a few seconds;
timing assertions use generous tolerances.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import httpx
import pytest

from pipeline.config import FetchConfig
from pipeline.errors import (
    FetchRejected,
    FetchTimeout,
    MinewatchError,
    RateLimited,
    ServerError,
    Unreachable,
)
from pipeline.fetching.fetcher import Fetcher
from pipeline.fetching.pages import page_from_fetch
from pipeline.fetching.robots import RobotsCache
from pipeline.fetching.urls import canonical_from_html
from pipeline.records import FetchLogEntry, FetchResult, Validators
from tests.conftest import FIXTURES
from tests.fixture_server import FixtureServer, serve_fixtures

T = TypeVar("T")
ROBOTS = "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.3\n"


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with serve_fixtures(FIXTURES) as state:
        yield state


def config(**overrides: object) -> FetchConfig:
    settings: dict[str, object] = {
        "allow_private_addresses": True,
        "timeout_seconds": 0.5,
        "per_host_delay_seconds": 0.0,
        "backoff_seconds": 0.01,
        "max_retry_after_seconds": 2.0,
    }
    return FetchConfig.model_validate(settings | overrides)


class Run:
    """Runs fetches on a fresh event loop and keeps the fetch log."""

    def __init__(self, fetch_config: FetchConfig | None = None, max_bytes: int = 100_000):
        self.config = fetch_config or config()
        self.max_bytes = max_bytes
        self.log: list[FetchLogEntry] = []

    def __call__(self, body: Callable[[Fetcher], Awaitable[T]]) -> T:
        async def main() -> T:
            async with Fetcher(
                self.config, max_bytes=self.max_bytes, on_fetch=self.log.append
            ) as fetcher:
                return await body(fetcher)

        return asyncio.run(main())

    def fetch(self, url: str, **kwargs: object) -> FetchResult:
        return self(lambda f: f.fetch(url, **kwargs))  # type: ignore[arg-type]

    def outcomes(self, path: str = "") -> list[str]:
        return [e.outcome for e in self.log if e.url.endswith(path) and "robots" not in e.url]


def test_page_fetch_reports_body_type_and_every_request(server: FixtureServer) -> None:
    run = Run()
    result = run.fetch(server.url("/article.html"))
    assert result.status == 200
    assert b"Lithium output rises" in result.body
    assert result.content_type.startswith("text/html")
    assert result.final_url == result.url == server.url("/article.html")
    assert not result.not_modified
    assert [(e.outcome, e.status) for e in run.log] == [("FetchRejected", 404), ("ok", 200)]
    assert run.log[1].bytes == len(result.body)
    assert run.log[1].elapsed_ms > 0
    agents = {r.headers.get("user-agent") for r in server.requests}
    assert agents == {run.config.user_agent}


def test_page_from_fetch_decodes_the_body(server: FixtureServer) -> None:
    page = page_from_fetch(
        server.url("/redirect-to-page"), Run().fetch(server.url("/redirect-to-page"))
    )
    assert page.kind == "html"
    assert "Lithium output rises" in page.content
    assert page.source == server.url("/redirect-to-page")
    assert page.url == server.url("/article.html")


def test_slow_server_times_out(server: FixtureServer) -> None:
    server.slow_seconds = 1.5
    run = Run(config(timeout_seconds=0.2, max_retries=0))
    started = time.monotonic()
    with pytest.raises(FetchTimeout, match=r"timed out after 0\.2s"):
        run.fetch(server.url("/slow"))
    assert time.monotonic() - started < 1.4
    assert run.outcomes("/slow") == ["FetchTimeout"]


def test_server_error_is_retried_then_raised(server: FixtureServer) -> None:
    run = Run(config(max_retries=2))
    with pytest.raises(ServerError, match="HTTP 500"):
        run.fetch(server.url("/error500"))
    assert server.count("/error500") == 3
    assert run.outcomes("/error500") == ["retry", "retry", "ServerError"]
    assert all(e.status == 500 and e.error == "HTTP 500" for e in run.log[1:])


def test_flaky_server_succeeds_on_the_third_attempt(server: FixtureServer) -> None:
    run = Run(config(max_retries=2))
    result = run.fetch(server.url("/flaky"))
    assert result.status == 200
    assert run.outcomes("/flaky") == ["retry", "retry", "ok"]


def test_without_retries_a_flaky_server_fails_once(server: FixtureServer) -> None:
    run = Run(config(max_retries=0))
    with pytest.raises(ServerError):
        run.fetch(server.url("/flaky"))
    assert server.count("/flaky") == 1


def test_short_retry_after_is_waited_for(server: FixtureServer) -> None:
    run = Run(config(backoff_seconds=0.0))
    started = time.monotonic()
    result = run.fetch(server.url("/ratelimited"))
    assert result.status == 200
    assert time.monotonic() - started >= 0.9  # Retry-After: 1
    assert [(e.outcome, e.status) for e in run.log[1:]] == [("retry", 429), ("ok", 200)]


def test_long_retry_after_raises_rate_limited_at_once(server: FixtureServer) -> None:
    run = Run()
    started = time.monotonic()
    with pytest.raises(RateLimited, match="max_retry_after_seconds") as caught:
        run.fetch(server.url("/ratelimited-long"))
    assert caught.value.retry_after == 3600
    assert time.monotonic() - started < 1.0
    assert server.count("/ratelimited-long") == 1
    assert run.outcomes("/ratelimited-long") == ["RateLimited"]


def test_redirect_is_followed_and_each_hop_logged(server: FixtureServer) -> None:
    run = Run()
    result = run.fetch(server.url("/redirect-to-page"))
    assert result.final_url == server.url("/article.html")
    assert result.url == server.url("/redirect-to-page")
    assert [(e.outcome, e.status) for e in run.log if "robots" not in e.url] == [
        ("redirect", 302),
        ("ok", 200),
    ]


def test_redirect_loop_is_refused(server: FixtureServer) -> None:
    run = Run()
    with pytest.raises(FetchRejected, match="redirect loop"):
        run.fetch(server.url("/loop-a"))
    assert server.count("/loop-a") == 1
    assert server.count("/loop-b") == 1


def test_too_many_redirects_are_refused(server: FixtureServer) -> None:
    run = Run(config(max_redirects=1))
    with pytest.raises(FetchRejected, match="more than 1 redirects"):
        run.fetch(server.url("/redirect-to?url=/redirect-to-page"))
    assert server.count("/article.html") == 0


def test_redirect_without_location_is_refused(server: FixtureServer) -> None:
    with pytest.raises(FetchRejected, match="without a Location"):
        Run().fetch(server.url("/no-location"))


def test_conditional_get_returns_not_modified(server: FixtureServer) -> None:
    run = Run()
    first = run.fetch(server.url("/conditional.xml"), accept="feed")
    assert first.status == 200
    assert first.validators.etag == '"v1"'
    assert first.validators.last_modified == "Thu, 15 Jan 2026 14:25:00 GMT"
    second = run.fetch(server.url("/conditional.xml"), validators=first.validators, accept="feed")
    assert second.not_modified
    assert second.status == 304
    assert second.body == b""
    assert second.validators == first.validators
    assert server.conditional == 1
    assert server.headers_for("/conditional.xml")[1]["if-none-match"] == '"v1"'
    assert run.outcomes("/conditional.xml") == ["ok", "not_modified"]


def test_if_modified_since_alone_is_enough(server: FixtureServer) -> None:
    sent = Validators(last_modified="Thu, 15 Jan 2026 14:25:00 GMT")
    result = Run().fetch(server.url("/conditional.xml"), validators=sent, accept="feed")
    assert result.not_modified
    assert result.validators.last_modified == sent.last_modified
    assert "if-none-match" not in server.headers_for("/conditional.xml")[0]


@pytest.mark.parametrize(
    ("path", "accept", "reason"),
    [
        ("/image.png", "page", "content type 'image/png' is not a page"),
        ("/image.png", "feed", "content type 'image/png' is not a feed or sitemap"),
        ("/feeds/feed.json", "page", "content type 'application/feed+json' is not a page"),
        ("/nothing-here.html", "page", "HTTP 404"),
        ("/gone", "page", "HTTP 410"),
    ],
)
def test_terminal_answers_are_rejected_without_retry(
    server: FixtureServer, path: str, accept: str, reason: str
) -> None:
    run = Run(config(max_retries=2))
    with pytest.raises(FetchRejected, match=re.escape(reason)):
        run.fetch(server.url(path), accept=accept)
    assert server.count(path) == 1
    assert run.outcomes(path) == ["FetchRejected"]


def test_feed_types_are_accepted(server: FixtureServer) -> None:
    run = Run()
    for path in ("/feeds/rss.xml", "/feeds/feed.json", "/feeds/listing.html"):
        assert run.fetch(server.url(path), accept="feed").status == 200


@pytest.mark.parametrize("path", ["/huge.html", "/huge-stream.html"])
def test_body_over_the_cap_is_refused(server: FixtureServer, path: str) -> None:
    run = Run(max_bytes=10_000)
    with pytest.raises(FetchRejected, match=r"10,000-byte cap.*extraction\.max_bytes"):
        run.fetch(server.url(path))
    assert run.log[-1].bytes == 0


def test_internal_address_is_refused_by_default(server: FixtureServer) -> None:
    run = Run(config(allow_private_addresses=False))
    with pytest.raises(FetchRejected, match=r"refused internal address 127\.0\.0\.1"):
        run.fetch(server.url("/article.html"))
    assert server.requests == []
    assert run.log[0].outcome == "FetchRejected"
    assert run.log[0].status is None


def test_redirect_to_an_internal_address_is_refused() -> None:
    """The public site is simulated by a mock transport; the check on each hop is the
    real one (see test_fetch_safety.py for the same on loopback servers)."""
    seen: list[str] = []

    def public_site(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/"})

    log: list[FetchLogEntry] = []

    async def main() -> None:
        settings = config(allow_private_addresses=False, respect_robots=False)
        transport = httpx.MockTransport(public_site)
        async with Fetcher(
            settings, max_bytes=10_000, on_fetch=log.append, transport=transport
        ) as f:
            await f.fetch("http://news.example/story")

    with pytest.raises(FetchRejected, match=r"refused internal address 169\.254\.169\.254"):
        asyncio.run(main())
    assert seen == ["http://news.example/story"]
    assert [e.outcome for e in log] == ["redirect", "FetchRejected"]


@pytest.mark.parametrize("url", ["ftp://example.com/a", "file:///etc/passwd", "http:///nohost"])
def test_non_http_urls_are_refused(url: str) -> None:
    with pytest.raises(FetchRejected, match="not an http"):
        Run().fetch(url)


def test_connection_refused_is_unreachable(server: FixtureServer) -> None:
    closed = _closed_port_url()
    run = Run(config(max_retries=1))
    with pytest.raises(Unreachable, match="cannot connect"):
        run.fetch(closed)
    assert [e.outcome for e in run.log if "robots" not in e.url] == ["retry", "Unreachable"]


def _closed_port_url() -> str:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/article.html"


def test_robots_disallow_is_honoured_and_fetched_once(server: FixtureServer) -> None:
    server.robots_txt = "User-agent: *\nDisallow: /private/\n"
    run = Run()

    async def body(f: Fetcher) -> MinewatchError | None:
        await f.fetch(server.url("/article.html"))
        await f.fetch(server.url("/feeds/listing.html"))
        try:
            await f.fetch(server.url("/private/secret.html"))
        except FetchRejected as exc:
            return exc
        return None

    error = run(body)
    assert str(error) == "disallowed by robots.txt"
    assert server.count("/private/secret.html") == 0
    assert server.count("/robots.txt") == 1
    assert run.log[-1].outcome == "FetchRejected"
    assert run.log[-1].error == str(error)


def test_robots_can_be_ignored_by_config(server: FixtureServer) -> None:
    server.robots_txt = "User-agent: *\nDisallow: /\n"
    run = Run(config(respect_robots=False))
    assert run.fetch(server.url("/article.html")).status == 200
    assert server.count("/robots.txt") == 0


def test_crawl_delay_spaces_requests_to_one_host(server: FixtureServer) -> None:
    server.robots_txt = ROBOTS  # Crawl-delay: 0.3
    run = Run(config(per_host_delay_seconds=0.0))

    async def body(f: Fetcher) -> None:
        await asyncio.gather(*(f.fetch(server.url("/article.html")) for _ in range(4)))

    run(body)
    times = server.times_for("/article.html")
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(gaps) == 3, gaps
    assert min(gaps) >= 0.25, gaps


def test_per_host_delay_spaces_requests_without_robots(server: FixtureServer) -> None:
    run = Run(config(per_host_delay_seconds=0.2))
    run(lambda f: asyncio.gather(*(f.fetch(server.url("/article.html")) for _ in range(3))))
    times = server.times_for("/article.html")
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.15


def test_per_host_concurrency_is_never_exceeded(server: FixtureServer) -> None:
    run = Run(config(per_host_concurrency=2))
    url = server.url("/delay?seconds=0.2")
    run(lambda f: asyncio.gather(*(f.fetch(url) for _ in range(6))))
    assert server.count("/delay") == 6
    assert server.max_in_flight == 2


def test_global_concurrency_caps_all_hosts(server: FixtureServer) -> None:
    run = Run(config(per_host_concurrency=4, global_concurrency=1, respect_robots=False))
    port = server.base.rsplit(":", 1)[1]
    urls = [f"http://127.0.0.1:{port}/delay?seconds=0.1", f"http://localhost:{port}/delay"]
    run(lambda f: asyncio.gather(*(f.fetch(u) for u in urls * 2)))
    assert server.count("/delay") == 4
    assert server.max_in_flight == 1


def test_moved_page_names_its_canonical(server: FixtureServer) -> None:
    result = Run().fetch(server.url("/moved-canonical.html"))
    html = result.body.decode("utf-8")
    assert canonical_from_html(html, result.final_url) == server.url("/article.html")


# --- robots cache, unit level ------------------------------------------------------


def _robots_cache(answers: list[FetchResult | MinewatchError], **kw: float) -> RobotsCache:
    async def fetch(url: str) -> FetchResult:
        answer = answers.pop(0)
        if isinstance(answer, MinewatchError):
            raise answer
        return answer

    return RobotsCache(fetch, **kw)


def _robots_body(text: str) -> FetchResult:
    return FetchResult(
        "http://s.example/robots.txt", "http://s.example/robots.txt", 200, text.encode()
    )


def test_robots_cache_rules_and_crawl_delay() -> None:
    cache = _robots_cache([_robots_body(ROBOTS)])

    async def main() -> tuple[bool, bool]:
        ok = await cache.allowed("http://s.example/a", "minewatch/0.1")
        private = await cache.allowed("http://s.example/private/b", "minewatch/0.1")
        return ok, private

    assert asyncio.run(main()) == (True, False)
    assert cache.crawl_delay("http://s.example/x", "minewatch/0.1") == 0.3
    assert cache.crawl_delay("http://other.example/x", "minewatch/0.1") is None


def test_robots_server_error_allows_but_is_refetched_soon() -> None:
    answers: list[FetchResult | MinewatchError] = [
        ServerError("HTTP 503"),
        _robots_body("User-agent: *\nDisallow: /\n"),
    ]
    cache = _robots_cache(answers, retry_seconds=0.0)

    async def main() -> list[bool]:
        return [await cache.allowed("http://s.example/a", "bot") for _ in range(2)]

    assert asyncio.run(main()) == [True, False]


def test_robots_not_found_allows_everything_for_the_ttl() -> None:
    answers: list[FetchResult | MinewatchError] = [FetchRejected("HTTP 404")]
    cache = _robots_cache(answers)

    async def main() -> list[bool]:
        return [await cache.allowed(f"http://s.example/{i}", "bot") for i in range(3)]

    assert asyncio.run(main()) == [True, True, True]
    assert answers == []
