"""The JSON shapes of the REST API (they are what the OpenAPI schema documents)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.records import EventType
from review.params import QueueParams, State


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ChipOut(_Out):
    id: str
    name: str
    type: str


class EventRowOut(_Out):
    id: int
    type: str
    polarity: str
    date: dt.date | None
    published: dt.date | None
    confidence: float
    sentence: str
    state: str
    reviewer: str | None
    participants: list[ChipOut]
    article_id: int
    article_title: str | None
    source: str | None


class EventPageOut(_Out):
    items: list[EventRowOut] = Field(validation_alias="rows")
    total: int
    next_cursor: str | None


class MentionOut(_Out):
    start: int
    end: int
    entity_id: str
    entity_type: str
    entity_name: str


class ArticleLinkOut(_Out):
    id: int
    title: str | None
    url: str | None
    sitename: str | None
    published: dt.date | None


class SiblingOut(_Out):
    id: int
    article_id: int
    article_title: str | None
    sentence: str


class VerdictOut(_Out):
    id: int
    reviewer: str
    at: dt.datetime
    state_before: str
    state_after: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None
    undoes: int | None


class EventOut(_Out):
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
    state: str
    reviewer: str | None
    note: str | None
    correction: dict[str, Any] | None
    participants: list[ChipOut]
    article: ArticleLinkOut
    text: str
    mentions: list[MentionOut]
    copies: list[ArticleLinkOut]
    siblings: list[SiblingOut]
    history: list[VerdictOut]


class Correction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: EventType | None = None
    polarity: Literal["positive", "negative"] | None = None
    date: dt.date | None = None
    participants: list[str] | None = Field(default=None, max_length=100)

    def fields(self) -> dict[str, Any]:
        given = self.model_dump(mode="json", exclude_unset=True)
        return {k: v for k, v in given.items() if k != "participants" or v is not None}


class VerdictIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: Literal["confirmed", "rejected", "corrected"]
    note: str | None = Field(default=None, max_length=2000)
    correction: Correction | None = None


class BulkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: Literal["confirmed", "rejected"]
    expected: int = Field(ge=0, description="the count the reviewer agreed to")
    note: str | None = Field(default=None, max_length=2000)
    filter: QueueParams = QueueParams()


class BulkOut(BaseModel):
    count: int


class EntityOut(_Out):
    id: str
    type: str
    name: str


class UserOut(_Out):
    id: int
    name: str
    role: str


class RunOut(_Out):
    id: int
    trigger: str
    status: str
    started_at: dt.datetime
    seconds: float | None
    sources: int
    links: int
    fetched: int
    new: int
    updated: int
    unchanged: int
    duplicates: int
    failed: int


class FailureOut(_Out):
    at: dt.datetime
    run_id: int | None
    source: str | None
    stage: str
    url: str
    error_class: str
    message: str
    transient: bool
    hint: str | None


__all__ = ["State"]
