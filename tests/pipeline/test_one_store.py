"""One way out: poll, ingest and reprocess store a page through the same function, so the
same pages give the same rows; failures steer what is fetched again.

Pages come from the loopback fixture server: an original article, an exact copy of it
under another URL, and a syndicated near-duplicate of the other seed.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from models.db import make_engine, session_factory, upgrade
from models.schema import ArticleModel, FailureModel, PageStateModel, RunModel
from pipeline.cli.main import main
from pipeline.config import Config
from pipeline.polling.poll import Poller
from pipeline.stages import Analyzer
from tests.conftest import FIXTURES, SEEDS
from tests.fixture_server import FixtureServer, serve_fixtures
from tests.pipeline.polling.test_poll import FETCH, analyzer_for, config_for, feed, rss

ORIGINAL = f"/pages/{SEEDS[1]}.html"
COPY = "/copies/original-under-another-url.html"
SYNDICATED = "/syndicated/latam-wire-mexico-critical-minerals.html"
NEAR_ORIGINAL = f"/pages/{SEEDS[0]}.html"
PATHS = (ORIGINAL, COPY, NEAR_ORIGINAL, SYNDICATED)


def stored_rows(url: str, base: str) -> dict[str, Any]:
    """What the store wrote, with the server's address and row ids taken out."""
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            articles = list(session.scalars(select(ArticleModel).order_by(ArticleModel.key)))
            keys = {a.id: a.key.removeprefix(base) for a in articles}
            clusters = {a.cluster_id for a in articles}
            pages = session.scalars(select(PageStateModel).order_by(PageStateModel.url))
            return {
                "articles": sorted(keys.values()),
                "clusters": len(clusters),
                "pages": [
                    (p.url.removeprefix(base), p.outcome, keys.get(p.article_id or 0))
                    for p in pages
                ],
            }
    finally:
        engine.dispose()


def runs(url: str) -> list[tuple[str, str, int, int]]:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            query = select(RunModel).order_by(RunModel.id)
            return [(r.trigger, r.status, r.new, r.duplicates) for r in session.scalars(query)]
    finally:
        engine.dispose()


def poll(config: Config, analyzer: Analyzer, respect_backoff: bool = False) -> None:
    upgrade(config.database.url)
    engine = make_engine(config.database.url)

    async def go() -> None:
        async with Poller(config, analyzer, session_factory(engine)) as poller:
            await poller.poll(config.sources, respect_backoff=respect_backoff)

    try:
        asyncio.run(go())
    finally:
        engine.dispose()


def config_file(tmp_path: Path, database: str, sources: str = "") -> Path:
    fetch = ", ".join(f"{k}: {v}" for k, v in FETCH.items()).replace("True", "true")
    path = tmp_path / "config.yaml"
    path.write_text(
        f"database: {{url: '{database}'}}\n"
        "extraction: {min_text_chars: 40}\n"
        f"fetch: {{{fetch}, per_host_concurrency: 1}}\n{sources}",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def server() -> Any:
    with serve_fixtures(FIXTURES) as state:
        body = (FIXTURES / "pages" / f"{SEEDS[1]}.html").read_bytes()
        state.set_body(COPY, body, "text/html; charset=utf-8")
        state.set_body("/feed.xml", rss(state.base, PATHS), "application/rss+xml", '"f1"')
        yield state


def test_poll_ingest_and_reprocess_store_the_same_rows(
    tmp_path: Path,
    server: FixtureServer,
    analyzer: Analyzer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    polled = f"sqlite:///{tmp_path / 'polled.db'}"
    config = config_for(polled, [feed("wire", server.url("/feed.xml"))], per_host_concurrency=1)
    poll(config, analyzer_for(config, analyzer))
    by_poll = stored_rows(polled, server.base)
    assert by_poll["articles"] == sorted([ORIGINAL, NEAR_ORIGINAL, SYNDICATED])
    assert by_poll["clusters"] == 2  # the syndicated copy joins its original's cluster
    assert (COPY, "duplicate", ORIGINAL) in by_poll["pages"]

    ingested = f"sqlite:///{tmp_path / 'ingested.db'}"
    cli_config = config_file(tmp_path, ingested)
    urls = [server.url(path) for path in PATHS]
    assert main(["--config", str(cli_config), "ingest", *urls]) == 0
    table = capsys.readouterr().out
    assert "duplicate" in table
    assert "1 duplicates" in table
    assert stored_rows(ingested, server.base) == by_poll

    assert main(["--config", str(cli_config), "reprocess"]) == 0
    assert stored_rows(ingested, server.base) == by_poll
    assert runs(polled) == [("poll", "finished", 3, 1)]
    assert [run[:2] for run in runs(ingested)] == [
        ("ingest", "finished"),
        ("reprocess", "finished"),
    ]
    assert runs(ingested)[0][2:] == (3, 1)


def test_a_dead_link_and_a_gone_source_wait_for_the_slow_retry(
    tmp_path: Path, server: FixtureServer, analyzer: Analyzer
) -> None:
    database = f"sqlite:///{tmp_path / 'mw.db'}"
    server.set_body("/feed.xml", rss(server.base, [ORIGINAL, "/gone"]), "application/rss+xml")
    sources = [feed("wire", server.url("/feed.xml")), feed("moved", server.url("/no-such-feed"))]
    config = config_for(database, sources)
    poll(config, analyzer_for(config, analyzer))
    assert server.count("/gone") == 1
    assert server.count("/no-such-feed") == 1

    # The feed changes (a new item), the dead link stays in it: it is not requested again
    # before its retry time, and the gone source is not polled while it waits.
    server.set_body("/feed.xml", rss(server.base, [ORIGINAL, "/gone", COPY]), "application/rss+xml")
    poll(config, analyzer_for(config, analyzer), respect_backoff=True)
    assert server.count("/gone") == 1
    assert server.count("/no-such-feed") == 1
    assert server.count(COPY) == 1

    engine = make_engine(database)
    try:
        with session_factory(engine)() as session:
            gone = session.scalars(
                select(PageStateModel).where(PageStateModel.url.endswith("/gone"))
            ).one()
            assert gone.outcome == "failed"
            assert gone.failures == 1
            assert gone.retry_at is not None
            waited = gone.retry_at - gone.last_fetched_at
            assert 23 * 3600 < waited.total_seconds() <= 24 * 3600
            failures = list(session.scalars(select(FailureModel).order_by(FailureModel.id)))
            assert {(f.source, f.stage, f.transient) for f in failures} == {
                ("wire", "fetch", False),
                ("moved", "fetch", False),
            }
            hints = {f.source: f.hint or "" for f in failures}
            assert "disable the source" in hints["moved"]
            assert "retried in a day" in hints["wire"]
    finally:
        engine.dispose()
