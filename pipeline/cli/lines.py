"""The red lines: every failure the CLI prints is one line on stderr, naming the input
(source and URL where there is one), what failed and what to do; ``--debug`` adds
the traceback. Untrusted text is printed as data, never as Rich markup, and with its
control characters shown visibly (``\\x1b``), so no escape sequence reaches the terminal."""

from __future__ import annotations

import traceback

from rich.console import Console

from pipeline.cli.tables import visible
from pipeline.errors import StageFailure


def report_error(console: Console, line: str, exc: BaseException | None, debug: bool) -> None:
    text = visible(" ".join(line.split()))
    console.print(f"error: {text}", style="red", markup=False, highlight=False)
    if debug and exc is not None:
        console.print("".join(traceback.format_exception(exc)), markup=False, highlight=False)


def report_failure(console: Console, failure: StageFailure, debug: bool) -> None:
    """``input: stage: reason; hint``."""
    report_error(console, failure.one_line(), failure.error, debug)
