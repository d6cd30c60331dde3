"""The alert outbox as the dispatcher sees it: due rows to claim (PostgreSQL
``FOR UPDATE SKIP LOCKED``; SQLite serializes writers and the lease columns keep a
claimed row from a second dispatcher), sends counted for rate limits, every attempt
recorded, and the history and retry the CLI shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models.alert_schema import (
    AlertAttemptModel,
    AlertMatchArticleModel,
    AlertMatchModel,
    AlertOutboxModel,
    AlertRuleModel,
)
from models.schema import ArticleModel


def due_rows(session: Session, now: dt.datetime, limit: int) -> list[AlertOutboxModel]:
    """Pending rows due by ``now`` and not leased, oldest first, locked on PostgreSQL
    (rows another dispatcher holds are skipped, not waited for)."""
    query = (
        select(AlertOutboxModel)
        .where(
            AlertOutboxModel.state == "pending",
            AlertOutboxModel.due_at <= now,
            or_(AlertOutboxModel.lease_until.is_(None), AlertOutboxModel.lease_until < now),
        )
        .order_by(AlertOutboxModel.due_at, AlertOutboxModel.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def sent_messages(session: Session, channel: str, since: dt.datetime) -> int:
    """Messages the channel accepted since ``since`` (a digest counts once)."""
    query = select(func.count(func.distinct(AlertAttemptModel.message_key))).where(
        AlertAttemptModel.channel == channel,
        AlertAttemptModel.outcome == "sent",
        AlertAttemptModel.at >= since,
    )
    return int(session.scalar(query) or 0)


def match_details(session: Session, match_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    rows = session.execute(
        select(AlertMatchModel.id, AlertMatchModel.details).where(AlertMatchModel.id.in_(match_ids))
    )
    return {match_id: dict(details) for match_id, details in rows}


def outlets(session: Session, match_ids: Sequence[int]) -> dict[int, list[str]]:
    """The outlets (site names, else hosts) that carried each match's story."""
    query = (
        select(AlertMatchArticleModel.match_id, ArticleModel.sitename, ArticleModel.url)
        .join(ArticleModel, ArticleModel.id == AlertMatchArticleModel.article_id)
        .where(AlertMatchArticleModel.match_id.in_(match_ids))
        .order_by(AlertMatchArticleModel.id)
    )
    found: dict[int, list[str]] = {}
    for match_id, sitename, url in session.execute(query):
        name = sitename or (urlsplit(url).hostname if url else None) or "unknown"
        names = found.setdefault(match_id, [])
        if name not in names:
            names.append(name)
    return found


def record_attempt(
    session: Session, row: AlertOutboxModel, at: dt.datetime, outcome: str, error: str | None
) -> None:
    session.add(
        AlertAttemptModel(
            outbox_id=row.id,
            channel=row.channel,
            message_key=row.message_key or "",
            at=at,
            outcome=outcome,
            error=error,
        )
    )


def rows_by_id(session: Session, ids: Sequence[int]) -> list[AlertOutboxModel]:
    query = select(AlertOutboxModel).where(AlertOutboxModel.id.in_(ids))
    return list(session.scalars(query.order_by(AlertOutboxModel.id)))


@dataclass(frozen=True)
class HistoryRow:
    outbox_id: int
    rule: str
    channel: str
    state: str
    attempts: int
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    last_error: str | None
    message_key: str | None
    title: str


def history(
    session: Session, rule: str | None, state: str | None, limit: int = 200
) -> list[HistoryRow]:
    query = (
        select(AlertOutboxModel, AlertMatchModel.details, AlertRuleModel.name)
        .join(AlertMatchModel, AlertMatchModel.id == AlertOutboxModel.match_id)
        .join(AlertRuleModel, AlertRuleModel.id == AlertMatchModel.rule_id)
        .order_by(AlertOutboxModel.id.desc())
        .limit(limit)
    )
    if rule is not None:
        query = query.where(AlertRuleModel.name == rule)
    if state is not None:
        query = query.where(AlertOutboxModel.state == state)
    return [
        HistoryRow(
            row.id,
            name,
            row.channel,
            row.state,
            row.attempts,
            row.created_at,
            row.delivered_at,
            row.last_error,
            row.message_key,
            str(details.get("title") or details.get("why") or ""),
        )
        for row, details, name in session.execute(query)
    ]


def attempts_of(session: Session, outbox_id: int) -> list[AlertAttemptModel]:
    query = select(AlertAttemptModel).where(AlertAttemptModel.outbox_id == outbox_id)
    return list(session.scalars(query.order_by(AlertAttemptModel.id)))


def retry(session: Session, outbox_id: int, now: dt.datetime) -> str | None:
    """Make a dead (or muted) row pending again, due now, keeping its idempotency key;
    the row's previous state, or None if there is no such row."""
    row = session.get(AlertOutboxModel, outbox_id)
    if row is None:
        return None
    previous = row.state
    if previous in ("dead", "muted"):
        row.state, row.attempts, row.due_at = "pending", 0, now
        row.lease_owner = row.lease_until = None
    return previous
