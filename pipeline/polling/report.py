"""What a poll reports: counts per run and per source, and the callbacks the CLI uses
to draw its progress bar and red lines."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from models import crawl_store as cs
from pipeline.errors import StageFailure, page_hint, source_hint

SourceStatus = Literal["ok", "not_modified", "failed", "backing_off"]


@dataclass(frozen=True)
class Counts:
    sources: int = 0
    links: int = 0
    skipped: int = 0
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failed: int = 0

    @classmethod
    def of(cls, counter: Counter[str]) -> Counts:
        return cls(**{name: counter[name] for name in cs.COUNT_FIELDS})

    def summary(self) -> str:
        return (
            f"{self.new} new, {self.updated} updated, {self.duplicates} duplicate, "
            f"{self.unchanged} unchanged, {self.skipped} known, {self.failed} failed"
        )


@dataclass(frozen=True)
class SourceReport:
    name: str
    status: SourceStatus
    counts: Counts
    seconds: float
    next_poll_at: dt.datetime | None = None
    error: str | None = None

    def one_line(self) -> str:
        if self.status == "backing_off":
            return f"{self.name}: backing off until {_hhmm(self.next_poll_at)}"
        if self.status == "not_modified":
            return f"{self.name}: not modified ({self.seconds:.1f} s)"
        if self.status == "failed":
            return (
                f"{self.name}: failed ({self.seconds:.1f} s); next poll {_hhmm(self.next_poll_at)}"
            )
        return f"{self.name}: {self.counts.summary()} ({self.seconds:.1f} s)"


@dataclass(frozen=True)
class RunReport:
    run_id: int
    status: cs.RunStatus
    counts: Counts
    sources: tuple[SourceReport, ...]
    seconds: float

    @property
    def failed_sources(self) -> tuple[SourceReport, ...]:
        return tuple(s for s in self.sources if s.status == "failed")


class Reporter:
    """What a poll tells its caller as it goes; the CLI overrides these."""

    def pages_found(self, count: int) -> None:
        return None

    def page_done(self) -> None:
        return None

    def source_done(self, report: SourceReport) -> None:
        return None

    def failure(self, failure: cs.FailureRecord) -> None:
        return None


def _hhmm(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "-"


def failure_record(
    failure: StageFailure, url: str, source: str, *, of_source: bool = False
) -> cs.FailureRecord:
    """The failure row (and red line) of one URL, with the hint for where it failed."""
    hint = source_hint(failure.error) if of_source else page_hint(failure.error)
    return cs.FailureRecord.of(failure, url, source, hint)


def failure_line(record: cs.FailureRecord) -> str:
    """``source: url: stage: message; hint`` on one line."""
    where = f"{record.source}: " if record.source else ""
    hint = f"; {record.hint}" if record.hint else ""
    return f"{where}{record.url}: {record.stage}: {record.message}{hint}"
