"""The alert tables: rules as last synced from config.yaml, matches, the articles of
each match, the outbox (one row per match and channel) and every delivery attempt.

- ``alert_rules``: one row per rule name; ``first_seen_at`` is when the rule first
  appeared (an article stored before it never fires it); ``definition`` the rule's
  config as JSON; ``snoozed_until`` holds deliveries, ``muted_until`` drops them.
- ``alert_matches``: unique by ``(rule_id, story_key)``: ``cluster:<id>`` or
  ``article:<id>`` for mentions, ``event:<event cluster id>`` for events,
  ``spike:<entities>:<day>``, ``first:<entities>:<story>``, ``health:<source>:...``.
  ``details`` holds what the message says (title, link, entities, evidence).
- ``alert_match_articles``: the articles (outlets) that carried the matched story.
- ``alert_outbox``: one row per match and channel; ``message_key`` is the idempotency
  key of the message the row goes out in (rows of one digest share it) and stays the
  same on every retry; ``lease_owner``/``lease_until`` is the SQLite claim.
- ``alert_attempts``: every send, with its time, channel, outcome and error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.schema import Base, utcnow


class AlertRuleModel(Base):
    __tablename__ = "alert_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    first_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    snoozed_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    muted_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AlertMatchModel(Base):
    __tablename__ = "alert_matches"
    __table_args__ = (UniqueConstraint("rule_id", "story_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rules.id", ondelete="CASCADE"))
    story_key: Mapped[str] = mapped_column(String(255))
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AlertMatchArticleModel(Base):
    __tablename__ = "alert_match_articles"
    __table_args__ = (UniqueConstraint("match_id", "article_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("alert_matches.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AlertOutboxModel(Base):
    __tablename__ = "alert_outbox"
    __table_args__ = (
        UniqueConstraint("match_id", "channel"),
        Index("ix_alert_outbox_state_due_at", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("alert_matches.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(100))
    frequency: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    message_key: Mapped[str | None] = mapped_column(String(64), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AlertAttemptModel(Base):
    __tablename__ = "alert_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    outbox_id: Mapped[int] = mapped_column(
        ForeignKey("alert_outbox.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(100))
    message_key: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
