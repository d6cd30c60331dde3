"""Analyst-facing command-line helpers: date arguments, and the same records as a
table, JSON Lines or CSV."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from pipeline.output import dumps

FORMATS = ("table", "json", "csv")


def write_records(
    records: Sequence[dict[str, object]],
    columns: Sequence[str],
    fmt: str,
    console: Console,
    title: str,
) -> None:
    if fmt == "json":
        for record in records:
            sys.stdout.write(dumps({k: _json_value(record[k]) for k in columns}) + "\n")
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows({k: cell(record[k]) for k in columns} for record in records)
    else:
        table = Table(*columns, title=title)
        for record in records:
            table.add_row(*(cell(record[k]) for k in columns))
        console.print(table)


def iso_date(value: str) -> dt.date:
    """An argparse type: YYYY-MM-DD, with a message that says so."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date; use YYYY-MM-DD") from None


def cell(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return " ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _json_value(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value
