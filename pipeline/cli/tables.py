"""Analyst-facing command-line helpers: date arguments, and the same records as a
table, JSON Lines or CSV.

Stored text was written by strangers, so it is printed as data:

- in tables every cell is a Rich ``Text`` (never parsed as markup, so ``[/red]`` is
  just text) with control characters shown visibly (ESC as ``\\x1b``), so no escape
  sequence reaches the terminal (colours, cursor moves, OSC 8 links, clear-screen);
- in CSV, control characters are shown the same way, and a text cell that begins
  with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'`` (as
  OWASP recommends against CSV injection), so a spreadsheet never runs it as a formula;
- JSON is unchanged: it escapes control characters itself, and it is data for programs.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline.output import dumps

FORMATS = ("table", "json", "csv")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
        writer.writerows({k: csv_cell(record[k]) for k in columns} for record in records)
    else:
        table = Table(*columns, title=title)
        for record in records:
            table.add_row(*(text_cell(record[k]) for k in columns))
        console.print(table)


def visible(text: str) -> str:
    """Control characters (C0 but tab and newline, DEL, C1) as ``\\xNN``: shown, inert."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def text_cell(value: object) -> Text:
    """A table cell: plain text, never markup, control characters visible."""
    return Text(visible(cell(value)))


def csv_cell(value: object) -> str:
    """A CSV cell: control characters visible, and a text cell that a spreadsheet would
    read as a formula prefixed with ``'``."""
    if not isinstance(value, str):
        return cell(value)
    shown = visible(value)
    return "'" + shown if value.startswith(_FORMULA_START) else shown


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
