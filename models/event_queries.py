"""Events for analysts: filtered lists with review state, and the review itself.

Filters combine with AND: an event passes a mineral, country, organization or person
filter when that entity takes part in it. Dates filter the event date (falling back
to the article's publication date when the sentence gives none).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, Subquery, and_, func, select
from sqlalchemy.orm import Session

from models.queries import resolve_entity
from models.schema import ArticleModel, EventModel, EventParticipantModel, EventReviewModel
from pipeline.errors import InputRejected
from pipeline.records import EntityType

ReviewState = Literal["new", "confirmed", "rejected", "corrected"]
REVIEW_STATES: tuple[ReviewState, ...] = ("new", "confirmed", "rejected", "corrected")


@dataclass(frozen=True)
class EventRow:
    id: int
    type: str
    polarity: str
    date: dt.date | None
    published: dt.date | None
    trigger: str
    sentence: str
    confidence: float
    participants: tuple[str, ...]
    cluster_id: int | None
    state: str
    reviewer: str | None
    article_url: str | None
    article_title: str | None


def find_events(
    session: Session,
    *,
    type_: str | None = None,
    entities: dict[EntityType, str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    state: ReviewState | None = None,
    limit: int = 1000,
) -> list[EventRow]:
    review = _review_join()
    when = func.coalesce(EventModel.event_date, ArticleModel.published)
    first = _joined(select(EventModel.id), review)
    if type_:
        first = first.where(EventModel.type == type_)
    for entity_type, value in (entities or {}).items():
        first = first.where(_takes_part(resolve_entity(session, entity_type, value)))
    if since:
        first = first.where(when >= since)
    if until:
        first = first.where(when <= until)
    if state == "new":
        first = first.where(review.c.state.is_(None))
    elif state:
        first = first.where(review.c.state == state)
    # Filter and sort narrow rows (ids) first; full rows only for the page.
    first = first.order_by(when.desc().nulls_last(), EventModel.id).limit(limit)
    columns = (ArticleModel.url, ArticleModel.title, ArticleModel.published)
    query = _joined(select(EventModel, *columns, review.c.state, review.c.reviewer), review)
    query = query.where(EventModel.id.in_(first))
    query = query.order_by(when.desc().nulls_last(), EventModel.id).limit(limit)
    rows = session.execute(query).all()
    members = _participants(session, [row[0].id for row in rows])
    return [
        EventRow(
            id=event.id,
            type=event.type,
            polarity=event.polarity,
            date=event.event_date,
            published=published,
            trigger=event.trigger,
            sentence=event.sentence,
            confidence=event.confidence,
            participants=members.get(event.id, ()),
            cluster_id=event.cluster_id,
            state=review_state or "new",
            reviewer=reviewer,
            article_url=url,
            article_title=title,
        )
        for event, url, title, published, review_state, reviewer in rows
    ]


def review_event(
    session: Session,
    event_id: int,
    *,
    state: ReviewState,
    reviewer: str,
    note: str | None = None,
    correction: dict[str, object] | None = None,
) -> None:
    """Record an analyst's verdict; the caller commits. Reprocessing never writes here."""
    event = session.get(EventModel, event_id)
    if event is None:
        raise InputRejected(f"no event with id {event_id}; list them with `minewatch events`")
    if state == "corrected" and not correction:
        raise InputRejected("a correction needs --correction JSON with the corrected fields")
    row = session.scalars(
        select(EventReviewModel).where(
            EventReviewModel.article_id == event.article_id,
            EventReviewModel.event_key == event.event_key,
        )
    ).one_or_none()
    if row is None:
        row = EventReviewModel(article_id=event.article_id, event_key=event.event_key)
        session.add(row)
    row.state, row.reviewer, row.note, row.correction = state, reviewer, note, correction
    row.reviewed_at = dt.datetime.now(dt.UTC)


def _joined(query: Select[Any], review: Subquery) -> Select[Any]:
    """``query`` over events joined to their article and (outer) to their review."""
    return query.join(ArticleModel, ArticleModel.id == EventModel.article_id).outerjoin(
        review,
        and_(
            review.c.article_id == EventModel.article_id,
            review.c.event_key == EventModel.event_key,
        ),
    )


def _review_join() -> Subquery:
    return select(
        EventReviewModel.article_id,
        EventReviewModel.event_key,
        EventReviewModel.state,
        EventReviewModel.reviewer,
    ).subquery()


def _takes_part(entity_ids: list[str]) -> ColumnElement[bool]:
    """The event has one of ``entity_ids`` among its participants.

    An IN over the (entity_id, event_id) index rather than a correlated EXISTS: SQLite
    then starts from the entity's events instead of probing every event.
    """
    return EventModel.id.in_(
        select(EventParticipantModel.event_id).where(
            EventParticipantModel.entity_id.in_(entity_ids)
        )
    )


def _participants(session: Session, event_ids: list[int]) -> dict[int, tuple[str, ...]]:
    rows = session.execute(
        select(EventParticipantModel.event_id, EventParticipantModel.entity_id)
        .where(EventParticipantModel.event_id.in_(event_ids))
        .order_by(EventParticipantModel.id)
    ).all()
    grouped: dict[int, list[str]] = {}
    for event_id, entity_id in rows:
        grouped.setdefault(event_id, []).append(entity_id)
    return {k: tuple(v) for k, v in grouped.items()}
