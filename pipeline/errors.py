"""One exception tree for minewatch. Transient failures are retried; terminal ones never.

    MinewatchError
    ├── TransientError             retry later: the same input may succeed
    │   ├── FetchTimeout           connect or read timeout
    │   ├── Unreachable            DNS failure, connection refused or reset
    │   ├── ServerError            HTTP 5xx
    │   └── RateLimited            HTTP 429 (and 503 with Retry-After); carries retry_after
    └── TerminalError              retrying cannot help: fix the input or the config
        ├── ConfigError            config.yaml is invalid; names the key path
        ├── InputRejected          empty, binary, oversized, not UTF-8, missing, unreadable
        ├── FetchRejected          HTTP 4xx, wrong content type, refused address
        ├── ExtractionRejected     the page holds no article text
        ├── StorageError           the database refused the write
        └── UnexpectedError        a bug in minewatch; rerun with --debug and report it

:class:`StageFailure` wraps any of them with the stage it happened in, the input,
and what to do next; it is what a run records and what the CLI prints.
"""

from __future__ import annotations

from dataclasses import dataclass


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


class TerminalError(MinewatchError):
    hint = "fix the input; retrying will not help"


class ConfigError(TerminalError):
    hint = "fix config.yaml and start again"


class InputRejected(TerminalError):
    hint = "check the file or pass a different input"


class FetchRejected(TerminalError):
    hint = "check the URL"


class ExtractionRejected(TerminalError):
    hint = "the page holds no article; pass an article page or a .txt file"


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

    def one_line(self) -> str:
        return f"{self.source}: {self.stage}: {self.reason}"
