"""A command's run record: ``ingest`` and ``reprocess`` are runs like a poll.

:func:`recorded_run` writes the run row when the command starts, stores each page
through :func:`pipeline.stages.store_pages` (the one store function) with the run's
id, counts what became of the pages, and finishes the row with the counts, as
``interrupted`` when the command is stopped or fails.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from models import crawl_store
from pipeline.errors import MinewatchError
from pipeline.records import PageResult, PageToStore
from pipeline.stages import store_pages

_COUNTED_AS = {"retagged": "updated", "duplicate": "duplicates"}


@dataclass
class CommandRun:
    """One command's run: its id, and the counts of what became of its pages."""

    sessions: sessionmaker[Session]
    run_id: int
    counts: Counter[str] = field(default_factory=Counter)

    def store(self, page: PageToStore) -> PageResult | MinewatchError:
        """Store one page in its own transaction; a StorageError is returned, not raised."""
        (result,) = store_pages(self.sessions, [page])
        counted = "failed" if isinstance(result, MinewatchError) else result
        self.counts[_COUNTED_AS.get(counted, counted)] += 1
        return result

    def summary(self) -> str:
        return ", ".join(f"{n} {status}" for status, n in sorted(self.counts.items()))


@contextmanager
def recorded_run(sessions: sessionmaker[Session], trigger: str) -> Iterator[CommandRun]:
    run_id = crawl_store.write(sessions, lambda s: crawl_store.start_run(s, trigger))
    run = CommandRun(sessions, run_id)
    status: crawl_store.RunStatus = "interrupted"
    try:
        yield run
        status = "finished"
    finally:
        counts = dict(run.counts)
        crawl_store.write(sessions, lambda s: crawl_store.finish_run(s, run_id, status, counts))
