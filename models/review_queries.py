"""The event queue of the review app: filters, sort, cursor pages and counts.

One :class:`EventFilter` drives the queue page, its count, the bulk verdicts and the
API. Filters combine with AND. Entity filters take the same values as the CLI (an id,
a name, an alias, an ISO country code). ``source`` is the configured source name the
article was fetched from, or its site name. Dates apply to the event date, else the
publication date. Sorting is by that date (newest first) or by confidence (highest
first), ties by id; the cursor is the last row's sort key, so pages are stable while
rows are added (keyset pagination).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from models.event_queries import _joined, _review_join, _takes_part
from models.queries import resolve_entity
from models.schema import (
    ArticleModel,
    EntityModel,
    EventModel,
    EventParticipantModel,
    PageStateModel,
)
from pipeline.errors import InputRejected
from pipeline.records import EntityType

Sort = Literal["date", "confidence"]
SORTS: tuple[Sort, ...] = ("date", "confidence")
ENTITY_FILTERS: tuple[EntityType, ...] = ("mineral", "country", "organization", "person")


@dataclass(frozen=True)
class EventFilter:
    type: str | None = None
    polarity: str | None = None
    mineral: str | None = None
    country: str | None = None
    organization: str | None = None
    person: str | None = None
    state: str | None = None
    source: str | None = None
    min_confidence: float | None = None
    max_confidence: float | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def entities(self) -> dict[EntityType, str]:
        given = {t: getattr(self, t) for t in ENTITY_FILTERS}
        return {t: v for t, v in given.items() if v and v.strip()}


@dataclass(frozen=True)
class Chip:
    """A participant as the queue shows it: id, display name and type."""

    id: str
    name: str
    type: str


@dataclass(frozen=True)
class QueueRow:
    id: int
    type: str
    polarity: str
    date: dt.date | None
    published: dt.date | None
    confidence: float
    sentence: str
    state: str
    reviewer: str | None
    participants: tuple[Chip, ...]
    article_id: int
    article_title: str | None
    source: str | None


@dataclass(frozen=True)
class QueuePage:
    rows: tuple[QueueRow, ...]
    total: int
    next_cursor: str | None


def _when() -> ColumnElement[Any]:
    return func.coalesce(EventModel.event_date, ArticleModel.published)


def _from_source(name: str) -> ColumnElement[bool]:
    fetched = select(PageStateModel.article_id).where(PageStateModel.source == name)
    return or_(ArticleModel.id.in_(fetched), ArticleModel.sitename == name)


def _filtered(session: Session, query: Select[Any], f: EventFilter) -> Select[Any]:
    """``query`` (over events joined to article and review) narrowed by ``f``."""
    review = _review_join()
    query = _joined(query, review)
    when = _when()
    conditions: list[ColumnElement[bool]] = []
    if f.type:
        conditions.append(EventModel.type == f.type)
    if f.polarity:
        conditions.append(EventModel.polarity == f.polarity)
    for entity_type, value in f.entities().items():
        conditions.append(_takes_part(resolve_entity(session, entity_type, value)))
    if f.state == "new":
        conditions.append(review.c.state.is_(None))
    elif f.state:
        conditions.append(review.c.state == f.state)
    if f.source:
        conditions.append(_from_source(f.source))
    if f.min_confidence is not None:
        conditions.append(EventModel.confidence >= f.min_confidence)
    if f.max_confidence is not None:
        conditions.append(EventModel.confidence <= f.max_confidence)
    if f.since:
        conditions.append(when >= f.since)
    if f.until:
        conditions.append(when <= f.until)
    return query.where(*conditions)


def count_events(session: Session, f: EventFilter) -> int:
    return session.scalar(_filtered(session, select(func.count(EventModel.id)), f)) or 0


def _order(sort: Sort) -> tuple[Any, ...]:
    if sort == "confidence":
        return (EventModel.confidence.desc(), EventModel.id)
    return (_when().is_(None), _when().desc(), EventModel.id)


def encode_cursor(sort: Sort, row: QueueRow) -> str:
    key: object = row.confidence if sort == "confidence" else _iso(row.date or row.published)
    raw = json.dumps([sort, key, row.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def decode_cursor(sort: Sort, cursor: str) -> tuple[object, int]:
    """The (sort key, id) a cursor holds; InputRejected for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        kind, key, last_id = json.loads(raw)
        if kind != sort or not isinstance(last_id, int) or not 0 <= last_id < 2**31:
            raise ValueError(kind)
        if sort == "confidence" and not (isinstance(key, int | float) and abs(key) < 1e9):
            raise ValueError(key)
        if sort == "date" and key is not None:
            key = dt.date.fromisoformat(key)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise InputRejected(
            "invalid cursor; pass the next_cursor of the previous page unchanged"
        ) from exc
    return key, last_id


