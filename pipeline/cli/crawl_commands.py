"""``minewatch run`` (the scheduler), ``poll``, ``sources`` and ``reprocess``."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import signal
import sys
from collections.abc import Callable, Iterator

from rich.markup import escape
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.orm import Session

from models.crawl_store import (
    FailureRecord,
    SourceState,
    StoredPage,
    article_ids,
    mark_crashed_runs,
    queue_lengths,
    read,
    source_states,
    stored_pages,
    write,
)
from models.schema import utcnow
from pipeline.cli.alert_commands import deliver_pass
from pipeline.cli.alert_commands import prepare as prepare_alerts
from pipeline.cli.commands import Context, ingest_inputs
from pipeline.cli.lines import report_error
from pipeline.cli.runs import CommandRun, recorded_run
from pipeline.cli.serve_commands import review_beside_run
from pipeline.cli.tables import visible
from pipeline.errors import ConfigError, MinewatchError, StageFailure, UnexpectedError
from pipeline.fetching.inputs import decode
from pipeline.output import dumps
from pipeline.polling.poll import Poller
from pipeline.polling.report import Reporter, RunReport, SourceReport, failure_line
from pipeline.polling.scheduler import Scheduler, describe_schedule, health, job_specs
from pipeline.records import Failed, Page, PageToStore
from pipeline.sources import SourceConfig


class _Lines(Reporter):
    """``run``: one line per poll on stdout, one red line per failure on stderr."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def source_done(self, report: SourceReport) -> None:
        stamp = dt.datetime.now(dt.UTC).strftime("%H:%M:%S")
        self.ctx.out.print(f"{stamp} {report.one_line()}", markup=False, highlight=False)

    def failure(self, failure: FailureRecord) -> None:
        self.ctx.red(failure_line(failure))


class _Bar(_Lines):
    """``poll``: a progress bar over sources and pages, and the red failure lines."""

    def __init__(self, ctx: Context, bar: Progress, sources: int) -> None:
        super().__init__(ctx)
        self.bar = bar
        self.sources = bar.add_task("sources", total=sources)
        self.pages = bar.add_task("pages", total=0)

    def pages_found(self, count: int) -> None:
        total = self.bar.tasks[self.pages].total or 0
        self.bar.update(self.pages, total=total + count)

    def page_done(self) -> None:
        self.bar.advance(self.pages)

    def source_done(self, report: SourceReport) -> None:
        self.bar.advance(self.sources)
        super().source_done(report)


def run(args: argparse.Namespace, ctx: Context) -> int:
    """The main job: the scheduler in the foreground until SIGTERM/SIGINT."""
    prepare_alerts(ctx)  # upgrade the schema, store the alert rules of config
    sources = ctx.select_sources(None)
    failed = ingest_inputs(ctx, list(ctx.config.run.inputs)) if ctx.config.run.inputs else 0
    crashed = write(ctx.sessions, mark_crashed_runs)
    if crashed:
        ctx.out.print(f"marked {crashed} run(s) left by a crash or kill as interrupted")
    if not sources:
        raise ConfigError("every source is disabled; enable one under sources: in config.yaml")
    asyncio.run(_serve(ctx, sources))
    ctx.out.print("stopped")
    return 1 if failed else 0


