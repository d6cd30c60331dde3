"""Hostile bodies: arbitrary bytes, and documents built around arbitrary URLs, given to
discovery (feed, sitemap, sitemap index, listing page) and to extraction (a page with
arbitrary ``<base>``, canonical and link URLs): nothing but minewatch's own errors
comes out.

``make test`` runs ``HOSTILE_EXAMPLES`` examples per test (default 60); a longer run::

    MINEWATCH_HOSTILE_EXAMPLES=3000 .venv/bin/pytest tests/pipeline/fetching/test_hostile_bodies.py
"""

from __future__ import annotations

import json
import os
from contextlib import suppress
from typing import get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.article import extract_article
from pipeline.config import ExtractionConfig
from pipeline.errors import MinewatchError
from pipeline.fetching.discover import DiscoveryKind, discover
from pipeline.fetching.pages import page_from_fetch
from pipeline.records import FetchResult, Validators

EXAMPLES = int(os.environ.get("MINEWATCH_HOSTILE_EXAMPLES", "60"))
HOSTILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
BASE = "http://news.example/section/"
NASTY_URLS = [
    "http://[oops",
    "http://[::1",
    "http://host:99999/a",
    "http://host:-1/",
    "https://[::127.0.0.1]/x",
    "http://h\x00st/",
    "javascript:alert(1)",
    "//evil.example/a",
    "http://%zz/",
    "http://a b/",
    "",
    " ",
    "\x1b[31mred",
    "http://xn--/",
    "http://" + "a" * 300 + ".example/",
]
URLS = st.one_of(st.sampled_from(NASTY_URLS), st.text(max_size=40), st.just(BASE + "ok.html"))
TEXT = st.text(max_size=60)


def _esc(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


@st.composite
def rss(draw: st.DrawFn) -> bytes:
    items = draw(st.lists(st.tuples(URLS, TEXT, TEXT), max_size=4))
    body = "".join(
        f"<item><title>{_esc(t)}</title><link>{_esc(u)}</link><pubDate>{_esc(d)}</pubDate></item>"
        for u, t, d in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{body}</channel></rss>'.encode()


@st.composite
def json_feed(draw: st.DrawFn) -> bytes:
    items = draw(st.lists(st.tuples(URLS, TEXT, TEXT), max_size=4))
    body = [{"url": u, "title": t, "date_published": d} for u, t, d in items]
    return json.dumps({"items": body}).encode()


@st.composite
def sitemap(draw: st.DrawFn) -> bytes:
    index = draw(st.booleans())
    urls = draw(st.lists(URLS, max_size=4))
    tag, root = ("sitemap", "sitemapindex") if index else ("url", "urlset")
    body = "".join(f"<{tag}><loc>{_esc(u)}</loc></{tag}>" for u in urls)
    ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    return f'<?xml version="1.0"?><{root} xmlns="{ns}">{body}</{root}>'.encode()


@st.composite
def html_page(draw: st.DrawFn) -> bytes:
    base, canonical, og = draw(URLS), draw(URLS), draw(URLS)
    links = draw(st.lists(URLS, max_size=4))
    text = draw(st.text(max_size=200))
    anchors = "".join(f'<a href="{_esc(u)}">{_esc(text[:10])}</a>' for u in links)
    return (
        f'<html><head><base href="{_esc(base)}"><link rel="canonical" href="{_esc(canonical)}">'
        f'<meta property="og:url" content="{_esc(og)}"></head>'
        f"<body><article><p>{_esc(text)}</p>{anchors}</article></body></html>"
    ).encode("utf-8", "surrogatepass")


def _discover_only_minewatch_errors(kind: str, body: bytes) -> None:
    assert kind in get_args(DiscoveryKind)
    with suppress(MinewatchError):
        discover(kind, body, BASE, "hostile", r"." if kind == "listing" else None)  # type: ignore[arg-type]


def _extract_only_minewatch_errors(body: bytes) -> None:
    result = FetchResult(
        url=BASE + "p.html",
        final_url=BASE + "p.html",
        status=200,
        body=body,
        content_type="text/html",
        validators=Validators(),
    )
    try:
        page = page_from_fetch(BASE + "p.html", result)
        extract_article(page, ExtractionConfig(min_text_chars=1))
    except MinewatchError:
        pass


KINDS = ["feed", "sitemap", "listing"]


@HOSTILE
@given(kind=st.sampled_from(KINDS), body=st.binary(max_size=2000))
def test_arbitrary_bytes_give_links_or_a_minewatch_error(kind: str, body: bytes) -> None:
    _discover_only_minewatch_errors(kind, body)


@HOSTILE
@given(body=st.one_of(rss(), json_feed()))
def test_feeds_with_arbitrary_urls_give_links_or_a_minewatch_error(body: bytes) -> None:
    _discover_only_minewatch_errors("feed", body)


@HOSTILE
@given(body=sitemap())
def test_sitemaps_and_indexes_with_arbitrary_locs(body: bytes) -> None:
    _discover_only_minewatch_errors("sitemap", body)


@HOSTILE
@given(body=html_page())
def test_listing_pages_with_arbitrary_base_and_links(body: bytes) -> None:
    _discover_only_minewatch_errors("listing", body)


@HOSTILE
@given(body=st.one_of(html_page(), st.binary(max_size=2000)))
def test_pages_with_arbitrary_base_canonical_and_bytes_extract_or_fail_cleanly(
    body: bytes,
) -> None:
    _extract_only_minewatch_errors(body)


@pytest.mark.parametrize("url", NASTY_URLS)
def test_every_nasty_url_in_every_place(url: str) -> None:
    for body in (
        f'<rss version="2.0"><channel><item><link>{_esc(url)}</link></item></channel></rss>',
        json.dumps({"items": [{"url": url}]}),
    ):
        _discover_only_minewatch_errors("feed", body.encode())
    for root, tag in (("urlset", "url"), ("sitemapindex", "sitemap")):
        xml = f"<{root}><{tag}><loc>{_esc(url)}</loc></{tag}></{root}>"
        _discover_only_minewatch_errors("sitemap", xml.encode())
    quoted = _esc(url)
    page = f'<base href="{quoted}"><a href="{quoted}">x</a><link rel=canonical href="{quoted}">'
    _discover_only_minewatch_errors("listing", page.encode())
    _extract_only_minewatch_errors(page.encode())


def test_a_json_feed_nested_200000_deep_is_one_clean_refusal() -> None:
    body = b'{"items": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    with pytest.raises(MinewatchError, match="nested too deep"):
        discover("feed", body, BASE, "deep")
