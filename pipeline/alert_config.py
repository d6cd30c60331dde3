"""The ``alerts:`` section of config.yaml: channels, rules of five kinds, delivery
settings (issue 14). Validated with the rest of the config at start-up; each error
names its key path (``alerts.rules.0.channels``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline.records import EVENT_TYPES, EventType, slugify


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Frequency = Literal["immediate", "hourly", "daily", "weekly"]
RuleKind = Literal["mention", "event", "first-mention", "spike", "source-health"]
_ID_PREFIX = {
    "minerals": "mineral",
    "countries": "country",
    "organizations": "organization",
    "persons": "person",
    "places": "place",
    "sites": "site",
}
_ENTITY_ID = re.compile(r"^(mineral|country|organization|person|place|site):\S+$")
_APPRISE_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def entity_id(kind: str, value: str) -> str:
    """A filter value as a canonical id: ``gallium`` under minerals is ``mineral:gallium``,
    ``mx`` under countries ``country:MX``; a full id is kept as it is."""
    if _ENTITY_ID.match(value):
        return value
    prefix = _ID_PREFIX[kind]
    return f"{prefix}:{value.upper() if prefix == 'country' else slugify(value)}"


class RateLimit(_Section):
    count: int = Field(ge=1)
    per_minutes: int = Field(ge=1)


class AlertChannel(_Section):
    """A named delivery target: an Apprise URL (json://, mailto://, slack://, ...);
    ``secret`` signs webhook bodies; ``frequency`` sends digests; ``rate_limit`` folds
    the messages over the limit into the next hourly digest."""

    name: str = Field(min_length=1, max_length=100)
    url: str
    secret: str | None = None
    frequency: Frequency = "immediate"
    rate_limit: RateLimit | None = None
    templates: Path | None = None

    @field_validator("url")
    @classmethod
    def _apprise_url(cls, value: str) -> str:
        if not _APPRISE_URL.match(value):
            raise ValueError(f"{value!r} is not an Apprise URL; e.g. json://host/path or mailto://")
        return value


class AlertRule(_Section):
    """One rule; the keys each kind takes are listed in the README ("Alerts")."""

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    kind: RuleKind
    channels: tuple[str, ...] = Field(min_length=1)
    frequency: Frequency | None = None
    minerals: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    persons: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()
    in_title: bool = False
    min_mentions: int = Field(default=1, ge=1)
    types: tuple[EventType, ...] = ()
    polarity: Literal["positive", "negative", "any"] = "positive"
    entities: tuple[str, ...] = Field(default=(), max_length=2)
    days: int | None = Field(default=None, ge=1, le=3650)
    k: float = Field(default=3.0, ge=0)
    min_count: int = Field(default=3, ge=1)
    sources: tuple[str, ...] = ()
    failures: int = Field(default=3, ge=1)

    @field_validator("all_of", "entities")
    @classmethod
    def _full_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in value if not _ENTITY_ID.match(v)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not an entity id; write e.g. mineral:lithium")
        return value

    @field_validator("types")
    @classmethod
    def _event_types(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not set(value) <= set(EVENT_TYPES):  # pragma: no cover - Literal checks first
            raise ValueError(f"event types are {', '.join(EVENT_TYPES)}")
        return value

    def filters(self) -> dict[str, tuple[str, ...]]:
        """The per-type any-of lists as canonical ids, only the types given."""
        lists = {kind: getattr(self, kind) for kind in _ID_PREFIX}
        return {k: tuple(entity_id(k, v) for v in vs) for k, vs in lists.items() if vs}

    @model_validator(mode="after")
    def _keys_of_kind(self) -> AlertRule:
        needs_entities = self.kind in ("first-mention", "spike")
        if needs_entities and not self.entities:
            raise ValueError(f"a {self.kind} rule needs entities: [id] or [id, id]")
        if self.kind == "event" and not self.types:
            raise ValueError("an event rule needs types: e.g. [policy]")
        if self.kind == "mention" and not (self.filters() or self.all_of):
            raise ValueError("a mention rule needs at least one entity filter")
        return self


class DeliveryConfig(_Section):
    max_attempts: int = Field(default=6, ge=1, le=50)
    backoff_seconds: float = Field(default=30.0, ge=0)
    max_backoff_seconds: float = Field(default=3600.0, ge=0)
    timeout_seconds: float = Field(default=10.0, gt=0)
    lease_seconds: float = Field(default=120.0, gt=0)
    batch_size: int = Field(default=200, ge=1, le=10_000)
    workers: int = Field(default=8, ge=1, le=64)


class AlertsConfig(_Section):
    max_age_days: int = Field(default=7, ge=1)
    channels: tuple[AlertChannel, ...] = ()
    rules: tuple[AlertRule, ...] = ()
    delivery: DeliveryConfig = DeliveryConfig()

    @model_validator(mode="after")
    def _references(self) -> AlertsConfig:
        names = [c.name for c in self.channels]
        for label, values in (("channels", names), ("rules", [r.name for r in self.rules])):
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                raise ValueError(f"{label}: duplicate name {', '.join(map(repr, repeated))}")
        for number, rule in enumerate(self.rules):
            unknown = [c for c in rule.channels if c not in names]
            if unknown:
                raise ValueError(
                    f"rules.{number}.channels: unknown channel {unknown[0]!r}; "
                    f"the channels are: {', '.join(names) or '(none)'}"
                )
        return self
