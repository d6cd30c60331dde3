"""The SQLAlchemy tables of minewatch: articles, entities, entity aliases, mentions,
events with their participants, event clusters and analysts' event reviews.

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
- ``entities.attributes`` holds ``{"roles": [{"title", "country", "organization",
  "start", "end"}]}`` with dates as ISO strings.
"""

from __future__ import annotations

import datetime as dt
import zlib
from typing import Any

from sqlalchemy import (
    JSON,
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
    extractor_version: Mapped[str] = mapped_column(String(64))
    tagger_version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


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
    confidence: Mapped[float] = mapped_column(Float)
    cluster_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_clusters.id", ondelete="SET NULL"), index=True
    )
    events_version: Mapped[str] = mapped_column(String(64))


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
