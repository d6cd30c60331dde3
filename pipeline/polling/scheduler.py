"""When to poll: triggers, backoff, source health, and the APScheduler loop of ``run``.

The pure functions here decide timing and health from a source's config and its
stored state; :class:`Scheduler` runs one APScheduler job per enabled source on an
asyncio loop:

- ``coalesce=True``: runs missed while the process was busy or asleep fire once;
- ``max_instances=1``: never two polls of one source at once;
- ``misfire_grace_time``: a run late by less than this still happens;
- the first run time of each job comes from the stored ``next_poll_at`` (and
  ``backoff_until``), so a restart resumes the schedule instead of polling
  everything at once or forgetting a backoff;
- stopping (SIGTERM/SIGINT in ``minewatch run``) pauses the scheduler so no new
  poll starts, lets the polls in flight finish for up to ``grace_seconds``, then
  cancels the rest (their runs are recorded as ``interrupted``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from models.crawl_store import SourceState
from pipeline.errors import MinewatchError, RateLimited, one_line, retry_delay
from pipeline.records import Validators
from pipeline.sources import SourceConfig

Health = Literal["ok", "failing", "stale", "never-polled"]
BACKOFF_BASE = dt.timedelta(minutes=5)
BACKOFF_MAX = dt.timedelta(hours=6)
MISFIRE_GRACE_SECONDS = 15 * 60
DEFAULT_GRACE_SECONDS = 30.0
MAX_JITTER_SECONDS = 60
_TICK = dt.timedelta(seconds=1)  # a cron fire time is "at or after": ask strictly after

PollOne = Callable[[SourceConfig], Awaitable[dt.datetime | None]]
"""Polls one source; returns the stored next poll time (later than the trigger's when
the source backs off)."""


def trigger_for(source: SourceConfig) -> BaseTrigger:
    """The APScheduler trigger of a source's schedule (interval with jitter, or cron)."""
    schedule = source.schedule
    if schedule.cron is not None:
        return CronTrigger.from_crontab(schedule.cron, timezone=dt.UTC)
    minutes = schedule.every_minutes or 60
    jitter = min(MAX_JITTER_SECONDS, minutes * 6)  # at most 10% of the interval
    return IntervalTrigger(minutes=minutes, jitter=jitter, timezone=dt.UTC)


def describe_schedule(source: SourceConfig) -> str:
    if source.schedule.cron is not None:
        return f"cron {source.schedule.cron}"
    return f"every {source.schedule.every_minutes} min"


def next_fire(source: SourceConfig, after: dt.datetime) -> dt.datetime:
    """The first time after ``after`` that the schedule fires (no jitter)."""
    if source.schedule.cron is not None:
        trigger = CronTrigger.from_crontab(source.schedule.cron, timezone=dt.UTC)
        fire: dt.datetime | None = trigger.get_next_fire_time(None, after + _TICK)
        return fire if fire is not None else after + dt.timedelta(days=1)
    return after + dt.timedelta(minutes=source.schedule.every_minutes or 60)


def backoff_delay(failures: int, retry_after: float | None = None) -> dt.timedelta:
    """5 min after the first failure, doubling up to 6 h; never less than Retry-After."""
    if failures <= 0:
        return dt.timedelta(0)
    delay: dt.timedelta = min(BACKOFF_BASE * (2 ** min(failures - 1, 20)), BACKOFF_MAX)
    if retry_after is not None:
        delay = max(delay, dt.timedelta(seconds=retry_after))
    return delay


def next_poll_after_success(source: SourceConfig, now: dt.datetime) -> dt.datetime:
    return next_fire(source, now)


