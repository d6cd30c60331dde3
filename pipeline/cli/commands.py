"""The handlers behind each ``minewatch`` subcommand."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import asdict, dataclass, field
from functools import cached_property

from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from models.db import (
    make_engine,
    make_read_only_engine,
    session_factory,
    storage_errors,
    upgrade,
)
from models.queries import find_mentions
from pipeline.cli.alert_commands import prepare as prepare_alerts
from pipeline.cli.lines import report_error, report_failure
from pipeline.cli.runs import recorded_run
from pipeline.cli.tables import text_cell, write_records
from pipeline.config import Config
from pipeline.errors import ConfigError, MinewatchError, StageFailure
from pipeline.evaluation.evaluate import evaluate_directory, render_report
from pipeline.fetching.inputs import expand_inputs
from pipeline.fetching.urls import is_http_url
from pipeline.output import article_json, dumps, failure_json
from pipeline.records import Outcome, PageResult, PageToStore
from pipeline.sources import SourceConfig
from pipeline.stages import Analyzer

PROGRESS_THRESHOLD = 5


@dataclass
class Context:
    config: Config
    errors: Console
    debug: bool = False
    out: Console = field(default_factory=lambda: _stdout_console())

    @cached_property
    def analyzer(self) -> Analyzer:
        return Analyzer(self.config)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return session_factory(make_engine(self.config.database.url))

    @cached_property
    def read_sessions(self) -> sessionmaker[Session]:
        """Sessions for the commands that only read: the database is opened read-only
        and never created (:func:`models.db.make_read_only_engine`)."""
        return session_factory(make_read_only_engine(self.config.database.url))

    def report(self, failure: StageFailure) -> None:
        report_failure(self.errors, failure, self.debug)

    def red(self, line: str) -> None:
        report_error(self.errors, line, None, self.debug)

    def select_sources(self, name: str | None) -> tuple[SourceConfig, ...]:
        """The enabled sources, or the one named; ConfigError listing the names if unknown."""
        sources = self.config.sources
        if not sources:
            raise ConfigError("no sources configured; add a sources: list to config.yaml")
        if name is None:
            return tuple(s for s in sources if s.enabled)
        chosen = tuple(s for s in sources if s.name == name)
        if not chosen:
            names = ", ".join(s.name for s in sources)
            raise ConfigError(f"unknown source {name!r}; the configured sources are: {names}")
        return chosen


def _stdout_console() -> Console:
    """Tables fit the terminal; piped to a file they get room for the context column."""
    width = None if sys.stdout.isatty() else 200
    return Console(highlight=False, soft_wrap=True, width=width)


def analyze(args: argparse.Namespace, ctx: Context) -> int:
    failed = 0
    for outcome in ctx.analyzer.analyze(args.inputs, url=args.url, published=args.published):
        if outcome.failure is not None:
            failed += 1
            ctx.report(outcome.failure)
            line = dumps(failure_json(outcome.failure))
        else:
            assert outcome.analyzed is not None
            line = dumps(article_json(outcome.analyzed))
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
    return 1 if failed else 0


def ingest(args: argparse.Namespace, ctx: Context) -> int:
    return ingest_inputs(ctx, args.inputs, url=args.url, published=args.published)


def ingest_inputs(
    ctx: Context, inputs: list[str], url: str | None = None, published: dt.date | None = None
) -> int:
    """Analyze and store ``inputs`` through the one store function, as one run."""
    prepare_alerts(ctx)  # upgrade the schema, store the alert rules of config
    table = Table("input", "result", "entities", "mentions", title="ingest")
    total = len(expand_inputs(inputs))
    with (
        recorded_run(ctx.sessions, "ingest") as run,
        Progress(console=ctx.errors, disable=total < PROGRESS_THRESHOLD, transient=True) as bar,
    ):
        task = bar.add_task("ingesting", total=total)
        for outcome in ctx.analyzer.analyze(inputs, url=url, published=published):
            bar.advance(task)
            page_url = outcome.source if is_http_url(outcome.source) else None
            result = run.store(PageToStore(outcome, "ingest", page_url, run_id=run.run_id))
            _report(ctx, outcome, result)
            table.add_row(*map(text_cell, _ingest_row(outcome, result)))
    ctx.out.print(table)
    ctx.out.print(run.summary(), markup=False)
    return 1 if run.counts["failed"] else 0


def _report(ctx: Context, outcome: Outcome, result: PageResult | MinewatchError) -> None:
    if isinstance(result, MinewatchError):
        ctx.report(StageFailure("store", outcome.source, result))
    elif outcome.failure is not None:
        ctx.report(outcome.failure)


def _ingest_row(outcome: Outcome, result: PageResult | MinewatchError) -> tuple[str, ...]:
    status = "failed" if isinstance(result, MinewatchError) else result
    if outcome.analyzed is None or status == "failed":
        return (outcome.source, status, "-", "-")
    entities = outcome.analyzed.tagged.entities
    mentions = sum(len(entity.mentions) for entity in entities)
    return (outcome.source, status, str(len(entities)), str(mentions))


def db_upgrade(args: argparse.Namespace, ctx: Context) -> int:
    upgrade(ctx.config.database.url)
    ctx.out.print(f"database is at the latest schema: {ctx.config.database.url}")
    return 0


MENTION_COLUMNS = (
    "published",
    "entity_id",
    "mention_text",
    "context",
    "article_title",
    "article_url",
)


def mentions(args: argparse.Namespace, ctx: Context) -> int:
    types = ("mineral", "country", "organization", "person", "place", "site")
    filters = {k: getattr(args, k) for k in types}
    with storage_errors(ctx.config.database.url), ctx.read_sessions() as session:
        rows = find_mentions(
            session, **filters, since=args.since, until=args.until, limit=args.limit
        )
    records = [asdict(r) for r in rows]
    write_records(records, MENTION_COLUMNS, args.format, ctx.out, f"{len(records)} mentions")
    return 0


def evaluate(args: argparse.Namespace, ctx: Context) -> int:
    report = evaluate_directory(args.directory, ctx.analyzer, split=args.split)
    sys.stdout.write(render_report(report, args.format) + "\n")
    for problem in report.problems:
        ctx.red(problem)
    return 1 if report.problems else 0


# --- fetching: run, poll, sources, reprocess -----------------------------------------------
