"""The REST API under ``/api/v1``: the reads and writes of the pages, as JSON.

Every route uses the same ``models/`` query functions as the pages. Reads need any
account (a bearer token, or a page session); writes need a bearer token of a reviewer.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.orm import Session

from models.review_entities import search_entities
from models.review_events import event_detail
from models.review_queries import find_queue
from models.review_users import UserRow
from models.review_verdicts import bulk_verdict, record_verdict, undo_last
from models.run_queries import recent_failures, recent_runs
from review.api_models import (
    BulkIn,
    BulkOut,
    EntityOut,
    EventOut,
    EventPageOut,
    FailureOut,
    RunOut,
    UserOut,
    VerdictIn,
    VerdictOut,
)
from review.auth import api_reviewer, api_user, db
from review.errors import ApiError, ErrorBody
from review.params import MAX_ID, QueueParams

_ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 422, 500)
}
router = APIRouter(prefix="/api/v1", responses=_ERRORS)
Reader = Annotated[UserRow, Depends(api_user)]
Writer = Annotated[UserRow, Depends(api_reviewer)]
Db = Annotated[Session, Depends(db)]
EventId = Annotated[int, Path(ge=1, le=MAX_ID, description="the event id")]


@router.get("/me", response_model=UserOut, tags=["accounts"])
def me(user: Reader) -> UserRow:
    return user


@router.get("/events", response_model=EventPageOut, tags=["events"])
def list_events(params: Annotated[QueueParams, Query()], user: Reader, session: Db) -> object:
    """The event queue: filters, sort, a page from ``cursor``, and the total count."""
    return find_queue(
        session, params.event_filter(), sort=params.sort, cursor=params.cursor, limit=params.limit
    )


@router.get("/events/{event_id}", response_model=EventOut, tags=["events"])
def get_event(event_id: EventId, user: Reader, session: Db) -> object:
    """One event with its article text, mentions, copies, cluster and verdict history."""
    detail = event_detail(session, event_id)
    if detail is None:
        raise ApiError(404, f"no event with id {event_id}", "list events with GET /api/v1/events")
    return detail


@router.post("/events/{event_id}/verdicts", response_model=VerdictOut, tags=["events"])
def post_verdict(event_id: EventId, verdict: VerdictIn, user: Writer, session: Db) -> object:
    """Confirm, reject or correct one event; the verdict joins its history."""
    correction = verdict.correction.fields() if verdict.correction else None
    row = record_verdict(
        session,
        event_id,
        state=verdict.state,
        reviewer=user.name,
        note=verdict.note,
        correction=correction,
    )
    session.commit()
    return row


@router.post("/events/{event_id}/undo", response_model=VerdictOut, tags=["events"])
def post_undo(event_id: EventId, user: Writer, session: Db) -> object:
    """Undo the latest verdict on the event (recorded as a verdict of its own)."""
    row = undo_last(session, event_id, reviewer=user.name)
    session.commit()
    return row


@router.post("/events/bulk-verdicts", response_model=BulkOut, tags=["events"])
def post_bulk(bulk: BulkIn, user: Writer, session: Db) -> BulkOut:
    """Confirm or reject every event the filter matches, if ``expected`` is their count."""
    count = bulk_verdict(
        session,
        bulk.filter.event_filter(),
        state=bulk.state,
        reviewer=user.name,
        expected=bulk.expected,
        note=bulk.note,
    )
    session.commit()
    return BulkOut(count=count)


@router.get("/entities", response_model=list[EntityOut], tags=["entities"])
def find_entities(
    user: Reader,
    session: Db,
    q: Annotated[str, Query(max_length=200)] = "",
    type: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> object:
    """Entities whose name, id or an alias starts with ``q`` (the type-ahead)."""
    return search_entities(session, q, type_=type, limit=limit)


@router.get("/runs", response_model=list[RunOut], tags=["operations"])
def list_runs(user: Reader, session: Db, limit: Annotated[int, Query(ge=1, le=500)] = 20) -> object:
    return recent_runs(session, limit)


@router.get("/failures", response_model=list[FailureOut], tags=["operations"])
def list_failures(
    user: Reader,
    session: Db,
    since: dt.date | None = None,
    source: Annotated[str | None, Query(max_length=255)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> object:
    return recent_failures(session, since=since, source=source, limit=limit)
