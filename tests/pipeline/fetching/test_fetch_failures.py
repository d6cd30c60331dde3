"""Hostile answers are one failure each, and the next input goes on: a server that
drips one byte at a time, a corrupt gzip body, a redirect to file://, a bad TLS
certificate. Checked on the Fetcher, on ``fetch_page`` and through ``minewatch
analyze`` with several inputs; and the article key is never a cross-site canonical.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from pipeline.cli.main import main
from pipeline.config import FetchConfig
from pipeline.errors import FetchRejected, FetchTimeout
from pipeline.fetching.fetcher import Fetcher
from pipeline.fetching.one_url import fetch_page
from pipeline.fetching.pages import page_from_fetch
from pipeline.records import FetchResult
from tests.conftest import FIXTURES, SEEDS
from tests.fixture_server import FixtureServer, serve_fixtures
from tests.pipeline.fetching.conftest import Certificate

GOOD_PAGE = f"/pages/{SEEDS[0]}.html"
GOOD_TITLE = "Mexico Joins Global Effort to Strengthen Mineral Supply Chains"
CROSS_SITE_HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Copper smelter restarts</title>
<link rel="canonical" href="https://victim.example/business/copper-smelter">
<meta property="og:url" content="https://victim.example/business/copper-smelter">
</head><body><article><h1>Copper smelter restarts</h1>
<p>A copper smelter in northern Chile restarted on Monday after a three-week stoppage,
the operator said, adding that concentrate deliveries from nearby mines had resumed.</p>
<p>The plant processes about 400,000 tonnes of concentrate a year and supplies cathode
to buyers in Asia and Europe, according to the company's most recent annual report.</p>
</article></body></html>"""


def loose(**overrides: object) -> FetchConfig:
    """Loopback allowed (these tests are about answers, not addresses); no retries."""
    settings: dict[str, object] = {
        "allow_private_addresses": True,
        "timeout_seconds": 0.5,
        "per_host_delay_seconds": 0.0,
        "max_retries": 0,
    }
    return FetchConfig.model_validate(settings | overrides)


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with serve_fixtures(FIXTURES) as state:
        state.set_body("/cross.html", CROSS_SITE_HTML.encode(), "text/html; charset=utf-8")
        yield state


@pytest.fixture
def tls_server(certificate: Certificate) -> Iterator[FixtureServer]:
    with serve_fixtures(FIXTURES, tls=certificate.server_context()) as state:
        yield state


def fetch_async(url: str, config: FetchConfig) -> FetchResult:
    async def run() -> FetchResult:
        async with Fetcher(config, max_bytes=100_000) as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(run())


# --- the deadline covers the body ---------------------------------------------------


@pytest.mark.parametrize("way", ["fetcher", "fetch_page"])
def test_a_drip_server_is_cut_at_the_total_deadline(way: str, server: FixtureServer) -> None:
    url = server.url("/drip")  # a byte every 0.3s: never a read timeout of 0.5s
    fetch = fetch_async if way == "fetcher" else lambda u, c: fetch_page(u, c, 100_000)
    started = time.monotonic()
    with pytest.raises(FetchTimeout, match=r"no complete answer within 1\.5s"):
        fetch(url, loose())
    assert 1.4 < time.monotonic() - started < 3.0


# --- every httpx error is mapped ------------------------------------------------------


def test_a_corrupt_gzip_body_is_a_terminal_failure(server: FixtureServer) -> None:
    with pytest.raises(FetchRejected, match="corrupt compressed body"):
        fetch_page(server.url("/corrupt-gzip"), loose(), 100_000)


@pytest.mark.parametrize("target", ["file:///etc/passwd", "gopher://127.0.0.1:70/_x"])
def test_a_redirect_to_another_scheme_is_refused(server: FixtureServer, target: str) -> None:
    with pytest.raises(FetchRejected, match="not an http"):
        fetch_page(server.url(f"/redirect-to?url={quote(target)}"), loose(), 100_000)


