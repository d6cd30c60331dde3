"""Discovery: the article URLs a feed, sitemap or listing page points to.

``discover(kind, body, base_url, source_name)`` reads a body the fetcher already
fetched and returns a :class:`Discovery`: canonical article links (with title and
publication date where the source gives them) and, for a sitemap index, the child
sitemaps the caller fetches next. It does no I/O, so it is easy to test and safe
to call on hostile input:

- every XML body is first parsed with defusedxml, which refuses DTDs and entity
  declarations, so feedparser (which expands entities) never sees an entity bomb;
- gzipped sitemaps are inflated with a cap, so a zip bomb cannot exhaust memory;
- a URL that cannot be parsed (``http://[oops``, port 99999) in an ``<a href>``, a
  ``<base href>``, a ``<loc>`` or a feed item is skipped, never raised: one bad link
  costs that link, not the source;
- bad input raises :class:`FetchRejected` with a one-line reason (a JSON Feed nested
  too deep to parse included). Nothing else comes out: ``tests/pipeline/fetching/
  test_hostile_bodies.py`` feeds arbitrary bytes to every kind with Hypothesis.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Literal
from urllib.parse import urljoin
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_xml
import feedparser
from defusedxml import DefusedXmlException

from pipeline.errors import FetchRejected, InputRejected
from pipeline.fetching.inputs import decode
from pipeline.fetching.urls import canonical_url, is_http_url
from pipeline.records import DiscoveredLink

DiscoveryKind = Literal["feed", "sitemap", "listing", "url"]
MAX_INFLATED_BYTES = 50_000_000  # the sitemap protocol's own limit for one file
_BOMB = "feed declares a DTD or entities (possible entity bomb)"
_TAG = re.compile(r"<[^>]*>")
_DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class Discovery:
    """What one source body points to: article links, and child sitemaps to fetch."""

    links: tuple[DiscoveredLink, ...] = ()
    children: tuple[str, ...] = ()


def discover(
    kind: DiscoveryKind,
    body: bytes,
    base_url: str,
    source_name: str,
    link_pattern: str | None = None,
) -> Discovery:
    """Parse a fetched source body into links; see the module docstring."""
    if kind == "url":
        return Discovery(links=(DiscoveredLink(url=canonical_url(base_url), source=source_name),))
    if kind == "feed":
        return Discovery(links=_dedupe(_feed_links(body, base_url, source_name)))
    if kind == "sitemap":
        return _sitemap(body, base_url, source_name)
    if link_pattern is None:
        raise FetchRejected("a listing source needs a link_pattern")
    return Discovery(links=_dedupe(_listing_links(body, base_url, source_name, link_pattern)))


# --- feeds -------------------------------------------------------------------------


def _feed_links(body: bytes, base_url: str, source: str) -> Iterator[DiscoveredLink]:
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        yield from _json_feed_links(stripped, base_url, source)
        return
    _check_xml_is_safe(body)
    parsed = feedparser.parse(body, response_headers={"content-location": base_url})
    entries = list(parsed.entries)
    if parsed.bozo and not entries and not parsed.feed:
        raise FetchRejected(f"not a valid feed: {_one_line(parsed.get('bozo_exception'))}")
    for entry in entries:
        link = _link(entry.get("link"), base_url, source, entry.get("title"))
        if link is not None:
            yield _with_date(link, _feed_entry_date(entry))


def _check_xml_is_safe(body: bytes) -> None:
    """Refuse DTDs and entities before feedparser sees the document.

    A document that is not well-formed but declares no DTD goes on to feedparser's
    lenient parser (real feeds often use undeclared HTML entities such as ``&nbsp;``);
    one that is not well-formed and contains a DTD or entity declaration is refused.
    """
    try:
        safe_xml.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise FetchRejected(_BOMB) from None
    except ParseError:
        if _DOCTYPE.search(body):
            raise FetchRejected(_BOMB) from None


def _feed_entry_date(entry: feedparser.FeedParserDict) -> dt.date | None:
    """The date as the publisher wrote it (local), not feedparser's UTC conversion."""
    for key in ("published", "updated", "created"):
        value = dict.get(entry, key)  # not feedparser's deprecated updated->published alias
        if isinstance(value, str) and (date := parse_date(value)) is not None:
            return date
    for key in ("published_parsed", "updated_parsed"):
        parsed = dict.get(entry, key)
        if parsed is not None:
            return dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
    return None


def _json_feed_links(body: bytes, base_url: str, source: str) -> Iterator[DiscoveredLink]:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FetchRejected(f"not a valid JSON Feed: {_one_line(exc)}") from None
    except RecursionError:
        raise FetchRejected("not a valid JSON Feed: nested too deep to parse") from None
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise FetchRejected("not a valid JSON Feed: no 'items' list")
    for item in items:
        if not isinstance(item, dict):
            continue
        url = item.get("url") or item.get("external_url")
        link = _link(url, base_url, source, item.get("title"))
        if link is not None:
            published = item.get("date_published") or item.get("date_modified")
            yield _with_date(link, parse_date(published) if isinstance(published, str) else None)


# --- sitemaps ----------------------------------------------------------------------


