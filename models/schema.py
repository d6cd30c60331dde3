"""The SQLAlchemy tables of minewatch: articles, entities, entity aliases, mentions,
events with their participants, event clusters and analysts' event reviews; and for
fetching: sources, per-URL page state, the fetch log, runs, failures and
near-duplicate article clusters.

The Alembic migrations in ``models/migrations/versions`` create exactly these tables;
``tests/test_store.py`` checks that the migrated schema and this module agree.

Column notes:

- ``articles.key`` is the identity of an article: its canonical URL when known, else
  ``"sha256:<content_hash>"`` (a ``.txt`` input without URL). Unique.
- ``articles.raw_html`` is stored zlib-compressed; :class:`ZlibBytes` compresses on
  write and decompresses on read, so Python code only ever sees the original bytes.
- ``events.event_key`` identifies an event within its article across reprocessing
  (a hash of its type and evidence sentence). ``event_reviews`` are keyed by
  ``(article_id, event_key)`` and never deleted when events are re-extracted, so an
  analyst's verdict survives a rules change and re-attaches to the same event.
- ``articles.simhash`` is the 64-bit SimHash of the text (signed, for BIGINT);
  ``simhash_band0..3`` its four 16-bit bands, indexed, so near-duplicate candidates
  are found by equality lookups (see :mod:`models.dedupe`). ``cluster_id`` joins
  near duplicates into one ``article_clusters`` row; a story seen once has none.
- ``page_states`` is the per-URL state of fetching: one row per canonical URL
  fetched, with its validators and what became of it; ``article_id`` is the
  article stored from it, or the original an exact duplicate repeats.
- ``entities.attributes`` holds ``{"roles": [{"title", "country", "organization",
  "start", "end"}]}`` with dates as ISO strings, and for places, sites and
  organizations ``"country"``, for sites ``"operator"`` and ``"commodities"``.
- ``mentions.form`` is a mineral's traded form as written ("lithium carbonate"); a
  country a page only implies through a place or site has mentions at those spans
  with ``source`` "implied".
"""

from __future__ import annotations

