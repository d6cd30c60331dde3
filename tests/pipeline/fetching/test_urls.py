"""URL canonicalization: the article key must not depend on how a link was spelled."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.fetching.urls import canonical_from_html, canonical_url, is_http_url, site_of


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM/a", "http://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a#section-2", "https://example.com/a"),
        ("https://example.com/a?utm_source=rss&utm_medium=feed", "https://example.com/a"),
        ("https://example.com/a?UTM_Campaign=x&id=7", "https://example.com/a?id=7"),
        ("https://example.com/a?fbclid=IwAR0&gclid=1&mc_cid=2&mc_eid=3", "https://example.com/a"),
        ("https://example.com/a?ref=home&cmpid=rss&id=1", "https://example.com/a?id=1"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com/a?a=2&a=1", "https://example.com/a?a=1&a=2"),
        ("https://example.com/a?id=3&b=2", "https://example.com/a?b=2&id=3"),
        ("https://example.com//news///2026//a", "https://example.com/news/2026/a"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com/a/b/..", "https://example.com/a/"),
        ("https://example.com/news/", "https://example.com/news/"),
        ("https://example.com/news", "https://example.com/news"),
        ("https://example.com/%7efoo", "https://example.com/~foo"),
        ("https://example.com/a%2fb", "https://example.com/a%2Fb"),
        ("https://example.com/s?q=a+b", "https://example.com/s?q=a%20b"),
        ("https://user:secret@example.com/a", "https://example.com/a"),
        ("https://example.com./a", "https://example.com/a"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("https://Example.com/Path/Case", "https://example.com/Path/Case"),
        ("https://example.com/a?utm_source=x#top", "https://example.com/a"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    "url", ["/relative/path", "mailto:desk@example.com", "javascript:void(0)", "ftp://x.com/a", ""]
)
def test_canonical_url_refuses_non_http(url: str) -> None:
    assert not is_http_url(url)
    with pytest.raises(ValueError, match="not an absolute http"):
        canonical_url(url)


def test_same_article_spelled_differently_is_one_key() -> None:
    spellings = [
        "https://www.mexiconewsdaily.com/business/x/?utm_source=rss",
        "HTTPS://WWW.MEXICONEWSDAILY.COM:443/business//x/#comments",
        "https://www.mexiconewsdaily.com/business/x/?fbclid=abc",
    ]
    assert len({canonical_url(u) for u in spellings}) == 1


_segment = st.text(alphabet="abcXYZ019-_.~%/", max_size=12)
_param = st.tuples(st.sampled_from(["id", "b", "utm_source", "ref", "q"]), _segment)


@given(path=_segment, params=st.lists(_param, max_size=4))
def test_canonical_url_is_idempotent(path: str, params: list[tuple[str, str]]) -> None:
    query = "&".join(f"{k}={v}" for k, v in params)
    once = canonical_url(f"https://Example.com/{path}?{query}#f")
    assert canonical_url(once) == once


def test_site_of_uses_the_registered_domain() -> None:
    assert site_of("https://www.bbc.co.uk/news") == "bbc.co.uk"
    assert site_of("https://feeds.bbc.co.uk/x") == "bbc.co.uk"
    assert site_of("http://127.0.0.1:8000/a") == "127.0.0.1"
    assert site_of("https://news.site.example/a") == "news.site.example"


PAGE = "https://www.example.com/news/2026/story?utm_source=x"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<link rel="canonical" href="https://www.example.com/news/story">', "/news/story"),
        ('<link rel="canonical" href="/news/story?utm_medium=x">', "/news/story"),
        ('<link rel="Canonical" href="story-b">', "/news/2026/story-b"),
        ('<link rel="alternate canonical" href="/c">', "/c"),
        ('<meta property="og:url" content="https://www.example.com/og">', "/og"),
        ('<link rel="canonical" href="/first"><meta property="og:url" content="/og">', "/first"),
        ('<base href="https://www.example.com/base/"><link rel="canonical" href="x">', "/base/x"),
    ],
)
def test_canonical_from_html_same_site(head: str, expected: str) -> None:
    html = f"<html><head>{head}</head><body></body></html>"
    assert canonical_from_html(html, PAGE) == "https://www.example.com" + expected


def test_canonical_on_another_host_of_the_same_site_is_honoured() -> None:
    html = '<link rel="canonical" href="https://example.com/amp-free/story">'
    assert canonical_from_html(html, PAGE) == "https://example.com/amp-free/story"


@pytest.mark.parametrize(
    "head",
    [
        "",
        '<link rel="canonical" href="https://other-site.com/story">',
        '<meta property="og:url" content="https://evil.example.net/x">',
        '<link rel="canonical" href="javascript:alert(1)">',
        '<link rel="canonical" href="ftp://www.example.com/story">',
        '<link rel="canonical" href="">',
        '<link rel="stylesheet" href="/style.css">',
    ],
)
def test_canonical_from_html_ignores_other_sites_and_non_http(head: str) -> None:
    assert canonical_from_html(f"<head>{head}</head>", PAGE) is None


def test_cross_site_canonical_falls_back_to_a_same_site_og_url() -> None:
    html = (
        '<link rel="canonical" href="https://original-publisher.com/x">'
        '<meta property="og:url" content="/syndicated/x">'
    )
    assert canonical_from_html(html, PAGE) == "https://www.example.com/syndicated/x"
