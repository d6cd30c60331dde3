"""Discovery over every fixture kind, parsed from bytes (no network)."""

from __future__ import annotations

import datetime as dt
import gzip
import time

import pytest

from pipeline.config import parse_config
from pipeline.errors import ConfigError, FetchRejected
from pipeline.fetching.discover import Discovery, discover, parse_date
from tests.conftest import FIXTURES

FEEDS = FIXTURES / "feeds"
BASE = "http://127.0.0.1:8000"
MBN = f"{BASE}/pages/mbn-2026-01-15-mexico-joins-global-effort.html"
MND = f"{BASE}/pages/mnd-2026-02-12-critical-mineral-production.html"


def body(name: str) -> bytes:
    return (FEEDS / name).read_bytes().replace(b"{base}", BASE.encode())


def run(kind: str, name: str, pattern: str | None = None) -> Discovery:
    url = f"{BASE}/feeds/{name}"
    return discover(kind, body(name), url, "fixture", link_pattern=pattern)  # type: ignore[arg-type]


def test_rss_links_are_canonical_deduplicated_and_dated() -> None:
    found = run("feed", "rss.xml")
    assert [link.url for link in found.links] == [MND, MBN]
    assert found.links[0].title == "Mexico Critical Mineral Production Draws US Strategic Interest"
    assert found.links[0].published == dt.date(2026, 2, 12)
    # 23:25 -0600 is the next day in UTC; the date is the one the publisher wrote
    assert found.links[1].published == dt.date(2026, 1, 15)
    assert all(link.source == "fixture" for link in found.links)
    assert found.children == ()


def test_atom_uses_alternate_links_and_plain_titles() -> None:
    found = run("feed", "atom.xml")
    assert [link.url for link in found.links] == [MND, MBN]
    assert found.links[0].title == "Mexico critical mineral production draws US strategic interest"
    assert found.links[0].published == dt.date(2026, 2, 12)
    assert found.links[1].published == dt.date(2026, 1, 15)


def test_json_feed_resolves_relative_urls() -> None:
    found = run("feed", "feed.json")
    assert [link.url for link in found.links] == [MBN, MND]
    assert [link.published for link in found.links] == [dt.date(2026, 1, 15), dt.date(2026, 2, 12)]


def test_news_sitemap_reads_publication_date_title_and_lastmod() -> None:
    found = run("sitemap", "news-sitemap.xml")
    assert [link.url for link in found.links] == [MBN, MND]
    assert found.links[0].title == "Mexico Joins Global Effort to Strengthen Mineral Supply Chains"
    assert found.links[0].published == dt.date(2026, 1, 15)
    assert found.links[1].title is None
    assert found.links[1].published == dt.date(2026, 2, 12)


def test_sitemap_index_returns_children_to_fetch() -> None:
    found = run("sitemap", "sitemap-index.xml")
    assert found.links == ()
    assert found.children == (
        f"{BASE}/feeds/news-sitemap.xml",
        f"{BASE}/feeds/pages-sitemap.xml",
    )


def test_gzipped_sitemap_is_inflated() -> None:
    found = discover("sitemap", gzip.compress(body("pages-sitemap.xml")), BASE, "fixture")
    assert [link.url for link in found.links] == [
        f"{BASE}/pages/hardcase-common-words.html",
        f"{BASE}/pages/spanish-article.html",
    ]


def test_listing_keeps_matching_links_in_page_order() -> None:
    found = run("listing", "listing.html", pattern=r"/pages/(mbn|mnd)-")
    assert [link.url for link in found.links] == [MND, MBN]
    assert found.links[1].title == "Mexico Joins Global Effort to Strengthen Mineral Supply Chains"


def test_listing_pattern_sees_absolute_urls() -> None:
    found = run("listing", "listing.html", pattern=r"^https://elsewhere\.example/")
    assert [link.url for link in found.links] == ["https://elsewhere.example/pages/other.html"]


def test_listing_needs_a_pattern() -> None:
    with pytest.raises(FetchRejected, match="link_pattern"):
        run("listing", "listing.html")


def test_url_source_is_its_own_link() -> None:
    found = discover("url", b"", f"{BASE}/pages/x.html?utm_source=a", "fixture")
    assert [link.url for link in found.links] == [f"{BASE}/pages/x.html"]


def test_latin1_feed_titles_decode() -> None:
    found = run("feed", "latin1.xml")
    assert [link.title for link in found.links] == [
        "México y Estados Unidos revisan la cadena de suministro de litio, cobre y plata",
        "Señales de inversión en la minería del norte",
    ]
    assert found.links[0].published == dt.date(2026, 5, 6)


@pytest.mark.parametrize("kind", ["feed", "sitemap"])
def test_entity_bomb_is_refused_fast(kind: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchRejected, match="DTD or entities"):
        run(kind, "entity-bomb.xml")
    assert time.monotonic() - started < 1.0