def next_poll_after_failure(
    source: SourceConfig, now: dt.datetime, failures: int, retry_after: float | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """(backoff_until, next_poll_at): the schedule's next time, or later while backing off."""
    backoff_until = now + backoff_delay(failures, retry_after)
    return backoff_until, max(next_fire(source, now), backoff_until)


def after_success(
    state: SourceState,
    source: SourceConfig,
    now: dt.datetime,
    validators: Validators,
    got_new: bool,
) -> SourceState:
    """The source's state after a successful poll: healthy, next poll on schedule."""
    return replace(
        state,
        validators=validators,
        last_polled_at=now,
        last_success_at=now,
        last_new_article_at=now if got_new else state.last_new_article_at,
        consecutive_failures=0,
        backoff_until=None,
        next_poll_at=next_poll_after_success(source, now),
        last_error=None,
    )


def after_failure(
    state: SourceState, source: SourceConfig, now: dt.datetime, error: MinewatchError
) -> SourceState:
    """The source's state after a failed poll: one more failure, and its next poll.

    A transient failure backs off exponentially (never sooner than Retry-After); a
    terminal one (404, 410, a refused address, a feed that is not a feed) waits for the
    slow retry: a day after the first failure, a week after each later one.
    """
    failures = state.consecutive_failures + 1
    slow = retry_delay(error, failures)
    if slow is not None:
        backoff_until = now + slow
        next_poll = backoff_until
    else:
        retry_after = error.retry_after if isinstance(error, RateLimited) else None
        backoff_until, next_poll = next_poll_after_failure(source, now, failures, retry_after)
    reason = one_line(error)
    return replace(
        state,
        last_polled_at=now,
        consecutive_failures=failures,
        backoff_until=backoff_until,
        next_poll_at=next_poll,
        last_error=reason,
    )


def health(source: SourceConfig, state: SourceState | None, now: dt.datetime) -> Health:
    """never-polled, failing (its last poll failed), stale (no new article for longer
    than ``expected_cadence_hours``), else ok."""
    if state is None or state.last_polled_at is None:
        return "never-polled"
    if state.consecutive_failures > 0:
        return "failing"
    cadence = source.expected_cadence_hours
    if cadence is not None and state.last_success_at is not None:
        newest = state.last_new_article_at
        if newest is None or now - newest > dt.timedelta(hours=cadence):
            return "stale"
    return "ok"


@dataclass(frozen=True)
class JobSpec:
    source: SourceConfig
    trigger: BaseTrigger
    first_run: dt.datetime


def job_specs(
    sources: Sequence[SourceConfig], states: Mapping[str, SourceState], now: dt.datetime
) -> list[JobSpec]:
    """One job per enabled source; the first run resumes the stored schedule."""
    specs = []
    for source in sources:
        if not source.enabled:
            continue
        state = states.get(source.name)
        first = now
        if state is not None:
            stored = [t for t in (state.next_poll_at, state.backoff_until) if t is not None]
            first = max([now, *stored])
        specs.append(JobSpec(source, trigger_for(source), first))
    return specs


class Scheduler:
    """The foreground scheduler of ``minewatch run``: :meth:`run` until ``stop`` is set."""

    def __init__(
        self,
        specs: Sequence[JobSpec],
        poll_one: PollOne,
        *,
        grace_seconds: float = DEFAULT_GRACE_SECONDS,
        misfire_grace_seconds: int = MISFIRE_GRACE_SECONDS,
    ) -> None:
        self.specs = list(specs)
        self.poll_one = poll_one
        self.grace_seconds = grace_seconds
        self.misfire_grace_seconds = misfire_grace_seconds
        self.in_flight: set[asyncio.Task[object]] = set()
        self._scheduler: AsyncIOScheduler | None = None

    async def run(self, stop: asyncio.Event) -> None:
        logging.getLogger("apscheduler").setLevel(logging.CRITICAL)  # we print our own lines
        scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=dt.UTC)
        self._scheduler = scheduler
        for spec in self.specs:
            scheduler.add_job(
                self._job,
                trigger=spec.trigger,
                args=[spec.source],
                id=spec.source.name,
                name=spec.source.name,
                next_run_time=spec.first_run,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=self.misfire_grace_seconds,
            )
        scheduler.start()
        try:
            await stop.wait()
        finally:
            scheduler.pause()
            await self._drain()
            scheduler.shutdown(wait=False)

    async def _drain(self) -> None:
        """Let polls in flight finish within the grace period, then cancel the rest."""
        pending = set(self.in_flight)
        if pending:
            _, pending = await asyncio.wait(pending, timeout=self.grace_seconds)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    async def _job(self, source: SourceConfig) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.in_flight.add(task)
        try:
            next_poll = await self.poll_one(source)
            self._postpone(source.name, next_poll)
        except asyncio.CancelledError:
            return  # the run is already recorded as interrupted; shutdown goes on
        finally:
            if task is not None:
                self.in_flight.discard(task)

    def _postpone(self, job_id: str, next_poll: dt.datetime | None) -> None:
        """Move the job's next run to ``next_poll`` when that is later (backoff)."""
        job = self._scheduler.get_job(job_id) if self._scheduler is not None else None
        if job is None or next_poll is None or job.next_run_time is None:
            return
        if next_poll > job.next_run_time:
            job.modify(next_run_time=next_poll)