import datetime as dt
import zlib
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ZLIB_LEVEL = 6


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ZlibBytes(TypeDecorator[bytes]):
    """Bytes stored zlib-compressed in a binary column; transparent to Python code."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        return None if value is None else zlib.compress(value, ZLIB_LEVEL)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> bytes | None:
        return None if value is None else zlib.decompress(bytes(value))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ArticleModel(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(2048), unique=True)
    url: Mapped[str | None] = mapped_column(String(2048))
    source: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(JSON)
    published: Mapped[dt.date | None] = mapped_column(Date, index=True)
    sitename: Mapped[str | None] = mapped_column(String(512))
    language: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    raw_html: Mapped[bytes | None] = mapped_column(ZlibBytes)
    extractor_version: Mapped[str] = mapped_column(String(255))
    tagger_version: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    simhash: Mapped[int | None] = mapped_column(BigInteger)
    simhash_band0: Mapped[int | None] = mapped_column(Integer, index=True)
    simhash_band1: Mapped[int | None] = mapped_column(Integer, index=True)
    simhash_band2: Mapped[int | None] = mapped_column(Integer, index=True)
    simhash_band3: Mapped[int | None] = mapped_column(Integer, index=True)
    cluster_id: Mapped[int | None] = mapped_column(
        ForeignKey("article_clusters.id", ondelete="SET NULL"), index=True
    )


# The listing order of mentions. Migration 0004 creates it as (published DESC, id) on
# SQLite, which has no NULLS LAST in an index and sorts NULLs last there anyway.
Index("ix_articles_published_id", ArticleModel.published.desc().nulls_last(), ArticleModel.id)


class ArticleClusterModel(Base):
    """Near-duplicate articles: the same story published under several URLs."""

    __tablename__ = "article_clusters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EntityModel(Base):
    __tablename__ = "entities"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(Text)
    official: Mapped[bool] = mapped_column(Boolean, default=False)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON)


class EntityAliasModel(Base):
    __tablename__ = "entity_aliases"
    __table_args__ = (UniqueConstraint("entity_id", "alias"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(512), index=True)


Index("ix_entity_aliases_lower_alias", func.lower(EntityAliasModel.alias))


class MentionModel(Base):
    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("article_id", "start", "end", "entity_id"),
        CheckConstraint('start >= 0 AND "end" >= start', name="span"),
        Index("ix_mentions_entity_id_article_id", "entity_id", "article_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(32))
    form: Mapped[str | None] = mapped_column(String(255))  # a mineral's traded form


class EventClusterModel(Base):
    """One real-world event reported by one or more articles."""

    __tablename__ = "event_clusters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    signature: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EventModel(Base):
    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("article_id", "event_key"),
        CheckConstraint('start >= 0 AND "end" >= start', name="span"),
        Index("ix_events_type_event_date", "type", "event_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    event_key: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(32))
    trigger: Mapped[str] = mapped_column(Text)
    sentence: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    polarity: Mapped[str] = mapped_column(String(16))
    event_date: Mapped[dt.date | None] = mapped_column(Date)
    date_precision: Mapped[str | None] = mapped_column(String(8))
    confidence: Mapped[float] = mapped_column(Float)
    cluster_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_clusters.id", ondelete="SET NULL"), index=True
    )
    events_version: Mapped[str] = mapped_column(String(255))


class EventParticipantModel(Base):
    __tablename__ = "event_participants"
    __table_args__ = (
        UniqueConstraint("event_id", "entity_id"),
        Index("ix_event_participants_entity_id_event_id", "entity_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id"))
    role: Mapped[str] = mapped_column(String(32))


class EventReviewModel(Base):
    """An analyst's verdict on an event; reprocessing never writes here."""

    __tablename__ = "event_reviews"
    __table_args__ = (UniqueConstraint("article_id", "event_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    event_key: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    reviewer: Mapped[str] = mapped_column(String(255))
    reviewed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
    correction: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class SourceModel(Base):
    """A configured source with its polling state and health."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(String(2048))
    etag: Mapped[str | None] = mapped_column(String(1024))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    last_polled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_success_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_new_article_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    next_poll_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    backoff_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)


class PageStateModel(Base):
    """What minewatch knows about one fetched URL (canonical form)."""

    __tablename__ = "page_states"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    source: Mapped[str] = mapped_column(String(255), index=True)
    etag: Mapped[str | None] = mapped_column(String(1024))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    last_fetched_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(32))
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    retry_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    last_error: Mapped[str | None] = mapped_column(Text)


class RunModel(Base):
    """One poll cycle (of one source or all of them) with its counts."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trigger: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    sources: Mapped[int] = mapped_column(Integer, default=0)
    links: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)


class FetchLogModel(Base):
    """Every HTTP request, retries included."""

    __tablename__ = "fetch_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("runs.id", ondelete="SET NULL"), index=True
    )
    source: Mapped[str | None] = mapped_column(String(255))
    url: Mapped[str] = mapped_column(Text)
    status: Mapped[int | None] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(Integer, default=0)
    elapsed_ms: Mapped[float] = mapped_column(Float, default=0.0)
    outcome: Mapped[str] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class FailureModel(Base):
    """A failure of one stage for one input, recorded while the run goes on."""

    __tablename__ = "failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("runs.id", ondelete="SET NULL"), index=True
    )
    stage: Mapped[str] = mapped_column(String(32))
    source: Mapped[str | None] = mapped_column(String(255))
    url: Mapped[str] = mapped_column(Text)
    error_class: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    transient: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    hint: Mapped[str | None] = mapped_column(Text)


# The review app's tables (users, event verdicts) live in their own module; importing it
# here keeps them in Base.metadata wherever the schema is used (migrations, tests).
import models.review_schema  # noqa: E402, F401
