"""Article extraction: the only module that imports trafilatura.

``extract_article(page, settings)`` returns the Article or raises ExtractionRejected
with the reason; it never returns None. A text page is taken as it is, but for its
control characters: they are stripped from every page before extraction (all of C0
but tab, newline and carriage return, DEL and C1), so one ESC or BS byte costs that
character, not the page (lxml gives up on the document at the first one).

A text longer than ``extraction.max_chars`` (after extraction, or a .txt input) is
refused with ExtractionRejected naming its size, the limit and the key; it is never
cut, since a cut article would be stored and alerted on as if it were whole. The
limit is at most spaCy's ``nlp.max_length``, so tagging never sees a longer text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from importlib.metadata import version

import lxml.html
import trafilatura
from lxml.etree import ParserError
from trafilatura.settings import Document

from extractors.furniture import is_credit_line
from pipeline.config import ExtractionConfig
from pipeline.errors import ExtractionRejected
from pipeline.records import Article, Page

EXTRACTOR_VERSION = f"minewatch-extract/1+trafilatura-{version('trafilatura')}"
_BLANK_LINES = re.compile(r"\n\s*\n+")
_LANG = re.compile(r"^[A-Za-z]{2,3}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def extract_article(page: Page, settings: ExtractionConfig) -> Article:
    page = replace(page, content=strip_controls(page.content))
    if page.kind == "text":
        return _text_article(page, settings.max_chars)
    tree = _parse(page.content)
    language = _html_language(tree)
    document = trafilatura.bare_extraction(
        tree,
        url=page.url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=settings.favor_precision,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if not isinstance(document, Document) or not (document.text or "").strip():
        raise ExtractionRejected("no article text found on the page")
    text = clean_text(str(document.text), title=document.title, drop_lines=settings.drop_lines)
    if len(text) < settings.min_text_chars:
        raise ExtractionRejected(
            f"only {len(text)} characters of article text "
            f"(extraction.min_text_chars is {settings.min_text_chars}); not an article page"
        )
    check_size(text, settings.max_chars)
    return Article(
        source=page.source,
        text=text,
        url=page.url or document.url,
        title=document.title,
        authors=split_authors(document.author),
        published=_parse_date(document.date) or page.published,
        sitename=document.sitename,
        language=language or document.language,
        raw_html=page.raw or page.content.encode("utf-8"),
        extractor_version=EXTRACTOR_VERSION,
    )


def strip_controls(text: str) -> str:
    """``text`` without control characters (tab, newline and carriage return stay)."""
    return _CONTROL.sub("", text)


def clean_text(text: str, *, title: str | None, drop_lines: tuple[str, ...] = ()) -> str:
    """Drop a leading copy of the title, photo credits and configured furniture lines."""
    lines = [line.strip() for line in text.splitlines()]
    while lines and (not lines[0] or (title and lines[0] == title.strip())):
        lines.pop(0)
    patterns = [re.compile(p) for p in drop_lines]
    kept = [
        line
        for line in lines
        if not is_credit_line(line) and not any(p.search(line) for p in patterns)
    ]
    return _BLANK_LINES.sub("\n", "\n".join(kept)).strip()


def split_authors(author: str | None) -> tuple[str, ...]:
    if not author:
        return ()
    return tuple(a.strip() for a in re.split(r";|\band\b", author) if a.strip())


def check_size(text: str, max_chars: int) -> None:
    """Refuse a text over ``max_chars`` characters: one line naming size, limit and key."""
    if len(text) > max_chars:
        error = ExtractionRejected(
            f"the article text is {len(text):,} characters, over the limit of {max_chars:,}; "
            "refused, not cut: raise extraction.max_chars (at most 1,000,000) to analyze it"
        )
        error.hint = ""  # the message says what to do; the class's hint is about no article
        raise error


def _text_article(page: Page, max_chars: int) -> Article:
    text = page.content
    if not text.strip():
        raise ExtractionRejected("the text file holds only whitespace")
    check_size(text, max_chars)
    return Article(
        source=page.source,
        text=text,
        url=page.url,
        published=page.published,
        extractor_version="minewatch-extract/1+text",
    )


def _parse(content: str) -> lxml.html.HtmlElement:
    try:
        return lxml.html.document_fromstring(content)
    except (ParserError, ValueError) as exc:
        raise ExtractionRejected(f"not parseable as HTML ({exc})") from None


def _html_language(tree: lxml.html.HtmlElement) -> str | None:
    lang = tree.get("lang") or tree.get("xml:lang")
    if not lang:
        found = tree.xpath("//meta[@http-equiv='content-language' or @property='og:locale']")
        lang = found[0].get("content") if found else None
    match = _LANG.match(lang or "")
    return match.group(0).lower() if match else None


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
