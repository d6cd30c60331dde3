"""``minewatch runs`` and ``minewatch failures``: what the runs and failures tables hold."""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import asdict
from typing import TYPE_CHECKING

from models.db import storage_errors
from models.run_queries import recent_failures, recent_runs
from pipeline.cli.tables import FORMATS, iso_date, write_records

if TYPE_CHECKING:
    from pipeline.cli.commands import Context

RUN_COLUMNS = (
    "id",
    "trigger",
    "status",
    "started_at",
    "seconds",
    "sources",
    "fetched",
    "new",
    "updated",
    "unchanged",
    "duplicates",
    "failed",
)
FAILURE_COLUMNS = ("at", "run_id", "source", "stage", "url", "error_class", "message", "hint")


def add_history_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    runs_parser = sub.add_parser("runs", help="recent runs (poll, run, ingest, reprocess)")
    runs_parser.add_argument("--limit", type=int, default=20)
    runs_parser.add_argument("--format", choices=FORMATS, default="table")
    runs_parser.set_defaults(handler=runs)
    failures_parser = sub.add_parser(
        "failures", help="recent failures with their stage, URL, reason and what to do"
    )
    failures_parser.add_argument("--since", type=iso_date, help="on or after YYYY-MM-DD")
    failures_parser.add_argument("--source", metavar="NAME", help="only this source's failures")
    failures_parser.add_argument("--limit", type=int, default=100)
    failures_parser.add_argument("--format", choices=FORMATS, default="table")
    failures_parser.set_defaults(handler=failures)


def runs(args: argparse.Namespace, ctx: Context) -> int:
    with storage_errors(ctx.config.database.url), ctx.read_sessions() as session:
        rows = recent_runs(session, args.limit)
    records = [_seconds_rounded(asdict(row)) for row in rows]
    write_records(records, RUN_COLUMNS, args.format, ctx.out, f"{len(records)} runs")
    return 0


def failures(args: argparse.Namespace, ctx: Context) -> int:
    with storage_errors(ctx.config.database.url), ctx.read_sessions() as session:
        rows = recent_failures(session, since=args.since, source=args.source, limit=args.limit)
    records = [asdict(row) for row in rows]
    write_records(records, FAILURE_COLUMNS, args.format, ctx.out, f"{len(records)} failures")
    return 0


def _seconds_rounded(record: dict[str, object]) -> dict[str, object]:
    seconds = record["seconds"]
    record["seconds"] = round(seconds, 1) if isinstance(seconds, float) else seconds
    started = record["started_at"]
    if isinstance(started, dt.datetime):
        record["started_at"] = started.isoformat(timespec="seconds")
    return record
