"""The bookkeeping of one poll run: its counts and buffered fetch log, each source's job
within it, and the small pure helpers the poller uses."""

from __future__ import annotations

import contextvars
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.orm import Session

from models import crawl_store as cs
from pipeline.errors import MinewatchError, UnexpectedError
from pipeline.records import DiscoveredLink
from pipeline.sources import SourceConfig


@dataclass
class Run:
    """The mutable bookkeeping of one run: counts, buffered fetch log, failures."""

    run_id: int
    counts: Counter[str] = field(default_factory=Counter)
    log: list[cs.LogRecord] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)


@dataclass
class Job:
    """One source within a run: its own counts, added to the run's as they happen."""

    run: Run
    source: str
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, key: str, count: int = 1) -> None:
        self.counts[key] += count
        self.run.counts[key] += count


CURRENT: contextvars.ContextVar[tuple[Run, str | None]] = contextvars.ContextVar("minewatch_run")


def as_error(exc: Exception) -> MinewatchError:
    """minewatch's own error as it is; anything else as an UnexpectedError (a bug)."""
    return exc if isinstance(exc, MinewatchError) else UnexpectedError.wrap(exc)


def state_of(source: SourceConfig, states: dict[str, cs.SourceState]) -> cs.SourceState:
    return states.get(source.name) or cs.SourceState(source.name, source.kind, source.url)


def save_page_work(page: cs.PageState) -> Callable[[Session], None]:
    return lambda session: cs.save_page(session, page)


def add_log(run_id: int, records: list[cs.LogRecord]) -> Callable[[Session], None]:
    return lambda session: cs.add_fetch_log(session, run_id, records)


def accept_for(source: SourceConfig) -> Literal["page", "feed"]:
    return "feed" if source.kind in ("feed", "sitemap") else "page"


def unique(links: list[DiscoveredLink]) -> list[DiscoveredLink]:
    seen: dict[str, DiscoveredLink] = {}
    for link in links:
        seen.setdefault(link.url, link)
    return list(seen.values())


def since(run: Run) -> float:
    return time.monotonic() - run.started
