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
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from models.schema import EventClusterModel, EventModel, EventParticipantModel
from models.upsert import dialect_insert
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
    kept = [event for key, event in wanted.items() if key in stored]
    clusters = _event_clusters(session, kept)
    for event in kept:
        _update(session, stored[event.key], event, analyzed.events_version, clusters)
    new = [event for key, event in wanted.items() if key not in stored]
    session.flush()
    insert_events(session, article_id, new, analyzed.events_version)
    return True


def signature(event: Event) -> str:
    date = event.date.isoformat() if event.date else ""
    parts = "|".join(sorted(event.participants))
    text = f"{event.type}|{event.polarity}|{date}|{event.date_precision or ''}|{parts}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _update(
    session: Session, row: EventModel, event: Event, version: str, clusters: dict[str, int]
) -> None:
    for name, value in _event_values(row.article_id, event, version, clusters).items():
        setattr(row, name, value)
    session.execute(delete(EventParticipantModel).where(EventParticipantModel.event_id == row.id))
    session.add_all(
        EventParticipantModel(event_id=row.id, entity_id=entity_id, role=role)
        for attribute, role in _ROLES
        for entity_id in dict.fromkeys(getattr(event, attribute))
    )


def insert_events(session: Session, article_id: int, events: Sequence[Event], version: str) -> None:
    """Insert events (none of them stored yet) with their participants, in a few
    statements rather than a few per event."""
    events = list({event.key: event for event in events}.values())
    if not events:
        return
    clusters = _event_clusters(session, events)
    connection = session.connection()
    rows = [_event_values(article_id, e, version, clusters) for e in events]
    stmt = insert(EventModel).returning(EventModel.id, sort_by_parameter_order=True)
    ids = list(connection.execute(stmt, rows).scalars())
    participants = [
        {"event_id": event_id, "entity_id": entity_id, "role": role}
        for event_id, event in zip(ids, events, strict=True)
        for attribute, role in _ROLES
        for entity_id in dict.fromkeys(getattr(event, attribute))
    ]
    if participants:
        connection.execute(insert(EventParticipantModel), participants)


def _event_values(
    article_id: int, event: Event, version: str, clusters: dict[str, int]
) -> dict[str, Any]:
    return {
        "article_id": article_id,
        "event_key": event.key,
        "type": event.type,
        "trigger": event.trigger,
        "sentence": event.sentence,
        "start": event.start,
        "end": event.end,
        "polarity": event.polarity,
        "event_date": event.date,
        "date_precision": event.date_precision,
        "confidence": event.confidence,
        "cluster_id": clusters[signature(event)],
        "events_version": version,
    }


def _event_clusters(session: Session, events: Sequence[Event]) -> dict[str, int]:
    """The cluster id of every event's signature, creating the clusters not stored yet."""
    types = {signature(event): event.type for event in events}
    found = _cluster_ids(session, list(types))
    missing = [key for key in types if key not in found]
    if missing:
        now = _now()
        rows = [{"signature": key, "type": types[key], "created_at": now} for key in missing]
        stmt = dialect_insert(session, EventClusterModel).on_conflict_do_nothing()
        session.connection().execute(stmt, rows)
        found.update(_cluster_ids(session, missing))
    return found


def _cluster_ids(session: Session, signatures: list[str]) -> dict[str, int]:
    query = select(EventClusterModel.signature, EventClusterModel.id).where(
        EventClusterModel.signature.in_(signatures)
    )
    return {key: cluster_id for key, cluster_id in session.connection().execute(query).all()}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
