"""What the ``runs`` and ``failures`` tables hold, for the CLI (and later the review
app): recent runs with their counts, and recent failures with stage, URL, reason and
hint. Rows leave this module as frozen dataclasses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.schema import FailureModel, RunModel


@dataclass(frozen=True)
class RunRow:
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


@dataclass(frozen=True)
class FailureRow:
    at: dt.datetime
    run_id: int | None
    source: str | None
    stage: str
    url: str
    error_class: str
    message: str
    transient: bool
    hint: str | None


def recent_runs(session: Session, limit: int = 20) -> list[RunRow]:
    query = select(RunModel).order_by(RunModel.id.desc()).limit(limit)
    return [
        RunRow(
            id=r.id,
            trigger=r.trigger,
            status=r.status,
            started_at=r.started_at,
            seconds=r.duration_seconds,
            sources=r.sources,
            links=r.links,
            fetched=r.fetched,
            new=r.new,
            updated=r.updated,
            unchanged=r.unchanged,
            duplicates=r.duplicates,
            failed=r.failed,
        )
        for r in session.scalars(query)
    ]


def recent_failures(
    session: Session,
    *,
    since: dt.date | None = None,
    source: str | None = None,
    limit: int = 100,
) -> list[FailureRow]:
    """Failures newest first, optionally on or after ``since`` and of one source."""
    query = select(FailureModel).order_by(FailureModel.at.desc(), FailureModel.id.desc())
    if since is not None:
        start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
        query = query.where(FailureModel.at >= start)
    if source is not None:
        query = query.where(FailureModel.source == source)
    return [
        FailureRow(
            at=f.at,
            run_id=f.run_id,
            source=f.source,
            stage=f.stage,
            url=f.url,
            error_class=f.error_class,
            message=f.message,
            transient=f.transient,
            hint=f.hint,
        )
        for f in session.scalars(query.limit(limit))
    ]
