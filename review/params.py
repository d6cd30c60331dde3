"""The queue's query parameters, validated once for the pages and the API."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from models.review_queries import EventFilter, Sort
from pipeline.records import EventType
from review.errors import ApiError

State = Literal["new", "confirmed", "rejected", "corrected"]
Name = Field(default=None, max_length=200)
MAX_ID = 2**31 - 1


class QueueParams(BaseModel):
    """Filters, sort and page of the event queue (every field optional)."""

    model_config = ConfigDict(frozen=True)

    type: EventType | None = None
    polarity: Literal["positive", "negative"] | None = None
    mineral: str | None = Name
    country: str | None = Name
    organization: str | None = Name
    person: str | None = Name
    state: State | None = None
    source: str | None = Name
    min_confidence: float | None = Field(default=None, ge=0, le=1)
    max_confidence: float | None = Field(default=None, ge=0, le=1)
    since: dt.date | None = None
    until: dt.date | None = None
    sort: Sort = "date"
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=200)

    def event_filter(self) -> EventFilter:
        return EventFilter(
            type=self.type,
            polarity=self.polarity,
            mineral=self.mineral,
            country=self.country,
            organization=self.organization,
            person=self.person,
            state=self.state,
            source=self.source,
            min_confidence=self.min_confidence,
            max_confidence=self.max_confidence,
            since=self.since,
            until=self.until,
        )

    def query_string(self, **changes: object) -> str:
        """These parameters (minus defaults and empties) as a URL query, with ``changes``."""
        from urllib.parse import urlencode

        values = {**self.model_dump(exclude_defaults=True), **changes}
        return urlencode({k: str(v) for k, v in values.items() if v not in (None, "")})


FILTER_FIELDS = tuple(f for f in QueueParams.model_fields if f not in ("sort", "cursor", "limit"))


def parse_queue_params(values: dict[str, str]) -> QueueParams:
    """Parameters from a form or query string; empty fields count as not given."""
    given = {k: v for k, v in values.items() if k in QueueParams.model_fields and v.strip()}
    try:
        return QueueParams.model_validate(given)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ApiError(422, f"{where}: {first['msg']}", "fix the filter and try again") from None
