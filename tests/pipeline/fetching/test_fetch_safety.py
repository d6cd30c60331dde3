"""Where the fetcher may connect, on both ways in: the Fetcher of poll and run, and the
synchronous ``fetch_page`` of ``analyze URL``, ``ingest URL`` and ``run.inputs``.

A public first hop is simulated on loopback (see conftest.py): ``news.example`` is
the server on 127.0.0.2, which the test policy counts as public; the internal server
on 127.0.0.1 must count zero hits whatever the public server redirects to. The
``loopback_only`` guard fails any test that connects outside loopback.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Literal
from urllib.parse import quote

import pytest

from pipeline.config import FetchConfig
from pipeline.errors import FetchRejected
from pipeline.fetching.fetcher import Fetcher
from pipeline.fetching.one_url import fetch_page
from pipeline.fetching.transport import VettingTransport
from tests.conftest import FIXTURES
from tests.fixture_server import FixtureServer, serve_fixtures
from tests.pipeline.fetching.conftest import (
    INTERNAL_IP,
    PUBLIC_IP,
    Certificate,
    FakeDns,
    news_url,
    public_on_loopback,
)

Way = Literal["fetcher", "fetch_page"]
WAYS: tuple[Way, ...] = ("fetcher", "fetch_page")
INTERNAL_TARGETS = (
    "http://127.0.0.1:{port}/article.html",
    "http://[::1]:{port}/article.html",
    "http://0.0.0.0:{port}/article.html",
    "http://2130706433:{port}/article.html",
    "http://0177.0.0.1:{port}/article.html",
    "http://0x7f.1:{port}/article.html",
    "http://127.1:{port}/article.html",
    "http://[::ffff:127.0.0.1]:{port}/article.html",
    "http://[::127.0.0.1]:{port}/article.html",
    "http://[64:ff9b::7f00:1]:{port}/article.html",
    "http://[2002:7f00:1::]:{port}/article.html",
    "http://localhost:{port}/article.html",
    "http://localhost.:{port}/article.html",
    "http://intranet.example:{port}/article.html",  # a name that resolves inside
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.0.1/",
    "http://[fd00::1]/",
    "http://[fe80::1]/",
    "file:///etc/passwd",
    "gopher://127.0.0.1:{port}/_GET%20/article.html",
)


def strict(**overrides: object) -> FetchConfig:
    settings: dict[str, object] = {
        "allow_private_addresses": False,
        "timeout_seconds": 0.5,
        "per_host_delay_seconds": 0.0,
        "backoff_seconds": 0.01,
        "max_retries": 0,
    }
    return FetchConfig.model_validate(settings | overrides)


def fetch_via(
    way: Way,
    url: str,
    dns: FakeDns,
    config: FetchConfig,
    ssl_context: ssl.SSLContext | None = None,
) -> str:
    """Fetch ``url`` one way or the other; the final URL (the page's key for fetch_page)."""
    transport = None
    if ssl_context is not None:
        transport = VettingTransport(dns, public_on_loopback, ssl_context=ssl_context)
    if way == "fetch_page":
        page = fetch_page(
            url, config, 100_000, resolver=dns, policy=public_on_loopback, transport=transport
        )
        return page.url or ""

    async def main() -> str:
        async with Fetcher(
            config,
            max_bytes=100_000,
            resolver=dns,
            policy=public_on_loopback,
            transport=transport,
        ) as fetcher:
            return (await fetcher.fetch(url)).final_url

    return asyncio.run(main())


def port_of(server: FixtureServer) -> str:
    return server.base.rsplit(":", 1)[1]


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("target", INTERNAL_TARGETS)
def test_redirects_to_internal_forms_are_refused(
    way: Way, target: str, public: FixtureServer, internal: FixtureServer, dns: FakeDns
) -> None:
    target = target.format(port=port_of(internal))
    url = news_url(public, f"/redirect-to?url={quote(target, safe='')}")
    with pytest.raises(FetchRejected, match=r"refused|not an http"):
        fetch_via(way, url, dns, strict())
    assert public.count("/redirect-to") == 1
    assert internal.requests == []


@pytest.mark.parametrize("way", WAYS)
def test_a_name_that_resolves_inside_is_refused_as_the_first_hop(
    way: Way, public: FixtureServer, internal: FixtureServer, dns: FakeDns
) -> None:
    url = news_url(internal, "/article.html", host="intranet.example")
    with pytest.raises(FetchRejected, match=r"refused internal address 127\.0\.0\.1"):
        fetch_via(way, url, dns, strict())
    assert internal.requests == []


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("path", ["/redirect-to-page", "/error500"])
def test_a_rebinding_name_never_reaches_the_internal_server(
    way: Way, path: str, public: FixtureServer, internal: FixtureServer, dns: FakeDns
) -> None:
    """First answer public, every later one internal: the second connection (the
    redirect's next hop, or the retry) resolves again and is refused."""
    dns.answers["rebind.example"] = [PUBLIC_IP, INTERNAL_IP]
    url = news_url(public, path, host="rebind.example")
    with pytest.raises(FetchRejected, match=r"refused internal address 127\.0\.0\.1"):
        fetch_via(way, url, dns, strict(respect_robots=False, max_retries=1))
    assert public.count(path) == 1
    assert dns.asked.count("rebind.example") == 2
    assert internal.requests == []


@pytest.mark.parametrize("way", WAYS)
def test_the_vetted_ip_is_used_and_the_host_header_keeps_the_name(
    way: Way, public: FixtureServer, internal: FixtureServer, dns: FakeDns
) -> None:
    url = news_url(public, "/article.html")
    assert fetch_via(way, url, dns, strict()) == url
    assert public.headers_for("/article.html")[0]["host"] == f"news.example:{port_of(public)}"
    assert dns.asked.count("news.example") == 2  # robots.txt, then the page
    assert internal.requests == []


@pytest.mark.parametrize("way", WAYS)
def test_tls_checks_the_host_name_while_connecting_to_the_ip(
    way: Way, certificate: Certificate, dns: FakeDns
) -> None:
    names: list[str | None] = []
    context = certificate.server_context()
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    with serve_fixtures(FIXTURES, host=str(PUBLIC_IP), tls=context) as server:
        url = news_url(server, "/article.html")
        config = strict(respect_robots=False)
        assert fetch_via(way, url, dns, config, certificate.client_context()) == url
    assert names == ["news.example"]


def test_allow_private_addresses_still_allows_everything(internal: FixtureServer) -> None:
    config = strict(allow_private_addresses=True)
    for url in (internal.url("/article.html"), news_url(internal, "/article.html", "localhost")):
        page = fetch_page(url, config, 100_000)
        assert "Lithium output rises" in page.content
