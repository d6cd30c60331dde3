"""``minewatch events`` (list events for analysts) and ``minewatch review`` (verdicts)."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import TYPE_CHECKING

from models.db import storage_errors
from models.event_queries import REVIEW_STATES, ReviewState, find_events, review_event
from pipeline.cli.tables import FORMATS, iso_date, visible, write_records
from pipeline.errors import InputRejected
from pipeline.records import EVENT_TYPES, EntityType

if TYPE_CHECKING:
    from pipeline.cli.commands import Context

EVENT_COLUMNS = (
    "id",
    "type",
    "polarity",
    "date",
    "published",
    "trigger",
    "participants",
    "state",
    "confidence",
    "cluster_id",
    "sentence",
    "article_url",
)
_ENTITY_FILTERS: tuple[EntityType, ...] = ("mineral", "country", "organization", "person")


def add_event_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    events = sub.add_parser("events", help="list extracted events for analysts")
    events.add_argument("--type", choices=EVENT_TYPES, help="event type")
    for name in _ENTITY_FILTERS:
        events.add_argument(f"--{name}", help=f"only events with this {name} taking part")
    events.add_argument("--since", type=iso_date, help="event (or publication) date from")
    events.add_argument("--until", type=iso_date, help="event (or publication) date to")
    events.add_argument("--state", choices=REVIEW_STATES, help="review state")
    events.add_argument("--limit", type=int, default=1000)
    events.add_argument("--format", choices=FORMATS, default="table")
    events.set_defaults(handler=list_events)

    review = sub.add_parser("review", help="confirm, reject or correct an event")
    review.add_argument("event_id", type=int, metavar="EVENT_ID")
    verdict = review.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--confirm", dest="state", action="store_const", const="confirmed")
    verdict.add_argument("--reject", dest="state", action="store_const", const="rejected")
    verdict.add_argument("--correct", dest="correction", metavar="JSON", help="corrected fields")
    review.add_argument("--reviewer", required=True, help="who decides")
    review.add_argument("--note", help="why")
    review.set_defaults(handler=review_one)


def list_events(args: argparse.Namespace, ctx: Context) -> int:
    entities = {n: getattr(args, n) for n in _ENTITY_FILTERS if getattr(args, n)}
    with storage_errors(ctx.config.database.url), ctx.read_sessions() as session:
        rows = find_events(
            session,
            type_=args.type,
            entities=entities,
            since=args.since,
            until=args.until,
            state=args.state,
            limit=args.limit,
        )
    records = [asdict(row) for row in rows]
    write_records(records, EVENT_COLUMNS, args.format, ctx.out, f"{len(records)} events")
    return 0


def review_one(args: argparse.Namespace, ctx: Context) -> int:
    correction = _correction(args.correction) if args.correction else None
    state: ReviewState = "corrected" if correction is not None else args.state
    with storage_errors(ctx.config.database.url), ctx.sessions.begin() as session:
        review_event(
            session,
            args.event_id,
            state=state,
            reviewer=args.reviewer,
            note=args.note,
            correction=correction,
        )
    line = f"event {args.event_id}: {state} by {visible(args.reviewer)}"
    ctx.out.print(line, markup=False, highlight=False)
    return 0


def _correction(text: str) -> dict[str, object]:
    try:
        value = json.loads(text)
    except ValueError:
        raise InputRejected(
            f"--correct: not JSON ({text[:40]!r}); give an object of fields"
        ) from None
    if not isinstance(value, dict):
        raise InputRejected('--correct: give a JSON object, e.g. \'{"type": "policy"}\'')
    return value