def _after(sort: Sort, key: object, last_id: int) -> ColumnElement[bool]:
    """Rows that come after (key, last_id) in the order of ``sort``."""
    if sort == "confidence":
        value = float(key)  # type: ignore[arg-type]
        return or_(
            EventModel.confidence < value,
            and_(EventModel.confidence == value, EventModel.id > last_id),
        )
    when = _when()
    if key is None:
        return and_(when.is_(None), EventModel.id > last_id)
    return or_(when < key, and_(when == key, EventModel.id > last_id), when.is_(None))


def event_ids(
    session: Session,
    f: EventFilter,
    *,
    sort: Sort = "date",
    cursor: str | None = None,
    limit: int = 50,
) -> list[int]:
    """The ids of the next ``limit`` matching events in queue order."""
    query = _filtered(session, select(EventModel.id), f)
    if cursor:
        query = query.where(_after(sort, *decode_cursor(sort, cursor)))
    return list(session.scalars(query.order_by(*_order(sort)).limit(limit)))


def find_queue(
    session: Session,
    f: EventFilter,
    *,
    sort: Sort = "date",
    cursor: str | None = None,
    limit: int = 50,
) -> QueuePage:
    """One page of the queue, the count of all matches and the cursor of the next page."""
    ids = event_ids(session, f, sort=sort, cursor=cursor, limit=limit + 1)
    rows = queue_rows(session, ids[:limit])
    more = len(ids) > limit and bool(rows)
    return QueuePage(
        rows=tuple(rows),
        total=count_events(session, f),
        next_cursor=encode_cursor(sort, rows[-1]) if more else None,
    )


def queue_rows(session: Session, ids: list[int]) -> list[QueueRow]:
    """Full rows for ``ids``, in the order given."""
    if not ids:
        return []
    review = _review_join()
    columns = (
        ArticleModel.title,
        ArticleModel.published,
        ArticleModel.sitename,
        review.c.state,
        review.c.reviewer,
    )
    query = _joined(select(EventModel, *columns), review).where(EventModel.id.in_(ids))
    found = {row[0].id: row for row in session.execute(query).all()}
    chips = participant_chips(session, ids)
    rows = []
    for event_id in ids:
        if event_id not in found:
            continue
        event, title, published, sitename, state, reviewer = found[event_id]
        rows.append(
            QueueRow(
                id=event.id,
                type=event.type,
                polarity=event.polarity,
                date=event.event_date,
                published=published,
                confidence=event.confidence,
                sentence=event.sentence,
                state=state or "new",
                reviewer=reviewer,
                participants=chips.get(event.id, ()),
                article_id=event.article_id,
                article_title=title,
                source=sitename,
            )
        )
    return rows


def participant_chips(session: Session, event_ids: list[int]) -> dict[int, tuple[Chip, ...]]:
    if not event_ids:
        return {}
    query = (
        select(EventParticipantModel.event_id, EntityModel.id, EntityModel.name, EntityModel.type)
        .join(EntityModel, EntityModel.id == EventParticipantModel.entity_id)
        .where(EventParticipantModel.event_id.in_(event_ids))
        .order_by(EventParticipantModel.id)
    )
    grouped: dict[int, list[Chip]] = {}
    for event_id, entity_id, name, type_ in session.execute(query).all():
        grouped.setdefault(event_id, []).append(Chip(entity_id, name, type_))
    return {k: tuple(v) for k, v in grouped.items()}


def neighbours(
    session: Session, f: EventFilter, sort: Sort, event_id: int
) -> tuple[int | None, int | None]:
    """The previous and next event around ``event_id`` in the filtered queue (j/k)."""
    rows = queue_rows(session, [event_id])
    if not rows:
        return None, None
    key, _ = decode_cursor(sort, encode_cursor(sort, rows[0]))
    following = _filtered(session, select(EventModel.id), f).where(_after(sort, key, event_id))
    nxt = session.scalar(following.order_by(*_order(sort)).limit(1))
    before = _filtered(session, select(EventModel.id), f).where(
        ~_after(sort, key, event_id), EventModel.id != event_id
    )
    prev = session.scalar(before.order_by(*_reverse_order(sort)).limit(1))
    return prev, nxt


def _reverse_order(sort: Sort) -> tuple[Any, ...]:
    if sort == "confidence":
        return (EventModel.confidence.asc(), EventModel.id.desc())
    return (_when().is_(None).desc(), _when().asc(), EventModel.id.desc())
