"""URL canonicalization: one article, one URL, whatever tracking junk a feed adds.

The canonical URL is the article's unique key in the store, so two spellings of
the same address must give the same string, and a different article must never
collapse onto another one. The rules, in order:

- the scheme and host are lowercased, a trailing dot on the host is dropped, and
  the port is dropped when it is the scheme's default; user:password@ is dropped;
- the path gets ``//`` runs collapsed, ``.``/``..`` segments resolved, percent
  escapes uppercased and unreserved characters decoded; an empty path is ``/``;
  a trailing slash is kept (``/a`` and ``/a/`` may be different pages);
- tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ``mc_cid``, ``ref``...)
  are dropped and the rest sorted, so parameter order does not matter;
- the fragment is dropped.

courlan's ``normalize_url(strict=True)`` was tried and rejected: it drops every
query parameter it does not know (``?id=3&b=2`` loses ``b``), which would merge
different articles of sites that put the article id in the query.
"""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

from tld import get_fld

_DEFAULT_PORTS = {"http": 80, "https": 443}
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "ref",
        "ref_src",
        "ref_url",
        "cmpid",
        "cmp",
        "ocid",
        "igshid",
        "s_cid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "spm",
        "share",
        "smid",
        "sr_share",
        "rss",
        "taid",
        "xtor",
        "__twitter_impression",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "at_medium", "at_campaign")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def is_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host and a valid port (if any)."""
    try:
        parts = urlsplit(url.strip())
        _ = parts.port  # raises ValueError for a port outside 0-65535
        return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.hostname)
    except ValueError:
        return False


def canonical_url(url: str) -> str:
    """The canonical form of an absolute http(s) URL (see the module docstring).

    Raises ValueError for anything else (relative, mailto:, javascript:, a bad port),
    so a caller never stores a key that is not a fetchable address.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    netloc = _netloc(scheme, parts.hostname, parts.port)
    return urlunsplit((scheme, netloc, _path(parts.path), _query(parts.query), ""))


def _netloc(scheme: str, hostname: str, port: int | None) -> str:
    host = hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal: urlsplit strips the brackets
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return host
    return f"{host}:{port}"


def _path(path: str) -> str:
    path = _normalize_escapes(re.sub(r"/{2,}", "/", path or "/"))
    if not path.startswith("/"):
        path = "/" + path
    trailing = path.endswith("/") or path.endswith("/.") or path.endswith("/..")
    resolved = posixpath.normpath(path)
    if resolved.startswith("//"):  # normpath keeps a leading '//' (POSIX rule)
        resolved = "/" + resolved.lstrip("/")
    if trailing and resolved != "/":
        resolved += "/"
    return resolved


def _normalize_escapes(text: str) -> str:
    """``%7e`` -> ``~`` (unreserved: decoded), ``%2f`` -> ``%2F`` (reserved: kept, upper)."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return _ESCAPE.sub(fix, text)


def _query(query: str) -> str:
    pairs = [
        (key, value)
        for key, value in parse_qsl(query, keep_blank_values=True)
        if not _is_tracking(key)
    ]
    return urlencode(sorted(pairs), quote_via=quote, safe="/:@,")


def _is_tracking(key: str) -> bool:
    lowered = key.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def site_of(url: str) -> str:
    """The registered domain (``www.bbc.co.uk`` -> ``bbc.co.uk``), or the host when
    the host has no public suffix (an IP address, ``localhost``, ``*.example``)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    registered = get_fld(f"http://{host}/", fail_silently=True) if host else None
    return str(registered) if registered else host


def canonical_from_html(html: str, page_url: str) -> str | None:
    """The page's own canonical URL from ``<link rel=canonical>``, else ``og:url``.

    Resolved against ``page_url`` (and ``<base href>``) and canonicalized. Honoured
    only when it is http(s) and on the same site as ``page_url`` (same registered
    domain, or the same host when there is no registered domain). A canonical that
    points to another site is ignored (None): the canonical URL is the article's
    unique key, and a page must not be able to claim, overwrite or hide another
    site's article. Syndicated copies are merged by content deduplication instead.
    """
    finder = _HeadLinks()
    finder.feed(html)
    finder.close()
    base = urljoin(page_url, finder.base) if finder.base else page_url
    for candidate in (finder.canonical, finder.og_url):
        if not candidate:
            continue
        resolved = urljoin(base, candidate.strip())
        if is_http_url(resolved) and site_of(resolved) == site_of(page_url):
            return canonical_url(resolved)
    return None


class _HeadLinks(HTMLParser):
    """Collects the first rel=canonical, og:url and <base href> of a document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.canonical: str | None = None
        self.og_url: str | None = None
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        if tag == "link" and "canonical" in values.get("rel", "").lower().split():
            self.canonical = self.canonical or values.get("href")
        elif tag == "meta" and values.get("property", values.get("name", "")) == "og:url":
            self.og_url = self.og_url or values.get("content")
        elif tag == "base" and self.base is None:
            self.base = values.get("href")
