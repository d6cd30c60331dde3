"""Per-source caps on links and child sitemaps per poll: what is over a cap is queued
(page states "queued", "queued-sitemap"), fetched first on the next poll, and shown in
`sources` (its ``queued`` column); nothing is dropped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from models.schema import PageStateModel
from pipeline.cli.main import main
from tests.conftest import FIXTURES
from tests.fixture_server import FixtureServer, serve_fixtures
from tests.pipeline.polling.test_poll import rows, rss

NLP = "nlp: {model: blank, processes: 0}\n"


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with serve_fixtures(FIXTURES) as state:
        paths = [f"/hostile/a/{n}.html" for n in range(25)]
        state.set_body("/feed25.xml", rss(state.base, paths), "application/rss+xml", etag='"v1"')
        yield state


def _config(tmp_path: Path, server: FixtureServer) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database: {{url: 'sqlite:///{tmp_path / 'mw.db'}'}}\n"
        f"{NLP}"
        "extraction: {min_text_chars: 40}\n"
        "fetch: {allow_private_addresses: true, per_host_delay_seconds: 0, "
        "max_links_per_poll: 10, max_child_sitemaps_per_poll: 3}\n"
        "sources:\n"
        f"  - {{name: many, kind: feed, url: '{server.url('/feed25.xml')}'}}\n"
        f"  - {{name: index, kind: sitemap, url: '{server.url('/hostile/index?n=7')}'}}\n",
        encoding="utf-8",
    )
    return config


def _fetched(server: FixtureServer, prefix: str, total: int, suffix: str) -> int:
    return sum(server.count(f"{prefix}{n}{suffix}") for n in range(total))


def _queued(config: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, int]:
    capsys.readouterr()
    assert main(["--config", str(config), "sources", "--format", "json"]) == 0
    records = map(json.loads, capsys.readouterr().out.splitlines())
    return {r["name"]: r["queued"] for r in records}


def test_links_and_child_sitemaps_over_the_caps_wait_for_the_next_polls(
    tmp_path: Path, server: FixtureServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, server)
    pages, children = [], []
    queues = []
    for _ in range(3):
        assert main(["--config", str(config), "poll"]) == 0
        pages.append(_fetched(server, "/hostile/a/", 25, ".html"))
        children.append(_fetched(server, "/hostile/child-", 7, ".xml"))
        queues.append(_queued(config, capsys))
    assert [b - a for a, b in zip([0, *pages], pages, strict=False)] == [10, 10, 5]
    # child sitemaps are read again on every poll (conditionally): 3 a poll, round-robin
    assert [b - a for a, b in zip([0, *children], children, strict=False)] == [3, 3, 3]
    assert queues == [{"many": 15, "index": 4}, {"many": 5, "index": 4}, {"many": 0, "index": 4}]
    assert all(server.count(f"/hostile/a/{n}.html") == 1 for n in range(25))  # each once
    counts = [server.count(f"/hostile/child-{n}.xml") for n in range(7)]
    assert counts == [2, 2, 1, 1, 1, 1, 1]  # the one left by poll 2 first, then from the top
    assert server.conditional >= 1  # the unchanged feed (304) still drained its queue
    states = rows(f"sqlite:///{tmp_path / 'mw.db'}", PageStateModel)
    assert not [s for s in states if s.outcome == "queued"]
    capsys.readouterr()
    assert main(["--config", str(config), "sources"]) == 0
    assert "queued" in capsys.readouterr().out


def test_the_queue_is_fetched_first_round_robin(
    tmp_path: Path, server: FixtureServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, server)
    assert main(["--config", str(config), "poll"]) == 0
    first = [n for n in range(25) if server.count(f"/hostile/a/{n}.html")]
    assert first == list(range(10))  # in the feed's order
    database = f"sqlite:///{tmp_path / 'mw.db'}"
    queued = sorted(
        (s.retry_at, s.url.removeprefix(server.base))
        for s in rows(database, PageStateModel)
        if s.outcome == "queued"
    )
    assert [url for _, url in queued] == [f"/hostile/a/{n}.html" for n in range(10, 25)]
    assert _queued(config, capsys) == {"many": 15, "index": 4}
