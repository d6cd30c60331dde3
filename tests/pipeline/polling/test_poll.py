"""One poll cycle end to end: a real HTTP server on loopback, real SQLite (and PostgreSQL),
the real analyzer. Misbehaving endpoints fail one by one while the other articles arrive."""

from __future__ import annotations

import asyncio
import ipaddress
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from models.db import make_engine, session_factory, upgrade
from models.schema import (
    ArticleModel,
    FailureModel,
    FetchLogModel,
    MentionModel,
    PageStateModel,
    RunModel,
    SourceModel,
)
from pipeline.cli.main import main
from pipeline.config import Config, parse_config
from pipeline.fetching import fetcher as fetcher_module
from pipeline.fetching.policy import IPAddress
from pipeline.polling.poll import Poller
from pipeline.polling.report import RunReport
from pipeline.stages import Analyzer
from tests.conftest import FIXTURES, SEEDS
from tests.fixture_server import FixtureServer, serve_fixtures

SYNDICATED = "/syndicated/latam-wire-mexico-critical-minerals.html"
SEED_PATHS = tuple(f"/pages/{name}.html" for name in SEEDS)
MISBEHAVING = (
    "/slow",
    "/error500",
    "/flaky",
    "/ratelimited",
    "/loop-a",
    "/image.png",
    "/huge.html",
    "/moved-canonical.html",
)
FETCH = {
    "allow_private_addresses": True,
    "per_host_delay_seconds": 0,
    "per_host_concurrency": 8,
    "timeout_seconds": 0.5,
    "max_retries": 2,
    "backoff_seconds": 0.05,
    "max_retry_after_seconds": 2,
}


def rss(base: str, paths: Sequence[str]) -> bytes:
    items = "".join(
        f"<item><title>item {i}</title><link>{base}{path}</link></item>"
        for i, path in enumerate(paths)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>test feed</title><link>{base}/</link>{items}</channel></rss>"
    ).encode()


def config_for(url: str, sources: list[dict[str, Any]], **fetch: object) -> Config:
    return parse_config(
        {
            "database": {"url": url},
            "extraction": {"min_text_chars": 40, "max_bytes": 1_000_000},
            "fetch": {**FETCH, **fetch},
            "sources": sources,
        }
    )


def feed(name: str, url: str) -> dict[str, Any]:
    return {"name": name, "kind": "feed", "url": url, "expected_cadence_hours": 24}


def analyzer_for(config: Config, shared: Analyzer) -> Analyzer:
    """An analyzer with the test's extraction settings and the session's loaded tagger."""
    analyzer = Analyzer(config)
    analyzer.__dict__["tagger"] = shared.tagger
    return analyzer


def poll_once(
    config: Config, analyzer: Analyzer, transport: httpx.AsyncBaseTransport | None = None
) -> RunReport:
    upgrade(config.database.url)
    engine = make_engine(config.database.url)

    async def go() -> RunReport:
        sessions = session_factory(engine)
        async with Poller(config, analyzer, sessions, transport=transport) as poller:
            return await poller.poll(config.sources)

    try:
        return asyncio.run(go())
    finally:
        engine.dispose()


def rows(url: str, model: Any) -> list[Any]:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            return list(session.scalars(select(model)))
    finally:
        engine.dispose()


def entity_ids(url: str, article_id: int) -> set[str]:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            query = select(MentionModel.entity_id).where(MentionModel.article_id == article_id)
            # the seeds' gold covers the first four types (places and sites came later)
            first_four = ("mineral:", "country:", "organization:", "person:")
            return {i for i in session.scalars(query) if i.startswith(first_four)}
    finally:
        engine.dispose()


def gold_ids(name: str) -> set[str]:
    gold = json.loads((FIXTURES / "gold" / f"{name}.json").read_text(encoding="utf-8"))
    return set(gold["entities"])


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with serve_fixtures(FIXTURES) as state:
        state.slow_seconds = 1.5
        yield state


