"""The event queue (``/events``), bulk verdicts, and the event page with its actions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from models.event_queries import ReviewState
from models.review_events import event_detail
from models.review_queries import find_queue, neighbours
from models.review_verdicts import bulk_verdict, record_verdict, undo_last
from pipeline.records import EVENT_TYPES
from review.auth import DbSession, PageVisitor, check_csrf, reviewer
from review.errors import ApiError
from review.highlight import pieces
from review.params import FILTER_FIELDS, MAX_ID, QueueParams, parse_queue_params
from review.templating import render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=2000)]
EventId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _params(request: Request) -> QueueParams:
    return parse_queue_params(dict(request.query_params))


@router.get("/")
def home() -> Response:
    return RedirectResponse("/events", status_code=303)


@router.get("/events")
def queue(request: Request, found: PageVisitor, session: DbSession) -> Response:
    params = _params(request)
    page = find_queue(
        session, params.event_filter(), sort=params.sort, cursor=params.cursor, limit=params.limit
    )
    context = {
        "visitor": found,
        "params": params,
        "page": page,
        "fields": FILTER_FIELDS,
        "event_types": EVENT_TYPES,
        "back": params.query_string(cursor=None),
    }
    return render(request, "events.html", context)


@router.post("/events/bulk")
def bulk(
    request: Request,
    found: PageVisitor,
    session: DbSession,
    csrf: Text,
    state: Annotated[ReviewState, Form()],
    query: Text = "",
    expected: Annotated[int | None, Form()] = None,
    note: Text = "",
) -> Response:
    """Without ``expected``: the confirmation step stating the count; with it: the verdicts."""
    check_csrf(found, csrf)
    user = reviewer(found)
    from urllib.parse import parse_qsl

    params = parse_queue_params(dict(parse_qsl(query)))
    if expected is None:
        from models.review_queries import count_events

        total = count_events(session, params.event_filter())
        context = {"visitor": found, "state": state, "total": total, "query": query, "note": note}
        return render(request, "confirm_bulk.html", context)
    done = bulk_verdict(
        session,
        params.event_filter(),
        state=state,
        reviewer=user.name,
        expected=expected,
        note=note or None,
    )
    session.commit()
    return RedirectResponse(f"/events?{params.query_string(cursor=None)}&done={done}", 303)


@router.get("/events/{event_id}")
def event_page(
    request: Request,
    found: PageVisitor,
    session: DbSession,
    event_id: EventId,
) -> Response:
    detail = event_detail(session, event_id)
    if detail is None:
        raise ApiError(404, f"no event with id {event_id}", "go back to the queue")
    params = _params(request)
    prev_id, next_id = neighbours(session, params.event_filter(), params.sort, event_id)
    context: dict[str, Any] = {
        "visitor": found,
        "event": detail,
        "pieces": pieces(detail.text, detail.mentions, detail.start, detail.end),
        "query": params.query_string(cursor=None),
        "prev_id": prev_id,
        "next_id": next_id,
        "event_types": EVENT_TYPES,
    }
    return render(request, "event.html", context)


def _back(event_id: int, query: str) -> Response:
    return RedirectResponse(f"/events/{event_id}?{query}" if query else f"/events/{event_id}", 303)


@router.post("/events/{event_id}/verdict")
def verdict(
    found: PageVisitor,
    session: DbSession,
    event_id: EventId,
    csrf: Text,
    state: Annotated[ReviewState, Form()],
    note: Text = "",
    query: Text = "",
) -> Response:
    check_csrf(found, csrf)
    user = reviewer(found)
    if state == "corrected":
        raise ApiError(400, "a correction goes through the correct form", "press e")
    record_verdict(session, event_id, state=state, reviewer=user.name, note=note or None)
    session.commit()
    return _back(event_id, query)


@router.post("/events/{event_id}/correct")
def correct(
    found: PageVisitor,
    session: DbSession,
    event_id: EventId,
    csrf: Text,
    type: Annotated[str, Form(max_length=32)],
    polarity: Annotated[str, Form(max_length=16)],
    date: Annotated[str, Form(max_length=10)] = "",
    participants: Annotated[list[str] | None, Form()] = None,
    note: Text = "",
    query: Text = "",
) -> Response:
    check_csrf(found, csrf)
    user = reviewer(found)
    correction = {
        "type": type,
        "polarity": polarity,
        "date": date or None,
        "participants": sorted(set(participants or [])),
    }
    record_verdict(
        session,
        event_id,
        state="corrected",
        reviewer=user.name,
        note=note or None,
        correction=correction,
    )
    session.commit()
    return _back(event_id, query)


@router.post("/events/{event_id}/undo")
def undo(
    found: PageVisitor,
    session: DbSession,
    event_id: EventId,
    csrf: Text,
    query: Text = "",
) -> Response:
    check_csrf(found, csrf)
    user = reviewer(found)
    undo_last(session, event_id, reviewer=user.name)
    session.commit()
    return _back(event_id, query)
