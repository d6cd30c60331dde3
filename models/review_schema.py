"""Tables of the review app: accounts and the append-only history of verdicts.

- ``users``: one row per account; ``role`` is ``viewer``, ``reviewer`` or ``admin``;
  ``password_hash`` is an Argon2 hash; ``token_hash`` the SHA-256 of the current API
  token (the token itself is shown once and never stored).
- ``event_verdicts``: every verdict ever given on an event, never updated or deleted.
  Keyed like ``event_reviews`` by ``(article_id, event_key)`` so history survives
  reprocessing; ``state_before``/``state_after`` and ``before``/``after`` (the
  correction fields) record the change, ``undoes`` the verdict an undo reverted.

Migration ``0006`` creates them; :mod:`models.schema` imports this module so that
``Base.metadata`` always holds them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.schema import Base, utcnow

ROLES = ("viewer", "reviewer", "admin")


class UserModel(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EventVerdictModel(Base):
    """One verdict on one event, as given; the table is append-only."""

    __tablename__ = "event_verdicts"
    __table_args__ = (Index("ix_event_verdicts_article_id_event_key", "article_id", "event_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    event_key: Mapped[str] = mapped_column(String(64))
    reviewer: Mapped[str] = mapped_column(String(255))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    state_before: Mapped[str] = mapped_column(String(16))
    state_after: Mapped[str] = mapped_column(String(16))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    undoes: Mapped[int | None] = mapped_column(Integer)