def test_a_bad_certificate_is_a_terminal_failure(tls_server: FixtureServer) -> None:
    with pytest.raises(FetchRejected, match="TLS certificate is not valid"):
        fetch_page(tls_server.url("/article.html"), loose(), 100_000)
    assert tls_server.requests == []  # the handshake failed: no request was sent


def test_a_url_httpx_refuses_is_a_terminal_failure() -> None:
    """urllib accepts this host; httpx raises InvalidURL (not an HTTPError) before any
    lookup or connection."""
    with pytest.raises(FetchRejected, match="not a valid URL"):
        fetch_page("http://\u2488.com/", loose(), 100_000)


def test_analyze_goes_on_after_each_hostile_answer(
    server: FixtureServer,
    tls_server: FixtureServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database: {{url: 'sqlite:///{tmp_path / 'mw.db'}'}}\n"
        "nlp: {model: blank}\n"
        "fetch: {allow_private_addresses: true, timeout_seconds: 0.5, max_retries: 0,"
        " per_host_delay_seconds: 0}\n",
        encoding="utf-8",
    )
    inputs = [
        server.url("/drip"),
        server.url("/corrupt-gzip"),
        server.url(f"/redirect-to?url={quote('file:///etc/passwd')}"),
        tls_server.url("/article.html"),
        server.url(GOOD_PAGE),
    ]
    code = main(["--config", str(config), "analyze", *inputs])
    out = capsys.readouterr().out
    objects = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert [o["source"] for o in objects] == inputs
    errors = [str(o.get("error")) for o in objects[:4]]
    assert "no complete answer within 1.5s" in errors[0]
    assert "corrupt compressed body" in errors[1]
    assert "not an http(s) URL" in errors[2]
    assert "TLS certificate is not valid" in errors[3]
    assert all(o.get("stage") == "read" for o in objects[:4])
    assert objects[4]["title"] == GOOD_TITLE
    assert code == 1


# --- the article key ------------------------------------------------------------------


def test_a_cross_site_canonical_never_becomes_the_key(server: FixtureServer) -> None:
    page = fetch_page(server.url("/cross.html"), loose(), 100_000)
    assert page.url == server.url("/cross.html")


def test_a_same_site_canonical_is_the_key(server: FixtureServer) -> None:
    page = fetch_page(server.url("/moved-canonical.html"), loose(), 100_000)
    assert page.url == server.url("/article.html")  # tracking parameter dropped


def test_analyze_keys_a_cross_site_canonical_page_by_its_own_url(
    server: FixtureServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """trafilatura reads the canonical link too; the page's decided URL wins."""
    config = tmp_path / "config.yaml"
    config.write_text(
        "nlp: {model: blank}\nfetch: {allow_private_addresses: true}\n", encoding="utf-8"
    )
    code = main(["--config", str(config), "analyze", server.url("/cross.html")])
    (obj,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    assert obj["url"] == server.url("/cross.html")
    assert code == 0


def _result(body: bytes, content_type: str, final_url: str) -> FetchResult:
    return FetchResult("http://a.example/x", final_url, 200, body, content_type)


@pytest.mark.parametrize(
    "canonical", ["http://[oops", "http://a.example:99999/x", "https://victim.example/x"]
)
def test_page_from_fetch_ignores_bad_and_foreign_canonicals(canonical: str) -> None:
    html = f'<html><head><link rel="canonical" href="{canonical}"></head><p>Hi</p></html>'
    final = "http://A.example/story?utm_source=feed"
    page = page_from_fetch("http://a.example/x", _result(html.encode(), "text/html", final))
    assert page.url == "http://a.example/story"
    assert page.source == "http://a.example/x"


def test_page_from_fetch_takes_plain_text_as_text() -> None:
    result = _result(b"Lithium output rose.", "text/plain; charset=utf-8", "http://a.example/n")
    page = page_from_fetch(result.url, result)
    assert (page.kind, page.content, page.url) == ("text", "Lithium output rose.", result.final_url)
