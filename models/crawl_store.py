"""Persistence for fetching: source state, per-URL page state, runs, the fetch log,
failures, and what reprocessing reads (duplicates: :mod:`models.duplicates`).

Functions take an open :class:`Session` and leave the commit to the caller;
:func:`write` and :func:`read` run one of them in its own transaction. What crosses
the module boundary are frozen dataclasses, never ORM rows.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from models.db import WRITE_OPTION, storage_error
from models.schema import (
    ArticleModel,
    FailureModel,
    FetchLogModel,
    PageStateModel,
    RunModel,
    SourceModel,
    utcnow,
)
from pipeline.errors import MinewatchError, StageFailure, one_line, retry_delay
from pipeline.records import FetchLogEntry, Validators

RunStatus = Literal["running", "finished", "interrupted", "failed"]
PageOutcome = Literal["stored", "duplicate", "unchanged", "failed", "sitemap", "queued"]
LINKS_QUEUED, SITEMAPS_QUEUED = "queued", "queued-sitemap"  # over a per-poll cap
T = TypeVar("T")
COUNT_FIELDS = (
    "sources",
    "links",
    "skipped",
    "fetched",
    "new",
    "updated",
    "unchanged",
    "duplicates",
    "failed",
)


@dataclass(frozen=True)
class SourceState:
    name: str
    kind: str
    url: str
    validators: Validators = field(default_factory=Validators)
    last_polled_at: dt.datetime | None = None
    last_success_at: dt.datetime | None = None
    last_new_article_at: dt.datetime | None = None
    consecutive_failures: int = 0
    next_poll_at: dt.datetime | None = None
    backoff_until: dt.datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True)
class PageState:
    url: str
    source: str
    outcome: PageOutcome
    validators: Validators = field(default_factory=Validators)
    status: int | None = None
    article_id: int | None = None


@dataclass(frozen=True)
class FailureRecord:
    stage: str
    url: str
    error_class: str
    message: str
    transient: bool
    source: str | None = None
    at: dt.datetime | None = None
    hint: str | None = None

    @classmethod
    def of(cls, failure: StageFailure, url: str, source: str, hint: str) -> FailureRecord:
        """The row of ``failure`` at ``url`` for ``source``, with what to do about it."""
        error = failure.error
        kind = type(error).__name__
        return cls(failure.stage, url, kind, failure.reason, error.transient, source, hint=hint)


@dataclass(frozen=True)
class LogRecord:
    entry: FetchLogEntry
    source: str | None = None


def write(factory: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    """Run ``work`` in one write transaction and commit; StorageError on failure."""
    session = factory()
    try:
        with session.begin():
            session.connection(execution_options={WRITE_OPTION: True})
            return work(session)
    except SQLAlchemyError as exc:
        raise storage_error(session.get_bind().engine.url, exc) from exc
    finally:
        session.close()


def read(factory: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    session = factory()
    try:
        with session.begin():
            return work(session)
    except SQLAlchemyError as exc:
        raise storage_error(session.get_bind().engine.url, exc) from exc
    finally:
        session.close()


# --- sources ---------------------------------------------------------------------------


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes; everything minewatch writes is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def _state(row: SourceModel) -> SourceState:
    return SourceState(
        name=row.name,
        kind=row.kind,
        url=row.url,
        validators=Validators(row.etag, row.last_modified),
        last_polled_at=_aware(row.last_polled_at),
        last_success_at=_aware(row.last_success_at),
        last_new_article_at=_aware(row.last_new_article_at),
        consecutive_failures=row.consecutive_failures,
        next_poll_at=_aware(row.next_poll_at),
        backoff_until=_aware(row.backoff_until),
        last_error=row.last_error,
    )


def sync_sources(session: Session, sources: Iterable[tuple[str, str, str]]) -> None:
    """Make a row for every configured (name, kind, url); a changed URL forgets validators."""
    rows = {r.name: r for r in session.scalars(select(SourceModel))}
    for name, kind, url in sources:
        row = rows.get(name)
        if row is None:
            session.add(SourceModel(name=name, kind=kind, url=url, consecutive_failures=0))
        elif (row.kind, row.url) != (kind, url):
            row.kind, row.url, row.etag, row.last_modified = kind, url, None, None
    session.flush()


def source_states(session: Session, names: Iterable[str] | None = None) -> dict[str, SourceState]:
    query = select(SourceModel)
    if names is not None:
        query = query.where(SourceModel.name.in_(list(names)))
    return {row.name: _state(row) for row in session.scalars(query)}


def save_source(session: Session, state: SourceState) -> None:
    row = session.scalars(select(SourceModel).where(SourceModel.name == state.name)).first()
    if row is None:
        row = SourceModel(name=state.name)
        session.add(row)
    row.kind, row.url = state.kind, state.url
    row.etag, row.last_modified = state.validators.etag, state.validators.last_modified
    row.last_polled_at = state.last_polled_at
    row.last_success_at = state.last_success_at
    row.last_new_article_at = state.last_new_article_at
    row.consecutive_failures = state.consecutive_failures
    row.next_poll_at = state.next_poll_at
    row.backoff_until = state.backoff_until
    row.last_error = state.last_error


# --- per-URL state ---------------------------------------------------------------------


def known_urls(session: Session, urls: Sequence[str]) -> set[str]:
    """The URLs not to fetch now: stored as an article (or as an exact duplicate of one),
    or failed and waiting for their retry time."""
    known: set[str] = set()
    now = utcnow()
    for chunk in _chunks(urls):
        known.update(
            session.scalars(
                select(PageStateModel.url).where(
                    PageStateModel.url.in_(chunk),
                    or_(PageStateModel.article_id.is_not(None), PageStateModel.retry_at > now),
                )
            )
        )
        known.update(session.scalars(select(ArticleModel.key).where(ArticleModel.key.in_(chunk))))
    return known


def page_validators(session: Session, urls: Sequence[str]) -> dict[str, Validators]:
    found: dict[str, Validators] = {}
    for chunk in _chunks(urls):
        rows = session.scalars(select(PageStateModel).where(PageStateModel.url.in_(chunk)))
        found.update({r.url: Validators(r.etag, r.last_modified) for r in rows})
    return found


def save_page(session: Session, page: PageState, error: MinewatchError | None = None) -> None:
    """Record what became of one URL; a failure (``error``) sets its retry time: the
    next poll for a transient one, a day and then a week for a terminal one."""
    row = session.scalars(select(PageStateModel).where(PageStateModel.url == page.url)).first()
    if row is None:
        row = PageStateModel(url=page.url, failures=0)
        session.add(row)
    now = utcnow()
    row.source, row.outcome, row.last_status = page.source, page.outcome, page.status
    row.etag, row.last_modified = page.validators.etag, page.validators.last_modified
    row.last_fetched_at = now
    if page.article_id is not None or page.outcome in ("failed", "sitemap"):
        row.article_id = page.article_id
    if error is None:
        row.failures, row.retry_at, row.last_error = 0, None, None
    else:
        row.failures = (row.failures or 0) + 1
        delay = retry_delay(error, row.failures)
        row.retry_at = now + delay if delay is not None else None
        row.last_error = one_line(error)
    session.flush()


def queued_urls(session: Session, source: str, queue: str) -> list[str]:
    """``source``'s URLs carried over from its last poll (``queue`` is LINKS_QUEUED or
    SITEMAPS_QUEUED), first queued first: ``retry_at`` of a queued row is its place."""
    query = select(PageStateModel.url).where(
        PageStateModel.source == source, PageStateModel.outcome == queue
    )
    return list(session.scalars(query.order_by(PageStateModel.retry_at, PageStateModel.id)))


def set_queue(
    session: Session, source: str, queue: str, urls: Sequence[str], done: Sequence[str] = ()
) -> None:
    """Queue ``urls`` (in order) for ``source``'s next poll; rows of ``done`` still queued
    (known by now) leave the queue. A URL with a row keeps its validators and failures."""
    for chunk in _chunks(done):
        query = select(PageStateModel).where(PageStateModel.url.in_(chunk))
        for stale in session.scalars(query.where(PageStateModel.outcome == queue)):
            session.delete(stale)
    rows: dict[str, PageStateModel] = {}
    for chunk in _chunks(urls):
        query = select(PageStateModel).where(PageStateModel.url.in_(chunk))
        rows.update((row.url, row) for row in session.scalars(query))
    now = utcnow()
    for place, url in enumerate(urls):
        if (row := rows.get(url)) is None:
            row = PageStateModel(url=url, failures=0, last_fetched_at=now)
            session.add(row)
        row.source, row.outcome, row.retry_at = source, queue, now + dt.timedelta(0, 0, place)
    session.flush()


def queue_lengths(session: Session) -> dict[str, int]:
    """Per source, the links and child sitemaps queued for its next poll."""
    queued = PageStateModel.outcome.in_((LINKS_QUEUED, SITEMAPS_QUEUED))
    query = select(PageStateModel.source, func.count()).where(queued)
    return {source: n for source, n in session.execute(query.group_by(PageStateModel.source))}


def _chunks(items: Sequence[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


# --- runs, fetch log, failures ---------------------------------------------------------


def start_run(session: Session, trigger: str) -> int:
    """A new 'running' run of this process; runs of this host's dead processes (killed,
    crashed) are marked interrupted first."""
    mark_crashed_runs(session)
    run = RunModel(
        trigger=trigger,
        status="running",
        host=socket.gethostname()[:255],
        pid=os.getpid(),
        started_at=utcnow(),
        **dict.fromkeys(COUNT_FIELDS, 0),
    )
    session.add(run)
    session.flush()
    return run.id


def finish_run(session: Session, run_id: int, status: RunStatus, counts: dict[str, int]) -> None:
    run = session.get(RunModel, run_id)
    if run is None:
        return
    now = utcnow()
    run.status, run.finished_at = status, now
    run.duration_seconds = (now - (_aware(run.started_at) or now)).total_seconds()
    for name in COUNT_FIELDS:
        setattr(run, name, counts.get(name, 0))


def mark_crashed_runs(session: Session) -> int:
    """Mark 'running' runs of dead processes on this host as interrupted; the count.

    Runs of other hosts are left alone: their processes cannot be checked from here,
    and they may well be alive (two machines sharing one PostgreSQL database)."""
    host = socket.gethostname()[:255]
    running = select(RunModel).where(RunModel.status == "running", RunModel.host == host)
    stale = [run for run in session.scalars(running) if not _alive(run.pid)]
    for run in stale:
        run.status, run.finished_at = "interrupted", utcnow()
    return len(stale)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def add_fetch_log(session: Session, run_id: int | None, records: Sequence[LogRecord]) -> None:
    session.add_all(
        FetchLogModel(
            run_id=run_id,
            source=r.source,
            url=r.entry.url,
            status=r.entry.status,
            bytes=r.entry.bytes,
            elapsed_ms=r.entry.elapsed_ms,
            outcome=r.entry.outcome[:64],
            error=r.entry.error,
            at=r.entry.at,
        )
        for r in records
    )


def add_failures(session: Session, run_id: int | None, failures: Sequence[FailureRecord]) -> None:
    session.add_all(
        FailureModel(
            run_id=run_id,
            stage=f.stage,
            source=f.source,
            url=f.url,
            error_class=f.error_class[:64],
            message=f.message,
            transient=f.transient,
            at=f.at or utcnow(),
            hint=f.hint,
        )
        for f in failures
    )


# --- reprocessing ----------------------------------------------------------------------


@dataclass(frozen=True)
class StoredPage:
    """What reprocessing needs of a stored article: its raw HTML (or text) and keys."""

    article_id: int
    source: str
    url: str | None
    text: str
    raw_html: bytes | None
    published: dt.date | None


def article_ids(session: Session, since: dt.date | None, source: str | None) -> list[int]:
    """Stored articles published on or after ``since`` and fetched from ``source``."""
    query = select(ArticleModel.id).order_by(ArticleModel.id)
    if since is not None:
        query = query.where(ArticleModel.published >= since)
    if source is not None:
        from_source = select(PageStateModel.article_id).where(
            PageStateModel.source == source, PageStateModel.outcome == "stored"
        )
        query = query.where(ArticleModel.id.in_(from_source))
    return list(session.scalars(query))


def stored_pages(session: Session, ids: Sequence[int]) -> list[StoredPage]:
    rows = session.scalars(select(ArticleModel).where(ArticleModel.id.in_(list(ids))))
    pages = {
        row.id: StoredPage(row.id, row.source, row.url, row.text, row.raw_html, row.published)
        for row in rows
    }
    return [pages[i] for i in ids if i in pages]