def _sitemap(body: bytes, base_url: str, source: str) -> Discovery:
    root = _parse_xml(_inflate(body), "sitemap")
    kind = _local(root.tag)
    if kind == "sitemapindex":
        children = (_text(node, "loc") for node in root if _local(node.tag) == "sitemap")
        urls = (_join(base_url, c) for c in children if c)
        return Discovery(children=tuple(dict.fromkeys(u for u in urls if u and is_http_url(u))))
    if kind != "urlset":
        raise FetchRejected(f"not a sitemap: root element is <{kind}>, not <urlset>")
    links = (_sitemap_link(node, base_url, source) for node in root if _local(node.tag) == "url")
    return Discovery(links=_dedupe(link for link in links if link is not None))


def _sitemap_link(node: Element, base_url: str, source: str) -> DiscoveredLink | None:
    news = next((child for child in node if _local(child.tag) == "news"), None)
    title = _text(news, "title") if news is not None else None
    link = _link(_text(node, "loc"), base_url, source, title)
    if link is None:
        return None
    published = _text(news, "publication_date") if news is not None else None
    return _with_date(link, parse_date(published or _text(node, "lastmod") or ""))


def _inflate(body: bytes) -> bytes:
    """Gunzip a ``.xml.gz`` sitemap, refusing to inflate past MAX_INFLATED_BYTES."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        inflated = inflater.decompress(body, MAX_INFLATED_BYTES)
    except zlib.error as exc:
        raise FetchRejected(f"bad gzip data: {exc}") from None
    if inflater.unconsumed_tail:
        raise FetchRejected(f"gzipped sitemap inflates past {MAX_INFLATED_BYTES:,} bytes")
    return inflated


def _parse_xml(body: bytes, what: str) -> Element:
    try:
        root: Element = safe_xml.fromstring(
            body, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException:
        raise FetchRejected(f"{what} declares a DTD or entities (possible entity bomb)") from None
    except ParseError as exc:
        raise FetchRejected(f"{what} is not well-formed XML: {_one_line(exc)}") from None
    return root


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _text(node: Element | None, name: str) -> str | None:
    if node is None:
        return None
    for child in node:
        if _local(child.tag) == name and child.text and child.text.strip():
            return child.text.strip()
    return None


# --- listing pages -----------------------------------------------------------------


def _listing_links(
    body: bytes, base_url: str, source: str, pattern: str
) -> Iterator[DiscoveredLink]:
    anchors = _Anchors()
    anchors.feed(_decode_html(body))
    anchors.close()
    base = (_join(base_url, anchors.base) if anchors.base else None) or base_url
    regex = re.compile(pattern)
    for href, text in anchors.links:
        absolute = _join(base, href.strip())
        if absolute is not None and is_http_url(absolute) and regex.search(absolute):
            link = _link(absolute, base, source, text)
            if link is not None:
                yield link


def _decode_html(body: bytes) -> str:
    try:
        return decode(body, "html")
    except InputRejected:
        return body.decode("utf-8", errors="replace")


class _Anchors(HTMLParser):
    """Collects ``<a href>`` with the anchor's text, in page order, and ``<base href>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.base: str | None = None
        self._open: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "base" and self.base is None and href:
            self.base = href
        elif tag == "a":
            self._close_anchor()
            if href:
                self._open = (href, [])

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._close_anchor()

    def close(self) -> None:
        super().close()
        self._close_anchor()

    def _close_anchor(self) -> None:
        if self._open is not None:
            href, parts = self._open
            self.links.append((href, " ".join("".join(parts).split())))
            self._open = None


# --- shared ------------------------------------------------------------------------


def _link(url: object, base_url: str, source: str, title: object) -> DiscoveredLink | None:
    """A canonical link, or None when the entry has no usable http(s) URL."""
    if not isinstance(url, str) or not url.strip():
        return None
    absolute = _join(base_url, url.strip())
    if absolute is None or not is_http_url(absolute):
        return None
    try:
        canonical = canonical_url(absolute)
    except ValueError:
        return None
    clean_title = plain_text(title) if isinstance(title, str) else ""
    return DiscoveredLink(url=canonical, source=source, title=clean_title or None)


def _join(base: str, url: str) -> str | None:
    """``url`` resolved against ``base``; None when either cannot be parsed."""
    try:
        return urljoin(base, url)
    except ValueError:
        return None


def _with_date(link: DiscoveredLink, published: dt.date | None) -> DiscoveredLink:
    if published is None:
        return link
    return DiscoveredLink(url=link.url, source=link.source, title=link.title, published=published)


def _dedupe(links: Iterable[DiscoveredLink]) -> tuple[DiscoveredLink, ...]:
    """First occurrence wins, in document order."""
    seen: dict[str, DiscoveredLink] = {}
    for link in links:
        seen.setdefault(link.url, link)
    return tuple(seen.values())


def parse_date(value: str) -> dt.date | None:
    """The calendar date of an ISO 8601 / W3C or RFC 822 date, as written (no UTC shift)."""
    text = value.strip()
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def plain_text(markup: str) -> str:
    """Tags stripped, entities decoded and whitespace collapsed: Atom and RSS titles
    may carry escaped HTML (``type="html"``)."""
    return " ".join(html.unescape(_TAG.sub("", markup)).split())


def _one_line(exc: object) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
