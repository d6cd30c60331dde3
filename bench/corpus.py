"""The benchmark corpus: N realistic news pages (~100 KB of HTML each) and their feeds.

Deterministic for a seed. Each page has what real news pages carry around the story:
a mega-menu, inline CSS and scripts (analytics, an app-state JSON blob), a share bar,
related-article teasers, a most-read list, a newsletter box and a footer; metadata in
meta tags and JSON-LD, a published date and a ``rel=canonical`` on the serving host.
The story itself (400-1,500 words) comes from :mod:`bench.corpus_text`. Every URL in a
page is relative or on the serving host, so no reader of the corpus leaves loopback.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import random
from dataclasses import dataclass
from functools import cache

from bench.corpus_text import MINERALS, Story, story, title

TARGET_BYTES = 100_000
SECTIONS = ("Mining", "Metals", "Energy", "Markets", "Policy", "Technology", "Latin America")
START = dt.date(2025, 1, 1)


@dataclass(frozen=True)
class Doc:
    """One generated page: its path on the server, its HTML and the plain story text."""

    path: str
    body: bytes
    title: str
    published: dt.date
    text: str


def build(count: int, base: str, seed: int = 5) -> list[Doc]:
    """``count`` pages whose absolute URLs start with ``base`` (the loopback server)."""
    return [page(number, base, seed) for number in range(count)]


def page(number: int, base: str, seed: int = 5) -> Doc:
    rng = random.Random(seed * 1_000_003 + number)
    item = story(rng)
    published = START + dt.timedelta(days=number % 700)
    slug = "-".join(item.title.lower().replace("%", "").split()[:8])
    path = f"/news/{published:%Y/%m}/{slug}-{number}.html"
    document = _document(item, base + path, published, rng)
    return Doc(path, document.encode("utf-8"), item.title, published, item.text)


def rss(base: str, docs: list[Doc], name: str = "bench") -> bytes:
    """An RSS 2.0 feed listing ``docs``."""
    items = "".join(
        f"<item><title>{html.escape(d.title)}</title><link>{base}{d.path}</link>"
        f"<guid>{base}{d.path}</guid>"
        f"<pubDate>{d.published:%a, %d %b %Y} 08:00:00 +0000</pubDate></item>"
        for d in docs
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{name}</title><link>{base}/</link><description>bench</description>"
        f"{items}</channel></rss>"
    ).encode()


# --- the page ------------------------------------------------------------------------


def _document(item: Story, url: str, published: dt.date, rng: random.Random) -> str:
    body = "".join(
        (
            _header(),
            '<main class="layout"><div class="col-main">',
            _breadcrumb(rng),
            _article(item, published),
            _share(url),
            _related(rng, 12, "Related stories"),
            _newsletter(),
            '</div><aside class="col-side">',
            _related(rng, 10, "Most read"),
            '<div class="ad-slot" id="ad-side-1" data-size="300x600"></div></aside></main>',
            _footer(),
        )
    )
    head = _head(item, url, published)
    state = _app_state(rng, TARGET_BYTES - len(head) - len(body) - len(_vendor_script()) - 200)
    return (
        f'<!DOCTYPE html><html lang="en"><head>{head}</head><body class="article-page">'
        f"{body}<script>window.__APP_STATE__ = {state};</script>{_vendor_script()}"
        "</body></html>"
    )


def _head(item: Story, url: str, published: dt.date) -> str:
    summary = html.escape(item.paragraphs[0][:240])
    stamp = f"{published.isoformat()}T08:00:00+00:00"
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": item.title,
        "datePublished": stamp,
        "dateModified": stamp,
        "author": [{"@type": "Person", "name": item.author}],
        "publisher": {"@type": "Organization", "name": "Loopback Mining Journal"},
        "mainEntityOfPage": url,
        "articleSection": "Mining",
    }
    return (
        '<meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        f"<title>{html.escape(item.title)} | Loopback Mining Journal</title>"
        f'<meta name="description" content="{summary}">'
        f'<meta name="author" content="{html.escape(item.author)}">'
        f'<link rel="canonical" href="{url}">'
        '<meta property="og:type" content="article">'
        '<meta property="og:site_name" content="Loopback Mining Journal">'
        f'<meta property="og:title" content="{html.escape(item.title)}">'
        f'<meta property="og:url" content="{url}">'
        f'<meta property="article:published_time" content="{stamp}">'
        f'<script type="application/ld+json">{json.dumps(ld)}</script>'
        f"<style>{_css()}</style>"
        "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push("
        'arguments)};gtag("js",new Date());gtag("config","G-LOOPBACK0");</script>'
    )


def _article(item: Story, published: dt.date) -> str:
    blocks = []
    for paragraph in item.paragraphs:
        if paragraph.startswith("## "):
            blocks.append(f"<h2>{html.escape(paragraph[3:])}</h2>")
        else:
            blocks.append(f"<p>{html.escape(paragraph)}</p>")
    return (
        f'<article class="story"><h1 class="story-title">{html.escape(item.title)}</h1>'
        f'<div class="byline">By <a rel="author" href="/authors/{item.author.split()[-1].lower()}">'
        f"{html.escape(item.author)}</a> | "
        f'<time datetime="{published.isoformat()}">{published:%B %d, %Y}</time></div>'
        '<figure class="lead"><img src="/img/lead.jpg" alt="" width="1200" height="630">'
        "<figcaption>Photo: Loopback Mining Journal archive</figcaption></figure>"
        f'<div class="story-body">{"".join(blocks)}</div></article>'
    )


def _breadcrumb(rng: random.Random) -> str:
    section = rng.choice(SECTIONS)
    return (
        f'<nav class="breadcrumb"><a href="/">Home</a> &rsaquo; '
        f'<a href="/{section.lower().replace(" ", "-")}">{section}</a></nav>'
    )


def _share(url: str) -> str:
    links = "".join(
        f'<li><a class="share-{n}" href="/share/{n}?u={html.escape(url)}">{n.title()}</a></li>'
        for n in ("facebook", "x", "linkedin", "whatsapp", "email", "print")
    )
    return f'<div class="share-bar"><span>Share this article</span><ul>{links}</ul></div>'


def _related(rng: random.Random, count: int, heading: str) -> str:
    teasers = []
    for _ in range(count):
        number = rng.randint(0, 99_999)
        teasers.append(
            f'<li class="teaser"><a href="/news/related-{number}.html">'
            f'<img src="/img/thumb-{number % 50}.jpg" alt="" loading="lazy">'
            f'<span class="teaser-title">{html.escape(title(rng))}</span></a>'
            f'<span class="teaser-meta">{rng.randint(2, 59)} min read</span></li>'
        )
    return f'<section class="related"><h3>{heading}</h3><ul>{"".join(teasers)}</ul></section>'


def _newsletter() -> str:
    return (
        '<div class="newsletter"><h3>Get the daily mining briefing</h3>'
        '<form action="/subscribe" method="post"><input type="email" name="email" '
        'placeholder="Your email"><button type="submit">Subscribe</button></form>'
        "<p>Free, every weekday. Unsubscribe at any time.</p></div>"
    )


@cache
def _header() -> str:
    menus = []
    for section in SECTIONS:
        slug = section.lower().replace(" ", "-")
        links = "".join(
            f'<li><a href="/{slug}/{m}">{m.title()} {section.lower()}</a></li>' for m in MINERALS
        )
        menus.append(
            f'<li class="menu-item"><a href="/{slug}">{section}</a>'
            f'<ul class="sub-menu">{links}</ul></li>'
        )
    return (
        '<header class="site-header"><div class="top-bar"><a href="/login">Sign in</a>'
        '<a href="/subscribe">Subscribe</a></div><a class="logo" href="/">'
        'Loopback Mining Journal</a><nav class="main-nav" aria-label="Main"><ul>'
        f"{''.join(menus)}</ul></nav></header>"
    )


@cache
def _footer() -> str:
    columns = "".join(
        f'<div class="footer-col"><h4>{s}</h4><ul>'
        + "".join(f'<li><a href="/{s.lower()}/{m}">{m.title()}</a></li>' for m in MINERALS[:12])
        + "</ul></div>"
        for s in SECTIONS
    )
    return (
        f'<footer class="site-footer">{columns}<p class="legal">&copy; 2026 Loopback Mining '
        'Journal. All rights reserved. <a href="/privacy">Privacy</a> '
        '<a href="/terms">Terms</a> <a href="/cookies">Cookies</a></p></footer>'
    )


@cache
def _css() -> str:
    rng = random.Random(1)
    rules = []
    for number in range(200):
        rules.append(
            f".c{number:03d}-{rng.choice(('card', 'nav', 'grid', 'ad', 'btn'))}"
            f"{{margin:{rng.randint(0, 32)}px {rng.randint(0, 32)}px;"
            f"padding:{rng.randint(0, 24)}px;color:#{rng.randint(0, 0xFFFFFF):06x};"
            f"font-size:{rng.randint(11, 28)}px;display:{rng.choice(('flex', 'block'))}}}"
        )
    return "".join(rules)


@cache
def _vendor_script() -> str:
    rng = random.Random(2)
    functions = "".join(
        f"function f{n}(a,b){{var c=a*{rng.randint(2, 99)}+b;"
        f"return c>{rng.randint(100, 9999)}?f{max(n - 1, 0)}(b,c%{rng.randint(3, 97)}):c}}"
        for n in range(160)
    )
    return f"<script>(function(){{{functions}window.__vendor=f159;}})();</script>"


def _app_state(rng: random.Random, size: int) -> str:
    """A JSON blob of about ``size`` bytes, as single-page frameworks embed."""
    items: list[dict[str, object]] = []
    text = "{}"
    while len(text) < size:
        for _ in range(5):
            number = rng.randint(0, 999_999)
            items.append(
                {
                    "id": number,
                    "headline": title(rng),
                    "url": f"/news/item-{number}.html",
                    "views": rng.randint(10, 90_000),
                    "tags": rng.sample(MINERALS, 3),
                }
            )
        text = json.dumps({"feed": items, "ads": {"slots": ["top", "side", "inline"]}})
    return text.replace("</", "<\\/")
