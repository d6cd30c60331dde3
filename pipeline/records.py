"""The records that pass between stages, all frozen dataclasses, all defined here.

    Page ──extract──► Article ──tag──► TaggedArticle ──store──► rows

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

EntityType = Literal["mineral", "country", "organization", "person"]
ENTITY_TYPES: tuple[EntityType, ...] = ("mineral", "country", "organization", "person")
PageKind = Literal["html", "text"]
TagSource = Literal["gazetteer", "pattern", "model", "surname"]


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


@dataclass(frozen=True)
class TaggedArticle:
    article: Article
    entities: tuple[Entity, ...]
    tagger_version: str

    def entities_of(self, type_: EntityType) -> tuple[Entity, ...]:
        return tuple(e for e in self.entities if e.type == type_)


def content_hash(text: str) -> str:
    """SHA-256 of the text with whitespace runs collapsed, so re-wrapped copies match."""
    normalized = " ".join(text.split())
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """ASCII slug for canonical ids: 'Édgar Amador Zamora' -> 'edgar-amador-zamora'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return _NON_SLUG.sub("-", ascii_name.lower()).strip("-")
