"""The wall around each source: hostile sources on loopback fail one by one (a red line
naming the source and URL, a failure row, a backoff, `sources` showing it failing)
while the other sources' pages are stored; under ``run`` the same line is printed."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from models.schema import ArticleModel, FailureModel, SourceModel
from pipeline.cli.main import main
from pipeline.fetching.discover import discover as real_discover
from pipeline.polling import poll as poll_module
from pipeline.records import Outcome, Page
from pipeline.stages import Analyzer
from tests.conftest import FIXTURES, SEEDS
from tests.fixture_server import FixtureServer, serve_fixtures
from tests.pipeline.polling.test_poll import rows, rss
from tests.pipeline.polling.test_run_restart import processes, start, wait_for

__all__ = ["processes"]
SEED = f"/pages/{SEEDS[0]}.html"
NLP = "nlp: {model: blank, processes: 0}\n"
FETCH = "fetch: {allow_private_addresses: true, per_host_delay_seconds: 0}\n"


def write_config(tmp_path: Path, server: FixtureServer, extra: str = "") -> Path:
    url = server.url
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database: {{url: 'sqlite:///{tmp_path / 'mw.db'}'}}\n"
        f"{extra or NLP}"
        "extraction: {min_text_chars: 40}\n"
        f"{FETCH}"
        "sources:\n"
        f"  - {{name: main, kind: feed, url: '{url('/feed.xml')}'}}\n"
        f"  - {{name: deep, kind: feed, url: '{url('/hostile/deep.json')}'}}\n"
        f"  - {{name: badbase, kind: listing, url: '{url('/hostile/bad-base.html')}', "
        "link_pattern: 'article'}\n"
        f"  - {{name: badindex, kind: sitemap, url: '{url('/hostile/bad-index.xml')}'}}\n"
        f"  - {{name: buggy, kind: feed, url: '{url('/buggy.xml')}'}}\n",
        encoding="utf-8",
    )
    return config


@pytest.fixture
def server() -> Any:
    with serve_fixtures(FIXTURES) as state:
        state.set_body("/feed.xml", rss(state.base, [SEED]), "application/rss+xml")
        state.set_body("/buggy.xml", rss(state.base, ["/article.html"]), "application/rss+xml")
        yield state


def test_a_source_that_raises_anything_fails_alone_and_the_others_are_stored(
    tmp_path: Path,
    server: FixtureServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def buggy(kind: Any, body: bytes, base_url: str, *args: Any) -> Any:
        if base_url.endswith("/buggy.xml"):
            raise KeyError("a bug in discovery")
        return real_discover(kind, body, base_url, *args)

    monkeypatch.setattr(poll_module, "discover", buggy)
    config = write_config(tmp_path, server)
    assert main(["--config", str(config), "poll"]) == 1
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 2, err
    bug, deep = sorted(lines)
    assert deep.startswith(f"error: deep: {server.url('/hostile/deep.json')}: discover:")
    assert "nested too deep" in deep
    assert bug.startswith(f"error: buggy: {server.url('/buggy.xml')}: discover: unexpected")
    assert "rerun with --debug" in bug
    for name in ("main", "badbase", "badindex"):
        assert f"{name}: failed" not in out

    database = f"sqlite:///{tmp_path / 'mw.db'}"
    keys = {a.key.removeprefix(server.base) for a in rows(database, ArticleModel)}
    assert keys == {SEED, "/article.html"}  # badindex's child page is a copy of badbase's
    failures = {(f.source, f.stage, f.error_class) for f in rows(database, FailureModel)}
    assert failures == {
        ("deep", "discover", "FetchRejected"),
        ("buggy", "discover", "UnexpectedError"),
    }
    states = {s.name: s for s in rows(database, SourceModel)}
    for name in ("deep", "buggy"):
        assert states[name].consecutive_failures == 1
        assert states[name].backoff_until is not None
    assert main(["--config", str(config), "sources", "--format", "json"]) == 0
    health = {r["name"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert {n: r["health"] for n, r in health.items()} == {
        "main": "ok",
        "deep": "failing",
        "badbase": "ok",
        "badindex": "ok",
        "buggy": "failing",
    }
    assert "KeyError" in health["buggy"]["last_error"]


def test_under_run_the_same_line_is_printed(
    tmp_path: Path, server: FixtureServer, processes: list[Any]
) -> None:
    config = write_config(tmp_path, server)
    log = tmp_path / "run.log"
    process = start(config, log)
    processes.append(process)
    wait_for(lambda: log.read_text().count("badindex:") >= 1, 60, "the polls")
    wait_for(lambda: "error: deep:" in log.read_text(), 30, "the deep source's line")
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    text = log.read_text()
    assert f"error: deep: {server.url('/hostile/deep.json')}: discover: not a valid" in text
    database = f"sqlite:///{tmp_path / 'mw.db'}"
    keys = {a.key.removeprefix(server.base) for a in rows(database, ArticleModel)}
    assert SEED in keys


def test_a_document_whose_analysis_raises_fails_alone(
    tmp_path: Path,
    server: FixtureServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = Analyzer.analyze_pages

    def poisoned(self: Analyzer, pages: Iterable[Page]) -> Iterator[Outcome]:
        pages = list(pages)
        if any("boom" in page.content for page in pages):
            raise MemoryError("a poisoned document")
        return real(self, pages)

    monkeypatch.setattr(Analyzer, "analyze_pages", poisoned)
    server.set_body(
        "/feed.xml", rss(server.base, [SEED, "/hostile/page?title=boom"]), "application/rss+xml"
    )
    config = write_config(tmp_path, server, "nlp: {model: blank, processes: 0, batch_size: 8}\n")
    assert main(["--config", str(config), "poll", "--source", "main"]) == 0
    err = capsys.readouterr().err
    (line,) = err.strip().splitlines()
    assert line.startswith(f"error: main: {server.url('/hostile/page')}")
    assert "extract: unexpected MemoryError: a poisoned document" in line
    database = f"sqlite:///{tmp_path / 'mw.db'}"
    keys = {a.key.removeprefix(server.base) for a in rows(database, ArticleModel)}
    assert keys == {SEED}
