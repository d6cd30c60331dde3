"""The ``minewatch`` command line.

Every failure prints one red line on stderr and makes the exit status non-zero;
``--debug`` adds the traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console

from pipeline.cli import commands, crawl_commands
from pipeline.cli.alert_commands import add_alert_commands
from pipeline.cli.event_commands import add_event_commands
from pipeline.cli.history_commands import add_history_commands
from pipeline.cli.lines import report_error
from pipeline.cli.serve_commands import add_serve_command
from pipeline.cli.tables import iso_date
from pipeline.cli.user_commands import add_user_commands
from pipeline.config import load_config
from pipeline.errors import MinewatchError

EXIT_OK, EXIT_FAILURES, EXIT_ERROR = 0, 1, 2

Handler = Callable[[argparse.Namespace, "commands.Context"], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        context = commands.Context(load_config(args.config), errors, debug=args.debug)
        handler: Handler = args.handler
        return handler(args, context)
    except MinewatchError as exc:
        hint = f"; {exc.hint}" if exc.hint and exc.hint not in str(exc) else ""
        report_error(errors, f"{exc}{hint}", exc, args.debug)
        return EXIT_ERROR
    except KeyboardInterrupt:
        errors.print("[red]interrupted[/red]")
        return 130
    except Exception as exc:  # the last net: one line, and the traceback with --debug
        report_error(errors, f"unexpected {type(exc).__name__}: {exc}", exc, args.debug)
        return EXIT_ERROR


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="minewatch", description=__doc__)
    parser.add_argument("--config", type=Path, default=None, help="config file (./config.yaml)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    _add_analyze(sub)
    _add_ingest(sub)
    _add_db(sub)
    _add_mentions(sub)
    _add_evaluate(sub)
    add_event_commands(sub)
    add_history_commands(sub)
    _add_run(sub)
    _add_poll(sub)
    _add_sources(sub)
    _add_reprocess(sub)
    add_alert_commands(sub)
    add_serve_command(sub)
    add_user_commands(sub)
    return parser


def _add_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help=".html/.txt file, dir, URL or -")
    parser.add_argument("--url", help="the page's URL where the page lacks one")
    parser.add_argument(
        "--published", type=iso_date, help="publication date where the page lacks one"
    )


def _add_analyze(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("analyze", help="extract and tag inputs; print JSON Lines, store nothing")
    _add_inputs(p)
    p.set_defaults(handler=commands.analyze)


def _add_ingest(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("ingest", help="extract, tag and store inputs; print a summary")
    _add_inputs(p)
    p.set_defaults(handler=commands.ingest)


def _add_db(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("db", help="database maintenance")
    db_sub = p.add_subparsers(required=True, metavar="ACTION")
    up = db_sub.add_parser("upgrade", help="create or upgrade the schema (Alembic)")
    up.set_defaults(handler=commands.db_upgrade)


def _add_mentions(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("mentions", help="list stored mentions for analysts")
    p.add_argument("--mineral", help="e.g. lithium or mineral:lithium")
    p.add_argument("--country", help="e.g. MX or country:MX")
    p.add_argument("--organization", help="e.g. usgs")
    p.add_argument("--person", help="e.g. edgar-amador-zamora")
    p.add_argument("--place", help="a city, province or mining region, e.g. lualaba-cd")
    p.add_argument("--site", help="a mine, project, smelter or refinery, e.g. kamoa-kakula")
    p.add_argument("--since", type=iso_date, help="published on or after YYYY-MM-DD")
    p.add_argument("--until", type=iso_date, help="published on or before YYYY-MM-DD")
    p.add_argument("--limit", type=int, default=1000)
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.set_defaults(handler=commands.mentions)


def _add_evaluate(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("evaluate", help="precision/recall of analyze against gold annotations")
    p.add_argument("directory", type=Path, help="a fixtures folder with pages/ and gold/")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument(
        "--split",
        choices=("dev", "test"),
        help="only the gold files of this half of the real-style set (default: every file)",
    )
    p.set_defaults(handler=commands.evaluate)


def _add_run(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "run", help="the main job: poll the configured sources on their schedules until stopped"
    )
    p.set_defaults(handler=crawl_commands.run)


def _add_poll(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("poll", help="poll the sources once now (exit 1 if a source failed)")
    p.add_argument("--source", metavar="NAME", help="only this source (see `minewatch sources`)")
    p.set_defaults(handler=crawl_commands.poll)


def _add_sources(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("sources", help="list the configured sources with their health")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=crawl_commands.sources)


def _add_reprocess(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "reprocess", help="re-extract and re-tag stored articles after a rules or model change"
    )
    p.add_argument("--since", type=iso_date, help="articles published on or after YYYY-MM-DD")
    p.add_argument("--source", metavar="NAME", help="only articles fetched from this source")
    p.set_defaults(handler=crawl_commands.reprocess)


if __name__ == "__main__":
    sys.exit(main())