def test_seeds_arrive_with_gold_tags_and_a_second_poll_is_conditional(
    db_url: str, server: FixtureServer, analyzer: Analyzer
) -> None:
    server.set_body(
        "/feed.xml", rss(server.base, [*SEED_PATHS, SYNDICATED]), "application/rss+xml", '"f1"'
    )
    config = config_for(db_url, [feed("main", server.url("/feed.xml"))])
    first = poll_once(config, analyzer_for(config, analyzer))
    assert (first.status, first.counts.new, first.counts.failed) == ("finished", 3, 0)
    articles = {a.key.removeprefix(server.base): a for a in rows(db_url, ArticleModel)}
    assert set(articles) == {*SEED_PATHS, SYNDICATED}
    for name, path in zip(SEEDS, SEED_PATHS, strict=True):
        assert entity_ids(db_url, articles[path].id) == gold_ids(name)
    mnd, copy = articles[SEED_PATHS[1]], articles[SYNDICATED]
    assert mnd.cluster_id is not None
    assert copy.cluster_id == mnd.cluster_id
    assert articles[SEED_PATHS[0]].cluster_id is None

    second = poll_once(config, analyzer_for(config, analyzer))
    assert (second.counts.new, second.counts.unchanged, second.counts.fetched) == (0, 1, 0)
    assert server.headers_for("/feed.xml")[-1].get("if-none-match") == '"f1"'
    assert server.conditional == 1
    assert all(server.count(path) == 1 for path in (*SEED_PATHS, SYNDICATED))
    assert len(rows(db_url, ArticleModel)) == 3
    (source,) = rows(db_url, SourceModel)
    assert (source.etag, source.consecutive_failures) == ('"f1"', 0)
    assert [r.status for r in rows(db_url, RunModel)] == ["finished", "finished"]


def test_each_misbehaviour_is_recorded_and_the_rest_arrives(
    sqlite_url: str, server: FixtureServer, analyzer: Analyzer
) -> None:
    paths = [*SEED_PATHS, *MISBEHAVING]
    server.set_body("/feed.xml", rss(server.base, paths), "application/rss+xml", '"m1"')
    sources = [
        feed("main", server.url("/feed.xml")),
        feed("latin1", server.url("/feeds/latin1.xml")),
        feed("bomb", server.url("/feeds/entity-bomb.xml")),
    ]
    config = config_for(sqlite_url, sources)
    report = poll_once(config, analyzer_for(config, analyzer))

    keys = {a.key.removeprefix(server.base) for a in rows(sqlite_url, ArticleModel)}
    assert keys == {*SEED_PATHS, "/article.html", "/pages/spanish-article.html"}
    failures = {
        (f.url.removeprefix(server.base), f.stage, f.error_class, f.source)
        for f in rows(sqlite_url, FailureModel)
    }
    assert failures == {
        ("/slow", "fetch", "FetchTimeout", "main"),
        ("/error500", "fetch", "ServerError", "main"),
        ("/loop-a", "fetch", "FetchRejected", "main"),
        ("/image.png", "fetch", "FetchRejected", "main"),
        ("/huge.html", "fetch", "FetchRejected", "main"),
        ("/moved-canonical.html", "extract", "ExtractionRejected", "main"),
        ("/pages/inversion-norte.html", "fetch", "FetchRejected", "latin1"),
        ("/feeds/entity-bomb.xml", "discover", "FetchRejected", "bomb"),
    }
    log = rows(sqlite_url, FetchLogModel)
    outcomes = [(e.url.removeprefix(server.base), e.outcome) for e in log]
    assert outcomes.count(("/flaky", "retry")) == 2
    assert ("/flaky", "ok") in outcomes
    assert ("/ratelimited", "retry") in outcomes
    assert ("/ratelimited", "ok") in outcomes
    requested = {r.path for r in server.requests}
    assert requested <= {e.url.removeprefix(server.base).split("?")[0] for e in log}
    assert all(e.run_id == report.run_id for e in log)

    by_name = {s.name: s for s in report.sources}
    assert [by_name[n].status for n in ("main", "latin1", "bomb")] == ["ok", "ok", "failed"]
    assert report.counts.failed == 8
    assert report.counts.new == 4
    states = {s.name: s for s in rows(sqlite_url, SourceModel)}
    assert states["bomb"].consecutive_failures == 1
    assert states["bomb"].backoff_until is not None
    assert "entity bomb" in (states["bomb"].last_error or "")
    flaky = [p for p in rows(sqlite_url, PageStateModel) if p.url.endswith("/flaky")]
    assert flaky[0].outcome == "stored"
    assert flaky[0].article_id is not None


