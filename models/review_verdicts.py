"""Writing verdicts from the review app: one event, undo, and the filtered set in bulk.

Every verdict updates the current review (``event_reviews``, as ``minewatch review``
does) and appends one row to ``event_verdicts``; history rows are never changed. An
undo appends a row too: it puts back the state and correction from before the
latest verdict that is not itself undone. The caller commits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.event_queries import ReviewState, review_event
from models.review_events import VerdictRow, current_review, verdict_row
from models.review_queries import EventFilter, count_events, event_ids
from models.review_schema import EventVerdictModel
from models.schema import EntityModel, EventModel
from pipeline.errors import InputRejected
from pipeline.records import EVENT_TYPES

MAX_BULK = 5000
POLARITIES = ("positive", "negative")
CORRECTABLE = ("type", "polarity", "date", "participants")


def _event(session: Session, event_id: int) -> EventModel:
    event = session.get(EventModel, event_id)
    if event is None:
        raise InputRejected(f"no event with id {event_id}")
    return event


def check_correction(session: Session, correction: dict[str, Any]) -> dict[str, Any]:
    """The correction with only known fields, each valid; InputRejected otherwise."""
    unknown = set(correction) - set(CORRECTABLE)
    if unknown or not correction:
        raise InputRejected(f"a correction has one or more of {', '.join(CORRECTABLE)}")
    if "type" in correction and correction["type"] not in EVENT_TYPES:
        raise InputRejected(f"unknown event type; use one of {', '.join(EVENT_TYPES)}")
    if "polarity" in correction and correction["polarity"] not in POLARITIES:
        raise InputRejected("polarity is positive or negative")
    if correction.get("date") is not None:
        try:
            dt.date.fromisoformat(str(correction["date"]))
        except ValueError:
            raise InputRejected("date is YYYY-MM-DD") from None
    if "participants" in correction:
        _check_entities(session, correction["participants"])
    return correction


def _check_entities(session: Session, ids: object) -> None:
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise InputRejected("participants is a list of entity ids")
    known = set(session.scalars(select(EntityModel.id).where(EntityModel.id.in_(ids))))
    missing = [i for i in ids if i not in known]
    if missing:
        raise InputRejected(f"unknown entities: {', '.join(missing[:5])}; pick known entities")


def record_verdict(
    session: Session,
    event_id: int,
    *,
    state: ReviewState,
    reviewer: str,
    note: str | None = None,
    correction: dict[str, Any] | None = None,
) -> VerdictRow:
    """Give a verdict on one event and append it to the history."""
    if state == "new":
        raise InputRejected("a verdict is confirmed, rejected or corrected")
    correction = check_correction(session, correction or {}) if state == "corrected" else None
    event = _event(session, event_id)
    review = current_review(session, event)
    before_state = review.state if review else "new"
    before = review.correction if review else None
    review_event(
        session, event_id, state=state, reviewer=reviewer, note=note, correction=correction
    )
    return _append(session, event, reviewer, (before_state, before), (state, correction), note)


def _append(
    session: Session,
    event: EventModel,
    reviewer: str,
    before: tuple[str, dict[str, Any] | None],
    after: tuple[str, dict[str, Any] | None],
    note: str | None,
    undoes: int | None = None,
) -> VerdictRow:
    row = EventVerdictModel(
        article_id=event.article_id,
        event_key=event.event_key,
        reviewer=reviewer,
        at=dt.datetime.now(dt.UTC),
        state_before=before[0],
        before=before[1],
        state_after=after[0],
        after=after[1],
        note=note,
        undoes=undoes,
    )
    session.add(row)
    session.flush()
    return verdict_row(row)


def undo_last(session: Session, event_id: int, *, reviewer: str) -> VerdictRow:
    """Revert the latest verdict on the event that is not undone (an undo is a verdict)."""
    event = _event(session, event_id)
    history = list(
        session.scalars(
            select(EventVerdictModel)
            .where(
                EventVerdictModel.article_id == event.article_id,
                EventVerdictModel.event_key == event.event_key,
            )
            .order_by(EventVerdictModel.id.desc())
        )
    )
    undone = {v.undoes for v in history if v.undoes is not None}
    target = next((v for v in history if v.undoes is None and v.id not in undone), None)
    if target is None:
        raise InputRejected(f"event {event_id} has no verdict to undo")
    review = current_review(session, event)
    now = (review.state if review else "new", review.correction if review else None)
    if target.state_before == "new":
        if review is not None:
            session.delete(review)
    else:
        review_event(
            session,
            event_id,
            state=target.state_before,  # type: ignore[arg-type]
            reviewer=reviewer,
            note=f"undo of verdict {target.id}",
            correction=target.before,
        )
    after = (target.state_before, target.before)
    return _append(session, event, reviewer, now, after, f"undo of verdict {target.id}", target.id)


def bulk_verdict(
    session: Session,
    f: EventFilter,
    *,
    state: ReviewState,
    reviewer: str,
    expected: int,
    note: str | None = None,
) -> int:
    """Confirm or reject every event the filter matches, if there are ``expected`` of them.

    ``expected`` is the count the reviewer was shown and agreed to; if the set changed
    since, nothing is written and InputRejected says so.
    """
    if state not in ("confirmed", "rejected"):
        raise InputRejected("bulk verdicts are confirmed or rejected")
    total = count_events(session, f)
    if total != expected:
        raise InputRejected(
            f"the filter now matches {total} events, not {expected}; review the count again"
        )
    if total > MAX_BULK:
        raise InputRejected(f"{total} events: narrow the filter to at most {MAX_BULK}")
    for event_id in event_ids(session, f, limit=MAX_BULK):
        record_verdict(session, event_id, state=state, reviewer=reviewer, note=note)
    return total
