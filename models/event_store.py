"""Storing events with their article, never touching analysts' reviews.

Events of one article are brought up to date when its events version or tags change,
matched by their stable key, so an event keeps its id; a review lives in
``event_reviews`` under that key and is never written by reprocessing. Each event
joins the cluster of its signature (type, polarity, date and participants): the same
claim reported by several articles, or repeated within one, is one cluster.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.schema import EventClusterModel, EventModel, EventParticipantModel
from pipeline.records import AnalyzedArticle, EntityType, Event

_ROLES: tuple[tuple[str, EntityType], ...] = (
    ("minerals", "mineral"),
    ("countries", "country"),
    ("organizations", "organization"),
    ("persons", "person"),
)


def store_events(session: Session, article_id: int, analyzed: AnalyzedArticle, force: bool) -> bool:
    """Bring the article's stored events in line with ``analyzed``; True if anything changed.

    Events are matched by key: a kept event is updated in place (its id, which analysts
    use with ``minewatch review``, stays the same), a new one inserted, a vanished one
    deleted. Without ``force`` nothing is written when keys and version already match.
    """
    stored = {
        row.event_key: row
        for row in session.scalars(select(EventModel).where(EventModel.article_id == article_id))
    }
    wanted = {event.key: event for event in analyzed.events}
    current = all(row.events_version == analyzed.events_version for row in stored.values())
    if not force and current and stored.keys() == wanted.keys():
        return False
    for key in stored.keys() - wanted.keys():
        session.delete(stored[key])
    for key, event in wanted.items():
        row = stored.get(key) or EventModel(article_id=article_id, event_key=key)
        _fill(session, row, event, analyzed.events_version)
    session.flush()
    return True


def signature(event: Event) -> str:
    date = event.date.isoformat() if event.date else ""
    parts = "|".join(sorted(event.participants))
    text = f"{event.type}|{event.polarity}|{date}|{event.date_precision or ''}|{parts}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _fill(session: Session, row: EventModel, event: Event, version: str) -> None:
    row.type, row.trigger, row.sentence = event.type, event.trigger, event.sentence
    row.start, row.end, row.polarity = event.start, event.end, event.polarity
    row.event_date, row.date_precision = event.date, event.date_precision
    row.confidence, row.events_version = event.confidence, version
    row.cluster_id = _cluster_id(session, event)
    session.add(row)
    session.flush()
    session.execute(delete(EventParticipantModel).where(EventParticipantModel.event_id == row.id))
    for attribute, role in _ROLES:
        for entity_id in dict.fromkeys(getattr(event, attribute)):
            session.add(EventParticipantModel(event_id=row.id, entity_id=entity_id, role=role))


def _cluster_id(session: Session, event: Event) -> int:
    key = signature(event)
    found = session.scalars(
        select(EventClusterModel.id).where(EventClusterModel.signature == key)
    ).one_or_none()
    if found is not None:
        return found
    cluster = EventClusterModel(signature=key, type=event.type, created_at=_now())
    session.add(cluster)
    session.flush()
    return cluster.id


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