def test_an_exact_copy_under_another_url_is_not_stored_again(
    sqlite_url: str, server: FixtureServer, analyzer: Analyzer
) -> None:
    body = (FIXTURES / "pages" / f"{SEEDS[1]}.html").read_bytes()
    server.set_body("/copies/mnd.html", body, "text/html; charset=utf-8")
    server.set_body(
        "/feed.xml", rss(server.base, [SEED_PATHS[1], "/copies/mnd.html"]), "application/rss+xml"
    )
    config = config_for(sqlite_url, [feed("main", server.url("/feed.xml"))], per_host_concurrency=1)
    report = poll_once(config, analyzer_for(config, analyzer))
    assert (report.counts.new, report.counts.duplicates) == (1, 1)
    (article,) = rows(sqlite_url, ArticleModel)
    states = {p.url.removeprefix(server.base): p for p in rows(sqlite_url, PageStateModel)}
    assert {s.article_id for s in states.values()} == {article.id}
    assert sorted(s.outcome for s in states.values()) == ["duplicate", "stored"]


def test_robots_txt_disallow_is_honoured(sqlite_url: str, analyzer: Analyzer) -> None:
    with serve_fixtures(FIXTURES, robots_txt="User-agent: *\nDisallow: /pages/mbn") as server:
        server.set_body("/feed.xml", rss(server.base, SEED_PATHS), "application/rss+xml")
        config = config_for(sqlite_url, [feed("main", server.url("/feed.xml"))])
        report = poll_once(config, analyzer_for(config, analyzer))
        assert server.count(SEED_PATHS[0]) == 0
        assert server.count(SEED_PATHS[1]) == 1
    assert report.counts.new == 1
    (failure,) = rows(sqlite_url, FailureModel)
    assert failure.url.endswith(SEED_PATHS[0])
    assert "robots.txt" in failure.message


