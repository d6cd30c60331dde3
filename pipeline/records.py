"""The records that pass between stages, all frozen dataclasses, all defined here.

    Page ──extract──► Article ──tag──► TaggedArticle ──events──► AnalyzedArticle
      ──► Outcome (Analyzed | Failed) ──► PageToStore ──store──► rows

Fetching adds: Source ──discover──► DiscoveredLink ──fetch──► FetchResult ──► Page

No stage passes dicts or ``Any`` to the next one; each stage takes one record and
returns the next, or raises a :class:`pipeline.errors.MinewatchError`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from pipeline.errors import StageFailure

EntityType = Literal["mineral", "country", "organization", "person", "place", "site"]
ENTITY_TYPES: tuple[EntityType, ...] = (
    "mineral",
    "country",
    "organization",
    "person",
    "place",
    "site",
)
PageKind = Literal["html", "text"]
EventType = Literal[
    "policy", "agreement", "meeting", "production", "investment", "disruption", "price"
]
EVENT_TYPES: tuple[EventType, ...] = (
    "policy",
    "agreement",
    "meeting",
    "production",
    "investment",
    "disruption",
    "price",
)
Polarity = Literal["positive", "negative"]
DatePrecision = Literal["day", "month", "year"]
TagSource = Literal["gazetteer", "pattern", "model", "surname", "implied"]


@dataclass(frozen=True)
class Page:
    """One input before extraction: HTML to extract, or text taken as it is.

    ``content`` is the decoded body; ``raw`` the bytes as read, kept for the archive.
    """

    source: str
    content: str
    kind: PageKind
    raw: bytes = field(default=b"", repr=False)
    url: str | None = None
    published: dt.date | None = None


@dataclass(frozen=True)
class Article:
    """The extracted article: metadata plus the main text that offsets index into."""

    source: str
    text: str
    url: str | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: dt.date | None = None
    sitename: str | None = None
    language: str | None = None
    raw_html: bytes | None = field(default=None, repr=False)
    extractor_version: str = ""

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)


@dataclass(frozen=True)
class Mention:
    """A span of ``Article.text``: ``text == article.text[start:end]``."""

    start: int
    end: int
    text: str
    form: str | None = None  # a traded form of a mineral as written ("lithium carbonate")


@dataclass(frozen=True)
class Role:
    """An office a person holds: "Secretary of Finance", in a country, for a tenure."""

    title: str
    country: str | None = None
    organization: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass(frozen=True)
class Entity:
    """One canonical entity of an article with all its mentions, in text order."""

    id: str
    type: EntityType
    name: str
    mentions: tuple[Mention, ...]
    official: bool = False
    roles: tuple[Role, ...] = ()
    source: TagSource = "gazetteer"
    # place, site and organization: the country it is in or belongs to
    country: str | None = None
    operator: str | None = None  # site: the operating organization's id
    commodities: tuple[str, ...] = ()  # site: its main minerals' ids
    # country never named but implied by these places and sites (no mentions of its own)
    implied_by: tuple[str, ...] = ()
    attribution: bool = False  # news agency credited as the story's source

    @property
    def implied(self) -> bool:
        return bool(self.implied_by)


@dataclass(frozen=True)
class TaggedArticle:
    article: Article
    entities: tuple[Entity, ...]
    tagger_version: str

    def entities_of(self, type_: EntityType) -> tuple[Entity, ...]:
        return tuple(e for e in self.entities if e.type == type_)


@dataclass(frozen=True)
class Event:
    """One sentence-level claim of a closed set of types, with its evidence."""

    type: EventType
    trigger: str
    sentence: str
    start: int  # offsets of the evidence sentence in Article.text
    end: int
    polarity: Polarity = "positive"
    date: dt.date | None = None
    date_precision: DatePrecision | None = None
    confidence: float = 0.5
    minerals: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    persons: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Stable within an article across reprocessing: type, evidence sentence, trigger."""
        normalized = " ".join(self.sentence.split())
        text = f"{self.type}|{normalized}|{self.trigger.lower()}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    @property
    def participants(self) -> tuple[str, ...]:
        return self.minerals + self.countries + self.organizations + self.persons


@dataclass(frozen=True)
class AnalyzedArticle:
    """A tagged article with its events: what ``analyze`` prints and ``ingest`` stores."""

    tagged: TaggedArticle
    events: tuple[Event, ...] = ()
    events_version: str = ""

    @property
    def article(self) -> Article:
        return self.tagged.article


@dataclass(frozen=True)
class Analyzed:
    """An input that went through every stage. ``failure`` is always None: the
    attribute is there so that code can ask any Outcome ``outcome.failure``."""

    source: str
    analyzed: AnalyzedArticle
    failure: None = None


@dataclass(frozen=True)
class Failed:
    """An input that failed at one stage. ``analyzed`` is always None."""

    source: str
    failure: StageFailure
    analyzed: None = None


Outcome = Analyzed | Failed
"""What became of one input: exactly one of its analysis or its failure."""

PageResult = Literal["new", "updated", "unchanged", "retagged", "duplicate", "failed"]


@dataclass(frozen=True)
class PageToStore:
    """One page for the store: its outcome, where it came from, and the keys the run chose.

    ``url`` is the URL the page was fetched from (None for a local file: no page state);
    ``article_url`` the article's key (the same-site canonical or the final URL; None
    keys a local file by its content); ``source`` the configured source's name, or the
    command (``ingest``, ``reprocess``) for inputs that belong to no source.
    """

    outcome: Outcome
    source: str
    url: str | None = None
    article_url: str | None = None
    validators: Validators | None = None
    status: int | None = None
    run_id: int | None = None


@dataclass(frozen=True)
class Validators:
    """What a conditional GET sends back: the ETag and Last-Modified last seen."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """One HTTP fetch. ``not_modified`` is a 304 answer to a conditional request."""

    url: str  # as requested
    final_url: str  # after redirects
    status: int
    body: bytes = field(default=b"", repr=False)
    content_type: str = ""
    validators: Validators = Validators()
    elapsed_ms: float = 0.0
    not_modified: bool = False


@dataclass(frozen=True)
class FetchLogEntry:
    """One HTTP request as the fetch log keeps it (every request, retries included)."""

    url: str
    outcome: str  # "ok", "not_modified", "retry", or the error class name
    status: int | None = None
    bytes: int = 0
    elapsed_ms: float = 0.0
    error: str | None = None
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


@dataclass(frozen=True)
class DiscoveredLink:
    """An article URL found in a feed, sitemap or listing page, canonicalized."""

    url: str
    source: str  # the source's name
    title: str | None = None
    published: dt.date | None = None


def content_hash(text: str) -> str:
    """SHA-256 of the text with whitespace runs collapsed, so re-wrapped copies match."""
    normalized = " ".join(text.split())
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """ASCII slug for canonical ids: 'Édgar Amador Zamora' -> 'edgar-amador-zamora'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return _NON_SLUG.sub("-", ascii_name.lower()).strip("-")
