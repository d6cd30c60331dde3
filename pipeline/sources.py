"""Source configuration: what to poll, how often, and how to find article links in it.

A source is one feed, sitemap, listing page or single URL under ``sources:`` in
config.yaml. Validation happens at start-up so a typo in a cron line or a regex
fails before the scheduler starts, with the key path in the message
(``config.yaml: sources.0.schedule.cron: ...``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal
from urllib.parse import urlsplit

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SourceKind = Literal["feed", "sitemap", "listing", "url"]
_NAME = re.compile(r"^[a-z0-9_-]+$")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScheduleConfig(_Frozen):
    """When to poll: exactly one of ``every_minutes`` (an interval; the scheduler adds
    jitter) or ``cron`` (a standard 5-field crontab line, UTC, e.g. ``"*/30 6-22 * * *"``).

    One model with two optional keys rather than a union of two models, so that an
    error names one key path (``sources.0.schedule.cron``) instead of every branch.
    """

    every_minutes: int | None = Field(default=None, ge=1)
    cron: str | None = None

    @field_validator("cron")
    @classmethod
    def _valid_crontab(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if len(value.split()) != 5:
            raise ValueError(
                f"{value!r} is not a 5-field crontab line (minute hour day month weekday)"
            )
        try:
            trigger = CronTrigger.from_crontab(value, timezone="UTC")
        except ValueError as exc:
            raise ValueError(f"invalid crontab {value!r}: {exc}") from None
        now = dt.datetime.now(dt.UTC)
        fire = trigger.get_next_fire_time(None, now)
        if fire is None or fire - now > dt.timedelta(days=366):
            raise ValueError(f"crontab {value!r} never fires in the next year; check the day")
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> ScheduleConfig:
        if (self.every_minutes is None) == (self.cron is None):
            raise ValueError("give exactly one of every_minutes or cron")
        return self


class SourceConfig(_Frozen):
    """One polled source. ``link_pattern`` exists only for listing pages, where it
    picks the article links out of all the page's links (``re.search`` on the
    absolute URL)."""

    name: str
    kind: SourceKind
    url: str
    schedule: ScheduleConfig = ScheduleConfig(every_minutes=60)
    language: str | None = None
    expected_cadence_hours: float | None = Field(default=None, gt=0)
    link_pattern: str | None = None
    enabled: bool = True

    @field_validator("name")
    @classmethod
    def _slug_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(
                f"{value!r} is not a valid source name; use lowercase letters, digits, - and _"
            )
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        try:
            parts = urlsplit(value)
            _ = parts.port  # a port outside 0-65535 raises ValueError
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a valid URL: {exc}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @field_validator("link_pattern")
    @classmethod
    def _valid_regex(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {value!r}: {exc}") from None
        return value

    @model_validator(mode="after")
    def _pattern_only_for_listings(self) -> SourceConfig:
        if self.kind == "listing" and self.link_pattern is None:
            raise ValueError("a listing source needs link_pattern (a regex for article URLs)")
        if self.kind != "listing" and self.link_pattern is not None:
            raise ValueError(f"link_pattern applies only to listing sources, not {self.kind!r}")
        return self


def duplicate_names(sources: tuple[SourceConfig, ...]) -> list[str]:
    """Names used by more than one source, in first-seen order."""
    seen: set[str] = set()
    duplicates: list[str] = []
    for source in sources:
        if source.name in seen and source.name not in duplicates:
            duplicates.append(source.name)
        seen.add(source.name)
    return duplicates