def test_entity_bomb_in_broken_xml_is_still_refused() -> None:
    broken = body("entity-bomb.xml").replace(b"</rss>", b"")
    with pytest.raises(FetchRejected, match="DTD or entities"):
        discover("feed", broken, BASE, "fixture")


def test_malformed_sitemap_is_refused_in_one_line() -> None:
    with pytest.raises(FetchRejected, match="not well-formed XML") as caught:
        run("sitemap", "malformed-sitemap.xml")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("kind", "data", "reason"),
    [
        ("sitemap", b"<html><body>hi</body></html>", "not a sitemap: root element is <html>"),
        ("feed", b"{not json", "not a valid JSON Feed"),
        ("feed", b'{"version": "x"}', "no 'items' list"),
        ("feed", b"\x89PNG\r\n\x1a\nbinary", "not a valid feed"),
        ("sitemap", b"\x1f\x8bnot really gzip", "bad gzip data"),
    ],
)
def test_bad_bodies_are_refused(kind: str, data: bytes, reason: str) -> None:
    with pytest.raises(FetchRejected, match=reason):
        discover(kind, data, BASE, "fixture")  # type: ignore[arg-type]


def test_feed_with_undeclared_html_entity_still_parses() -> None:
    data = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        b"<item><title>Copper&nbsp;prices</title><link>https://example.com/a</link></item>"
        b"</channel></rss>"
    )
    found = discover("feed", data, BASE, "fixture")
    assert [link.url for link in found.links] == ["https://example.com/a"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-15", dt.date(2026, 1, 15)),
        ("2026-01-15T23:30:00-06:00", dt.date(2026, 1, 15)),
        ("2026-01-15T08:25:00Z", dt.date(2026, 1, 15)),
        ("Thu, 15 Jan 2026 23:25:00 -0600", dt.date(2026, 1, 15)),
        ("2026-01-15 garbage", dt.date(2026, 1, 15)),
        ("yesterday", None),
        ("", None),
    ],
)
def test_parse_date(value: str, expected: dt.date | None) -> None:
    assert parse_date(value) == expected


# --- source configuration (what discovery is given) -------------------------------

SOURCE = {"name": "mnd", "kind": "feed", "url": "https://mexiconewsdaily.com/feed/"}


def _config_error(source: dict[str, object]) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config({"nlp": {"model": "blank"}, "sources": [source]})
    return str(caught.value)


def test_sources_load_with_defaults_and_both_schedule_forms() -> None:
    cron = SOURCE | {"name": "b", "schedule": {"cron": "*/30 6-22 * * 1-5"}}
    listing = SOURCE | {"name": "c", "kind": "listing", "link_pattern": r"/\d{4}/\d{2}/"}
    config = parse_config({"nlp": {"model": "blank"}, "sources": [SOURCE, cron, listing]})
    first, second, third = config.sources
    assert first.schedule.every_minutes == 60
    assert first.schedule.cron is None
    assert first.enabled
    assert second.schedule.cron == "*/30 6-22 * * 1-5"
    assert second.schedule.every_minutes is None
    assert third.link_pattern == r"/\d{4}/\d{2}/"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"url": "ftp://x.example/feed"}, "sources.0.url: 'ftp://x.example/feed' is not an http"),
        ({"name": "Mexico News"}, "sources.0.name: 'Mexico News' is not a valid source name"),
        ({"kind": "blog"}, "sources.0.kind: Input should be 'feed', 'sitemap', 'listing'"),
        ({"schedule": {"cron": "61 * * * *"}}, "sources.0.schedule.cron: invalid crontab"),
        ({"schedule": {"cron": "* * *"}}, "sources.0.schedule.cron: '* * *' is not a 5-field"),
        ({"schedule": {"every_minutes": 0}}, "sources.0.schedule.every_minutes: Input should be"),
        ({"schedule": {}}, "sources.0.schedule: give exactly one of every_minutes or cron"),
        ({"link_pattern": "/news/"}, "sources.0: link_pattern applies only to listing sources"),
        ({"kind": "listing"}, "sources.0: a listing source needs link_pattern"),
        ({"kind": "listing", "link_pattern": "(["}, "sources.0.link_pattern: invalid regular"),
        ({"expected_cadence_hours": -1}, "sources.0.expected_cadence_hours: Input should be"),
        ({"every_minutes": 5}, "sources.0.every_minutes: unknown key"),
    ],
)
def test_bad_sources_name_the_key_path(change: dict[str, object], message: str) -> None:
    assert message in _config_error(SOURCE | change)


def test_duplicate_source_names_are_refused() -> None:
    with pytest.raises(ConfigError, match="sources: duplicate source name 'mnd'"):
        parse_config({"nlp": {"model": "blank"}, "sources": [SOURCE, SOURCE]})
