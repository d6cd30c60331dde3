"""One event as the review app shows it: the article around it, its mentions, the
syndicated copies of the story, the other events of its cluster and its verdicts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.review_queries import Chip, participant_chips
from models.review_schema import EventVerdictModel
from models.schema import (
    ArticleModel,
    EntityModel,
    EventModel,
    EventReviewModel,
    MentionModel,
)

MAX_RELATED = 50


@dataclass(frozen=True)
class MentionSpan:
    start: int
    end: int
    entity_id: str
    entity_type: str
    entity_name: str


@dataclass(frozen=True)
class ArticleLink:
    id: int
    title: str | None
    url: str | None
    sitename: str | None
    published: dt.date | None


@dataclass(frozen=True)
class SiblingEvent:
    id: int
    article_id: int
    article_title: str | None
    sentence: str


@dataclass(frozen=True)
class VerdictRow:
    id: int
    reviewer: str
    at: dt.datetime
    state_before: str
    state_after: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None
    undoes: int | None


@dataclass(frozen=True)
class EventDetail:
    id: int
    type: str
    trigger: str
    polarity: str
    date: dt.date | None
    date_precision: str | None
    confidence: float
    sentence: str
    start: int
    end: int
    cluster_id: int | None
    events_version: str
    state: str
    reviewer: str | None
    note: str | None
    correction: dict[str, Any] | None
    participants: tuple[Chip, ...]
    article: ArticleLink
    text: str
    mentions: tuple[MentionSpan, ...]
    copies: tuple[ArticleLink, ...]
    siblings: tuple[SiblingEvent, ...]
    history: tuple[VerdictRow, ...]


def current_review(session: Session, event: EventModel) -> EventReviewModel | None:
    return session.scalars(
        select(EventReviewModel).where(
            EventReviewModel.article_id == event.article_id,
            EventReviewModel.event_key == event.event_key,
        )
    ).one_or_none()


def event_detail(session: Session, event_id: int) -> EventDetail | None:
    """Everything the event page shows, or None when there is no such event."""
    event = session.get(EventModel, event_id)
    if event is None:
        return None
    article = session.get_one(ArticleModel, event.article_id)
    review = current_review(session, event)
    return EventDetail(
        id=event.id,
        type=event.type,
        trigger=event.trigger,
        polarity=event.polarity,
        date=event.event_date,
        date_precision=event.date_precision,
        confidence=event.confidence,
        sentence=event.sentence,
        start=event.start,
        end=event.end,
        cluster_id=event.cluster_id,
        events_version=event.events_version,
        state=review.state if review else "new",
        reviewer=review.reviewer if review else None,
        note=review.note if review else None,
        correction=review.correction if review else None,
        participants=participant_chips(session, [event.id]).get(event.id, ()),
        article=_link(article),
        text=article.text,
        mentions=tuple(article_mentions(session, article.id)),
        copies=tuple(cluster_copies(session, article)),
        siblings=tuple(_siblings(session, event)),
        history=tuple(verdict_history(session, event.article_id, event.event_key)),
    )


def _link(article: ArticleModel) -> ArticleLink:
    return ArticleLink(article.id, article.title, article.url, article.sitename, article.published)


def article_mentions(session: Session, article_id: int) -> list[MentionSpan]:
    query = (
        select(
            MentionModel.start, MentionModel.end, EntityModel.id, EntityModel.type, EntityModel.name
        )
        .join(EntityModel, EntityModel.id == MentionModel.entity_id)
        .where(MentionModel.article_id == article_id)
        .order_by(MentionModel.start, MentionModel.end.desc(), EntityModel.id)
    )
    return [MentionSpan(*row) for row in session.execute(query).all()]


def cluster_copies(session: Session, article: ArticleModel) -> list[ArticleLink]:
    """The other articles of the article's near-duplicate cluster (syndicated copies)."""
    if article.cluster_id is None:
        return []
    query = (
        select(ArticleModel)
        .where(ArticleModel.cluster_id == article.cluster_id, ArticleModel.id != article.id)
        .order_by(ArticleModel.published, ArticleModel.id)
        .limit(MAX_RELATED)
    )
    return [_link(row) for row in session.scalars(query)]


def _siblings(session: Session, event: EventModel) -> list[SiblingEvent]:
    if event.cluster_id is None:
        return []
    query = (
        select(EventModel.id, EventModel.article_id, ArticleModel.title, EventModel.sentence)
        .join(ArticleModel, ArticleModel.id == EventModel.article_id)
        .where(EventModel.cluster_id == event.cluster_id, EventModel.id != event.id)
        .order_by(EventModel.id)
        .limit(MAX_RELATED)
    )
    return [SiblingEvent(*row) for row in session.execute(query).all()]


def verdict_history(session: Session, article_id: int, event_key: str) -> list[VerdictRow]:
    query = (
        select(EventVerdictModel)
        .where(EventVerdictModel.article_id == article_id, EventVerdictModel.event_key == event_key)
        .order_by(EventVerdictModel.id)
    )
    return [verdict_row(v) for v in session.scalars(query)]


def verdict_row(v: EventVerdictModel) -> VerdictRow:
    return VerdictRow(
        v.id, v.reviewer, v.at, v.state_before, v.state_after, v.before, v.after, v.note, v.undoes
    )