def test_internal_addresses_in_a_feed_are_refused_before_connecting(
    sqlite_url: str, analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The feed is on a (pretend) public host; it links to internal addresses."""
    internal = ("http://10.0.0.1/a.html", "http://169.254.169.254/latest/meta-data/")
    feed_body = rss("", internal)
    hosts: list[str] = []

    def public_site(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        if request.url.path == "/feed.xml":
            return httpx.Response(200, content=feed_body, headers={"content-type": "text/xml"})
        return httpx.Response(404)

    async def fake_resolve(host: str, port: int) -> list[IPAddress]:
        if host == "news.example.com":
            return [ipaddress.ip_address("93.184.216.34")]
        return [ipaddress.ip_address(host)]

    monkeypatch.setattr(fetcher_module, "resolve", fake_resolve)
    config = config_for(
        sqlite_url,
        [feed("public", "http://news.example.com/feed.xml")],
        allow_private_addresses=False,
    )
    report = poll_once(config, analyzer_for(config, analyzer), httpx.MockTransport(public_site))
    assert set(hosts) == {"news.example.com"}
    failures = rows(sqlite_url, FailureModel)
    assert sorted(f.url for f in failures) == sorted(internal)
    assert all("refused internal address" in f.message for f in failures)
    assert report.counts.failed == 2
    assert report.sources[0].status == "ok"


def test_cli_poll_sources_and_reprocess(
    tmp_path: Path, server: FixtureServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.set_body("/feed.xml", rss(server.base, SEED_PATHS), "application/rss+xml", '"c1"')
    database = f"sqlite:///{tmp_path / 'mw.db'}"
    sources = (
        "sources:\n"
        f"  - {{name: fixtures, kind: feed, url: '{server.url('/feed.xml')}'}}\n"
        "  - {name: offline, kind: feed, url: 'http://127.0.0.1:9/feed/'}\n"
    )
    fetch = "fetch: {allow_private_addresses: true, per_host_delay_seconds: 0}\n"
    blank = tmp_path / "blank.yaml"
    blank.write_text(f"database: {{url: '{database}'}}\nnlp: {{model: blank}}\n{fetch}{sources}")
    model = tmp_path / "model.yaml"
    model.write_text(f"database: {{url: '{database}'}}\n{fetch}{sources}")

    assert main(["--config", str(blank), "poll"]) == 1
    out, err = capsys.readouterr()
    assert "fixtures: 2 new" in out
    assert "offline: failed" in out
    assert err.count("error:") == 1
    assert "offline: http://127.0.0.1:9/feed/: fetch:" in err

    assert main(["--config", str(blank), "poll", "--source", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        "error: unknown source 'nope'; the configured sources are: fixtures, offline"
    )

    assert main(["--config", str(blank), "sources", "--format", "json"]) == 0
    health = {
        r["name"]: r["health"] for r in map(json.loads, capsys.readouterr().out.split("\n")[:-1])
    }
    assert health == {"fixtures": "ok", "offline": "failing"}

    assert main(["--config", str(blank), "reprocess"]) == 0
    assert "0 retagged, 2 unchanged, 0 failed" in capsys.readouterr().out
    assert main(["--config", str(model), "reprocess", "--source", "fixtures"]) == 0
    assert "2 retagged, 0 unchanged, 0 failed" in capsys.readouterr().out
    assert main(["--config", str(model), "reprocess", "--since", "2026-02-01"]) == 0
    assert "0 retagged, 1 unchanged, 0 failed (of 1 articles)" in capsys.readouterr().out
    assert len(rows(database, ArticleModel)) == 2


def peak_pages_in_flight(config: Config, analyzer: Analyzer) -> tuple[int, RunReport]:
    upgrade(config.database.url)
    engine = make_engine(config.database.url)

    async def go() -> tuple[int, RunReport]:
        async with Poller(config, analyzer, session_factory(engine)) as poller:
            report = await poller.poll(config.sources)
            return poller.pages_in_flight.peak, report

    try:
        return asyncio.run(go())
    finally:
        engine.dispose()


@pytest.mark.parametrize(("limit", "bounded"), [(2, True), (64, False)])
def test_fetching_waits_while_the_limit_of_pages_in_memory_is_reached(
    tmp_path: Path, server: FixtureServer, analyzer: Analyzer, limit: int, bounded: bool
) -> None:
    """Loopback fetching outruns analysis: unbounded, most pages wait in memory at once."""
    body = (FIXTURES / "pages" / f"{SEEDS[0]}.html").read_bytes()
    paths = [f"/copies/{number}.html" for number in range(12)]
    for path in paths:
        server.set_body(path, body, "text/html; charset=utf-8")
    server.set_body("/many.xml", rss(server.base, paths), "application/rss+xml")
    url = f"sqlite:///{tmp_path / 'bounded.db'}"
    config = config_for(url, [feed("many", server.url("/many.xml"))], max_pages_in_flight=limit)
    peak, report = peak_pages_in_flight(config, analyzer_for(config, analyzer))
    assert (report.counts.new, report.counts.duplicates) == (1, 11)
    assert (peak <= limit) if bounded else (peak > 2)
