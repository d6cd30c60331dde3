"""One exception tree for minewatch. Transient failures are retried; terminal ones never.

    MinewatchError
    ├── TransientError             retry later: the same input may succeed
    │   ├── FetchTimeout           connect or read timeout, or the total deadline passed
    │   ├── Unreachable            DNS failure, connection refused or reset
    │   ├── ServerError            HTTP 5xx
    │   ├── RateLimited            HTTP 429 (and 503 with Retry-After); carries retry_after
    │   └── StorageBusy            the database is locked by another writer (SQLite)
    └── TerminalError              retrying cannot help: fix the input or the config
        ├── ConfigError            config.yaml is invalid; names the key path
        ├── InputRejected          empty, binary, oversized, not UTF-8, missing, unreadable
        ├── FetchRejected          HTTP 4xx, wrong content type, refused address
        ├── ExtractionRejected     the page holds no article text, or too much of it
        ├── DocumentTooSlow        analyzing one document took over its time bound
        ├── StorageError           the database refused the write
        └── UnexpectedError        a bug in minewatch; rerun with --debug and report it

:class:`StageFailure` wraps any of them with the stage it happened in, the input,
and what to do next; it is what a run records and what the CLI prints.

The kind steers the schedule (:func:`retry_delay`): a transient failure is retried
soon (the scheduler backs off exponentially); a terminal one is retried only on a
slow schedule, a day after the first failure and a week after each later one, so a
dead link or a removed feed costs one request a week, not one per poll.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

TERMINAL_RETRY_FIRST = dt.timedelta(days=1)
TERMINAL_RETRY_LATER = dt.timedelta(days=7)


class MinewatchError(Exception):
    """Base of every error minewatch raises on purpose."""

    transient = False
    hint = ""


class TransientError(MinewatchError):
    transient = True
    hint = "it may succeed later; the scheduler retries it"


class FetchTimeout(TransientError):
    pass


class Unreachable(TransientError):
    pass


class ServerError(TransientError):
    pass


class RateLimited(TransientError):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class StorageBusy(TransientError):
    hint = "another process holds the database lock; it is retried, or stop the other writer"


class TerminalError(MinewatchError):
    hint = "fix the input; retrying will not help"


class ConfigError(TerminalError):
    hint = ""  # each message names the key path and says what to do itself


class InputRejected(TerminalError):
    hint = "check the file or pass a different input"


class FetchRejected(TerminalError):
    hint = "check the URL"


class ExtractionRejected(TerminalError):
    hint = "the page holds no article; pass an article page or a .txt file"


class DocumentTooSlow(TerminalError):
    hint = (
        "the worker was replaced; raise nlp.max_seconds_per_document to analyze it, "
        "or leave it failed"
    )


class StorageError(TerminalError):
    hint = "check database.url and run `minewatch db upgrade`"


class UnexpectedError(TerminalError):
    hint = "a bug in minewatch: rerun with --debug and report the traceback"

    @classmethod
    def wrap(cls, exc: BaseException) -> UnexpectedError:
        error = cls(f"unexpected {type(exc).__name__}: {exc}")
        error.__cause__ = exc
        return error


def one_line(exc: BaseException) -> str:
    """The error's message on one line (its class name when it has none)."""
    return " ".join(str(exc).split()) or type(exc).__name__


@dataclass(frozen=True)
class StageFailure:
    """A failure recorded with the stage it happened in, the input and the cause."""

    stage: str
    source: str
    error: MinewatchError

    @property
    def transient(self) -> bool:
        return self.error.transient

    @property
    def reason(self) -> str:
        return one_line(self.error)

    @property
    def hint(self) -> str:
        return self.error.hint

    def one_line(self) -> str:
        """``source: stage: reason; hint`` (the hint only when it adds something)."""
        line = f"{self.source}: {self.stage}: {self.reason}"
        return f"{line}; {self.hint}" if self.hint and self.hint not in line else line


def retry_delay(error: MinewatchError, failures: int) -> dt.timedelta | None:
    """How long a terminal failure waits before its slow retry; None for a transient one
    (its retry follows the normal backoff). ``failures`` counts this one."""
    if error.transient:
        return None
    return TERMINAL_RETRY_FIRST if failures <= 1 else TERMINAL_RETRY_LATER


SOURCE_GONE = "the feed moved or was removed: fix the url in config.yaml or disable the source"
SOURCE_REFUSED = "fix the source's url or kind in config.yaml, or disable the source"
SOURCE_TRANSIENT = "retried with backoff; `minewatch sources` shows the next poll"
PAGE_TERMINAL = "retried in a day, then weekly; `minewatch failures` lists it"
PAGE_TRANSIENT = "retried on the next poll"


def source_hint(error: MinewatchError) -> str:
    """What to do when a source's own URL (its feed, sitemap or listing) fails."""
    if error.transient:
        return SOURCE_TRANSIENT
    if isinstance(error, FetchRejected) and str(error).startswith(("HTTP 404", "HTTP 410")):
        return SOURCE_GONE
    if isinstance(error, FetchRejected):
        return SOURCE_REFUSED
    return error.hint


def page_hint(error: MinewatchError) -> str:
    """What happens next to a page that failed: the error's own hint, and its retry."""
    retry = PAGE_TRANSIENT if error.transient else PAGE_TERMINAL
    return f"{error.hint}; {retry}" if error.hint and not error.transient else retry
