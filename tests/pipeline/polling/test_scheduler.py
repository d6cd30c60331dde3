"""Scheduling: backoff, health and staleness, resuming the stored schedule, and the
APScheduler loop (coalescing, one poll per source at a time, graceful stop)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from models.crawl_store import SourceState, read, source_states, write
from models.db import make_engine, session_factory, upgrade
from pipeline.config import parse_config
from pipeline.errors import FetchRejected, ServerError
from pipeline.polling.poll import Poller
from pipeline.polling.scheduler import (
    BACKOFF_MAX,
    JobSpec,
    Scheduler,
    after_failure,
    after_success,
    backoff_delay,
    health,
    job_specs,
    next_fire,
    trigger_for,
)
from pipeline.records import Validators
from pipeline.sources import SourceConfig
from pipeline.stages import Analyzer

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def source(name: str = "s", **extra: Any) -> SourceConfig:
    fields: dict[str, Any] = {
        "name": name,
        "kind": "feed",
        "url": "https://example.com/feed",
        "schedule": {"every_minutes": 30},
        "expected_cadence_hours": 12,
    }
    return SourceConfig.model_validate({**fields, **extra})


def state(**extra: Any) -> SourceState:
    return SourceState(name="s", kind="feed", url="https://example.com/feed", **extra)


def test_backoff_doubles_from_five_minutes_up_to_six_hours_and_honours_retry_after() -> None:
    assert [backoff_delay(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert backoff_delay(50) == BACKOFF_MAX
    assert backoff_delay(1, retry_after=3600) == dt.timedelta(hours=1)
    assert backoff_delay(0) == dt.timedelta(0)


def test_a_failing_source_backs_off_and_a_success_resets_it() -> None:
    cron = source(schedule={"cron": "*/5 * * * *"})
    current = state()
    for _ in range(6):
        current = after_failure(current, cron, NOW, ServerError("HTTP 500"))
    assert current.consecutive_failures == 6
    assert current.last_error == "HTTP 500"
    assert current.backoff_until == NOW + dt.timedelta(minutes=160)
    assert current.next_poll_at == current.backoff_until  # later than the cron's 12:05
    assert health(cron, current, NOW) == "failing"
    current = after_success(current, cron, NOW, Validators(etag='"e"'), got_new=True)
    assert (current.consecutive_failures, current.backoff_until) == (0, None)
    assert current.next_poll_at == NOW + dt.timedelta(minutes=5)
    assert current.validators.etag == '"e"'
    assert health(cron, current, NOW) == "ok"


def test_a_terminal_failure_waits_a_day_then_a_week() -> None:
    hourly = source()
    first = after_failure(state(), hourly, NOW, FetchRejected("HTTP 404"))
    assert first.next_poll_at == NOW + dt.timedelta(days=1)
    second = after_failure(first, hourly, NOW, FetchRejected("HTTP 404"))
    assert second.next_poll_at == NOW + dt.timedelta(days=7)
    assert second.consecutive_failures == 2
    assert second.last_error == "HTTP 404"
    transient = after_failure(state(), hourly, NOW, ServerError("HTTP 503"))
    assert transient.next_poll_at == next_fire(hourly, NOW)  # the schedule beats 5 min


def test_stale_when_nothing_new_for_longer_than_the_expected_cadence() -> None:
    src = source()
    assert health(src, None, NOW) == "never-polled"
    fresh = state(last_polled_at=NOW, last_success_at=NOW, last_new_article_at=NOW)
    assert health(src, fresh, NOW + dt.timedelta(hours=11)) == "ok"
    assert health(src, fresh, NOW + dt.timedelta(hours=13)) == "stale"
    never_new = state(last_polled_at=NOW, last_success_at=NOW)
    assert health(src, never_new, NOW) == "stale"
    assert health(source(expected_cadence_hours=None), never_new, NOW) == "ok"


def test_jobs_resume_from_the_stored_next_poll_and_backoff() -> None:
    sources = [source("a"), source("b"), source("c"), source("d", enabled=False)]
    states = {
        "a": state(next_poll_at=NOW + dt.timedelta(minutes=7)),
        "b": state(next_poll_at=NOW - dt.timedelta(hours=3)),  # overdue: poll now
        "c": state(next_poll_at=NOW, backoff_until=NOW + dt.timedelta(hours=1)),
    }
    specs = {s.source.name: s.first_run for s in job_specs(sources, states, NOW)}
    assert specs == {
        "a": NOW + dt.timedelta(minutes=7),
        "b": NOW,
        "c": NOW + dt.timedelta(hours=1),
    }


def test_triggers_follow_the_schedule() -> None:
    assert isinstance(trigger_for(source()), IntervalTrigger)
    assert isinstance(trigger_for(source(schedule={"cron": "0 6 * * *"})), CronTrigger)
    assert next_fire(source(schedule={"cron": "0 6 * * *"}), NOW) == NOW.replace(day=24, hour=6)
    assert next_fire(source(), NOW) == NOW + dt.timedelta(minutes=30)


def run_scheduler(specs: list[JobSpec], poll_one: Any, seconds: float, grace: float = 5) -> float:
    """Run the scheduler for ``seconds``, then stop it; returns how long stopping took."""

    async def go() -> float:
        stop = asyncio.Event()
        task = asyncio.create_task(Scheduler(specs, poll_one, grace_seconds=grace).run(stop))
        await asyncio.sleep(seconds)
        stopping = time.monotonic()
        stop.set()
        await asyncio.wait_for(task, timeout=grace + 5)
        return time.monotonic() - stopping

    return asyncio.run(go())


def test_missed_runs_are_coalesced_into_one() -> None:
    calls: list[str] = []

    async def poll_one(src: SourceConfig) -> dt.datetime | None:
        calls.append(src.name)
        return None

    missed = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    spec = JobSpec(source(), IntervalTrigger(minutes=1, timezone=dt.UTC), missed)
    run_scheduler([spec], poll_one, 0.5)
    assert calls == ["s"]  # ten missed runs, one poll


def test_never_two_polls_of_one_source_at_once() -> None:
    running, most, calls = 0, 0, 0

    async def poll_one(src: SourceConfig) -> dt.datetime | None:
        nonlocal running, most, calls
        running, calls = running + 1, calls + 1
        most = max(most, running)
        await asyncio.sleep(0.35)
        running -= 1
        return None

    now = dt.datetime.now(dt.UTC)
    spec = JobSpec(source(), IntervalTrigger(seconds=0.1, timezone=dt.UTC), now)
    run_scheduler([spec], poll_one, 1.2)
    assert most == 1
    assert 2 <= calls <= 5


def test_stop_lets_short_polls_finish_and_cancels_long_ones() -> None:
    finished: list[str] = []
    cancelled: list[str] = []

    async def poll_one(src: SourceConfig) -> dt.datetime | None:
        try:
            await asyncio.sleep(0.3 if src.name == "short" else 30)
            finished.append(src.name)
        except asyncio.CancelledError:
            cancelled.append(src.name)
            raise
        return None

    now = dt.datetime.now(dt.UTC)
    trigger = IntervalTrigger(minutes=30, timezone=dt.UTC)
    specs = [JobSpec(source("short"), trigger, now), JobSpec(source("long"), trigger, now)]
    took = run_scheduler(specs, poll_one, 0.1, grace=1.0)
    assert finished == ["short"]
    assert cancelled == ["long"]
    assert 0.9 < took < 3


def test_a_backed_off_job_is_postponed() -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    seen: list[dt.datetime | None] = []

    async def poll_one(src: SourceConfig) -> dt.datetime | None:
        return later

    async def go() -> None:
        stop = asyncio.Event()
        trigger = IntervalTrigger(minutes=1, timezone=dt.UTC)
        scheduler = Scheduler([JobSpec(source(), trigger, dt.datetime.now(dt.UTC))], poll_one)
        task = asyncio.create_task(scheduler.run(stop))
        await asyncio.sleep(0.4)
        inner = scheduler._scheduler
        assert inner is not None
        job = inner.get_job("s")
        seen.append(job.next_run_time if job is not None else None)
        stop.set()
        await task

    asyncio.run(go())
    assert seen == [later]


def test_a_source_in_backoff_is_not_fetched_by_the_scheduler(
    sqlite_url: str, blank_analyzer: Analyzer
) -> None:
    config = parse_config(
        {
            "database": {"url": sqlite_url},
            "fetch": {"allow_private_addresses": True, "max_retries": 0},
            "sources": [{"name": "s", "kind": "feed", "url": "http://127.0.0.1:9/feed.xml"}],
        }
    )
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    sessions = session_factory(engine)

    async def go(respect_backoff: bool) -> str:
        async with Poller(config, blank_analyzer, sessions, trigger="scheduled") as poller:
            report = await poller.poll(config.sources, respect_backoff=respect_backoff)
        return report.sources[0].status

    try:
        assert asyncio.run(go(True)) == "failed"  # port 9 refuses: the source fails
        states = read(sessions, source_states)
        assert states["s"].consecutive_failures == 1
        assert states["s"].backoff_until is not None
        assert asyncio.run(go(True)) == "backing_off"
        assert read(sessions, source_states)["s"].consecutive_failures == 1
        assert asyncio.run(go(False)) == "failed"  # `minewatch poll` polls regardless
        assert write(sessions, lambda s: source_states(s)["s"].consecutive_failures) == 2
    finally:
        engine.dispose()
