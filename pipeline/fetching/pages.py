"""A fetched answer as a Page for extraction, keyed by the article's URL.

:func:`page_from_fetch` is the one place that turns a :class:`FetchResult` into a
:class:`Page`, for polling and for command-line URLs alike. The page's ``url`` (the
article's key in the store) is its ``rel=canonical`` (or ``og:url``) when that is on
the same site as the final URL, else the canonicalized final URL; a canonical on
another site is never trusted, so a page cannot claim or overwrite another site's
article. A canonical that cannot be parsed (``http://[oops``, port 99999) is ignored.
"""

from __future__ import annotations

import datetime as dt

from pipeline.fetching.inputs import page_from_bytes
from pipeline.fetching.policy import TEXT_TYPES, media_type
from pipeline.fetching.urls import canonical_from_html, canonical_url
from pipeline.records import FetchResult, Page, PageKind


def page_from_fetch(url: str, result: FetchResult, published: dt.date | None = None) -> Page:
    """The body of ``result`` (fetched for ``url``) decoded and checked like a file,
    with its article URL as ``url`` (see the module docstring)."""
    kind: PageKind = "text" if media_type(result.content_type) in TEXT_TYPES else "html"
    page = page_from_bytes(url, result.body, kind)
    return Page(
        source=url,
        content=page.content,
        kind=kind,
        raw=result.body,
        url=article_url(page.content if kind == "html" else "", result.final_url),
        published=published,
    )


def article_url(html: str, final_url: str) -> str:
    """The same-site canonical of ``html``, else the canonical form of ``final_url``."""
    try:
        canonical = canonical_from_html(html, final_url) if html else None
    except ValueError:
        canonical = None
    if canonical is not None:
        return canonical
    try:
        return canonical_url(final_url)
    except ValueError:
        return final_url
