"""End to end through ``minewatch poll`` against the loopback server.

- :func:`ingest`: one feed lists the first N corpus pages; a fresh SQLite archive; one
  ``minewatch poll`` subprocess fetches, extracts, tags, finds events, dedupes and
  stores them all. Articles per second are counted over the poll cycle
  (``runs.duration_seconds``, which includes loading the spaCy model on the first
  batch) and over the whole process (start-up included).
- :func:`unchanged_cycle`: K tiny feeds with ETags; a first poll stores the ETags, the
  timed second poll gets 304 from every feed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import Doc, rss
from bench.measure import ProcessRun, StoredRun, feed_source, run_minewatch, stored, write_config
from tests.fixture_server import FixtureServer, serve_fixtures

RSS = "application/rss+xml"
HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Ingest:
    pages: int
    process: ProcessRun
    result: StoredRun

    @property
    def per_second(self) -> float:
        return self.result.articles / self.result.run_seconds if self.result.run_seconds else 0.0

    @property
    def ms_per_article(self) -> float:
        return 1000 * self.result.run_seconds / max(self.result.articles, 1)

    @property
    def wall_per_second(self) -> float:
        return self.result.articles / self.process.seconds

    @property
    def ok(self) -> bool:
        return self.process.returncode == 0 and self.result.articles == self.pages


@dataclass(frozen=True)
class Cycle:
    feeds: int
    process: ProcessRun
    result: StoredRun

    @property
    def ok(self) -> bool:
        return self.process.returncode == 0 and self.result.unchanged == self.feeds


@contextmanager
def serve(docs: list[Doc]) -> Iterator[FixtureServer]:
    """The loopback server with the corpus pages on it (and nothing else of note)."""
    with tempfile.TemporaryDirectory() as root, serve_fixtures(Path(root)) as server:
        for doc in docs:
            server.set_body(doc.path, doc.body, HTML)
        yield server


def ingest(server: FixtureServer, docs: list[Doc], pages: int, model: str) -> Ingest:
    path = f"/feeds/articles-{pages}.xml"
    server.set_body(path, rss(server.base, docs[:pages]), RSS)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = write_config(folder, [feed_source("bench", server.url(path))], model)
        process = run_minewatch(["--config", str(config), "poll"])
        return Ingest(pages, process, stored(folder / "bench.db"))


def unchanged_cycle(server: FixtureServer, feeds: int, model: str) -> Cycle:
    empty = rss(server.base, [], "tiny")
    sources = []
    for number in range(feeds):
        path = f"/feeds/tiny-{number}.xml"
        server.set_body(path, empty, RSS, etag=f'"tiny-{number}"')
        sources.append(feed_source(f"tiny-{number}", server.url(path)))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = write_config(folder, sources, model)
        first = run_minewatch(["--config", str(config), "poll"])  # stores the ETags
        if first.returncode != 0:
            return Cycle(feeds, first, stored(folder / "bench.db"))
        process = run_minewatch(["--config", str(config), "poll"])
        return Cycle(feeds, process, stored(folder / "bench.db"))