async def _serve(ctx: Context, sources: tuple[SourceConfig, ...]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    reporter = _Lines(ctx)
    async with (
        review_beside_run(ctx),
        Poller(
            ctx.config, ctx.analyzer, ctx.sessions, reporter=reporter, trigger="scheduled"
        ) as poller,
    ):
        states = await asyncio.to_thread(read, ctx.sessions, source_states)
        specs = job_specs(sources, states, utcnow())
        for spec in specs:
            first = spec.first_run.strftime("%Y-%m-%d %H:%M:%S UTC")
            ctx.out.print(
                f"scheduled {spec.source.name} ({describe_schedule(spec.source)}); "
                f"first poll {first}",
                markup=False,
            )

        async def poll_one(source: SourceConfig) -> dt.datetime | None:
            try:
                report = await poller.poll([source], respect_backoff=True)
            except Exception as exc:  # the last wall under `run`: a line, never silence
                _poll_crashed(ctx, source, exc)
                return None
            await asyncio.to_thread(_deliver_alerts, ctx)
            return report.sources[0].next_poll_at if report.sources else None

        grace = ctx.config.run.shutdown_grace_seconds
        await Scheduler(specs, poll_one, grace_seconds=grace).run(stop)


def _deliver_alerts(ctx: Context) -> None:
    """The alert dispatcher, in-process after each poll; a failure is one red line."""
    try:
        deliver_pass(ctx)
    except Exception as exc:  # delivery must never stop the polling
        report_error(ctx.errors, f"alert delivery: {type(exc).__name__}: {exc}", exc, ctx.debug)


def _poll_crashed(ctx: Context, source: SourceConfig, exc: Exception) -> None:
    """A poll that failed outside its source's wall (e.g. the database): one red line."""
    error = exc if isinstance(exc, MinewatchError) else UnexpectedError.wrap(exc)
    failure = StageFailure("poll", f"{source.name}: {source.url}", error)
    report_error(ctx.errors, failure.one_line(), exc, ctx.debug)


def poll(args: argparse.Namespace, ctx: Context) -> int:
    """One poll cycle now, with a progress bar; non-zero if any source failed."""
    sources = ctx.select_sources(args.source)
    prepare_alerts(ctx)
    with Progress(console=ctx.errors, transient=True) as bar:
        reporter = _Bar(ctx, bar, len(sources))
        report = asyncio.run(_poll_once(ctx, sources, reporter))
    ctx.out.print(
        f"run {report.run_id}: {len(report.sources)} sources, {report.counts.summary()} "
        f"in {report.seconds:.1f} s",
        markup=False,
    )
    return 1 if report.failed_sources else 0


async def _poll_once(
    ctx: Context, sources: tuple[SourceConfig, ...], reporter: Reporter
) -> RunReport:
    async with Poller(ctx.config, ctx.analyzer, ctx.sessions, reporter=reporter) as poller:
        return await poller.poll(sources)


SOURCE_COLUMNS = (
    "name",
    "kind",
    "schedule",
    "last_success",
    "failures",
    "next_poll",
    "queued",
    "health",
    "last_error",
)


def sources(args: argparse.Namespace, ctx: Context) -> int:
    """The configured sources with their polling state and health."""
    states = read(ctx.read_sessions, source_states)
    queued = read(ctx.read_sessions, queue_lengths)
    now = utcnow()
    records = [
        _source_record(s, states.get(s.name), now, queued.get(s.name, 0))
        for s in ctx.config.sources
    ]
    if args.format == "json":
        for record in records:
            sys.stdout.write(dumps(dict(record)) + "\n")
        return 0
    table = Table(*SOURCE_COLUMNS, title=f"{len(records)} sources")
    for record in records:
        table.add_row(*(_health_cell(k, record[k]) for k in SOURCE_COLUMNS))
    ctx.out.print(table)
    return 0


def _source_record(
    source: SourceConfig, state: SourceState | None, now: dt.datetime, queued: int
) -> dict[str, str | int | None]:
    """``queued``: links and child sitemaps over the per-poll caps, due on the next poll."""

    def when(value: dt.datetime | None) -> str | None:
        return value.isoformat(timespec="seconds") if value else None

    return {
        "name": source.name,
        "kind": source.kind,
        "schedule": describe_schedule(source) + ("" if source.enabled else " (disabled)"),
        "last_success": when(state.last_success_at) if state else None,
        "failures": state.consecutive_failures if state else 0,
        "next_poll": when(state.next_poll_at) if state else None,
        "queued": queued,
        "health": health(source, state, now),
        "last_error": state.last_error if state else None,
    }


_HEALTH_STYLE = {"ok": "green", "failing": "red", "stale": "yellow", "never-polled": "dim"}


def _health_cell(key: str, value: str | int | None) -> str:
    text = escape(visible("" if value is None else str(value)))
    if key == "health":
        return f"[{_HEALTH_STYLE.get(text, 'white')}]{text}[/]"
    return text


def reprocess(args: argparse.Namespace, ctx: Context) -> int:
    """Re-extract and re-tag stored raw HTML (after a rules or model change), as one run
    through the one store function."""
    if args.source is not None:
        ctx.select_sources(args.source)
    prepare_alerts(ctx)
    ids = read(ctx.sessions, lambda s: article_ids(s, args.since, args.source))
    with (
        recorded_run(ctx.sessions, "reprocess") as run,
        Progress(console=ctx.errors, transient=True) as bar,
    ):
        task = bar.add_task("reprocessing", total=len(ids))
        for start in range(0, len(ids), REPROCESS_BATCH):
            chunk = ids[start : start + REPROCESS_BATCH]
            stored = read(ctx.sessions, _pages_of(chunk))
            for _ in _reprocess_batch(ctx, run, stored):
                bar.advance(task)
    counts = run.counts
    ctx.out.print(
        f"{counts['updated']} retagged, {counts['unchanged']} unchanged, "
        f"{counts['failed']} failed (of {len(ids)} articles)"
    )
    return 1 if counts["failed"] else 0


REPROCESS_BATCH = 64


def _pages_of(ids: list[int]) -> Callable[[Session], list[StoredPage]]:
    return lambda session: stored_pages(session, ids)


def _reprocess_batch(ctx: Context, run: CommandRun, stored: list[StoredPage]) -> Iterator[None]:
    pages: list[Page] = []
    urls: dict[str, str | None] = {}
    for item in stored:
        try:
            pages.append(_stored_page(item))
            urls[item.source] = item.url
        except MinewatchError as exc:
            failure = StageFailure("read", item.url or item.source, exc)
            run.store(PageToStore(Failed(item.source, failure), "reprocess", run_id=run.run_id))
            ctx.report(failure)
            yield
    for outcome in ctx.analyzer.analyze_pages(pages):
        page = PageToStore(
            outcome, "reprocess", article_url=urls[outcome.source], run_id=run.run_id
        )
        result = run.store(page)
        if isinstance(result, MinewatchError):
            ctx.report(StageFailure("store", outcome.source, result))
        elif outcome.failure is not None:
            ctx.report(outcome.failure)
        yield


def _stored_page(item: StoredPage) -> Page:
    if item.raw_html is None:
        return Page(item.source, item.text, "text", url=item.url, published=item.published)
    content = decode(item.raw_html, "html")
    return Page(item.source, content, "html", item.raw_html, item.url, item.published)
