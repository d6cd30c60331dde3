"""Per-stage cost, in process: median ms per document of each stage of the pipeline.

Over a sample of the corpus, one document at a time (as the limit is defined per
document): extraction (``extract_article``), tagging (``Tagger.tag_one_with_doc``:
the spaCy model plus rules), events (``EventExtractor.extract``) and storage
(``pipeline.stages.store_pages``, the one store function, into a fresh SQLite file:
the exact-duplicate check, the article, its mentions, events and its near-duplicate
fingerprint and cluster). Loading the pipeline is not timed:
the first documents are run once before timing.

Tagging is timed twice per document, side by side: with the default ``nlp.scope:
needed`` (the model only where the rules read it) and with ``nlp.scope: document``
(the model over every sentence), and the two outputs are compared.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bench.corpus import Doc
from extractors.article import extract_article
from models.db import make_engine, session_factory, upgrade
from pipeline.config import Config, parse_config
from pipeline.records import Analyzed, AnalyzedArticle, Article, Page, PageToStore
from pipeline.stages import Analyzer, store_pages

T = TypeVar("T")
STAGES = ("extraction", "tagging", "events", "storage")
DOCUMENT_SCOPE = "tagging, nlp.scope: document"
TIMED = (*STAGES, DOCUMENT_SCOPE)


@dataclass(frozen=True)
class StageTimes:
    documents: int
    median_ms: dict[str, float]  # stage -> median ms per document
    words: float  # median words of article text
    document_scope_ms: float  # tagging with the model over every sentence
    agreement: Agreement  # the default scope's output against the document scope's

    @property
    def analyze_ms(self) -> float:
        """Extraction + tagging + events: minewatch's own CPU cost per document."""
        return sum(self.median_ms[s] for s in ("extraction", "tagging", "events"))


def _timed(samples: list[float], func: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = func()
    samples.append((time.perf_counter() - start) * 1000)
    return result


def _page(doc: Doc, base: str) -> Page:
    return Page(
        source=base + doc.path,
        content=doc.body.decode("utf-8"),
        kind="html",
        raw=doc.body,
        url=base + doc.path,
    )


def measure(docs: list[Doc], base: str, model: str) -> StageTimes:
    config = parse_config({"nlp": {"model": model}})
    analyzer = Analyzer(config)
    everywhere = Analyzer(parse_config({"nlp": {"model": model, "scope": "document"}}))
    for doc in docs[:3]:  # load the pipelines, build the matchers
        _analyze(analyzer, everywhere, config, _page(doc, base), {s: [] for s in TIMED})
    times: dict[str, list[float]] = {s: [] for s in TIMED}
    pairs = [_analyze(analyzer, everywhere, config, _page(doc, base), times) for doc in docs]
    analyzed = [needed for needed, _ in pairs]
    words = statistics.median(len(a.tagged.article.text.split()) for a in analyzed)
    times["storage"] = _store(analyzed)
    medians = {stage: statistics.median(values) for stage, values in times.items()}
    agreement = Agreement.of(pairs)
    return StageTimes(len(docs), medians, words, medians.pop(DOCUMENT_SCOPE), agreement)


def _analyze(
    analyzer: Analyzer,
    everywhere: Analyzer,
    config: Config,
    page: Page,
    times: dict[str, list[float]],
) -> tuple[AnalyzedArticle, AnalyzedArticle]:
    article: Article = _timed(times["extraction"], lambda: extract_article(page, config.extraction))
    tagged = _timed(times["tagging"], lambda: analyzer.tagger.tag_one_with_doc(article))
    document = _timed(times[DOCUMENT_SCOPE], lambda: everywhere.tagger.tag_one_with_doc(article))
    analyzed = _timed(times["events"], lambda: analyzer.events.extract(*tagged))
    return analyzed, everywhere.events.extract(*document)


@dataclass(frozen=True)
class Agreement:
    """Mentions (entity id and offsets) and events (every field) found by both scopes,
    of those found by the document scope, and of those found by the default."""

    mentions_shared: int
    mentions_document: int
    mentions_needed: int
    events_shared: int
    events_document: int
    events_needed: int

    @classmethod
    def of(cls, pairs: list[tuple[AnalyzedArticle, AnalyzedArticle]]) -> Agreement:
        return cls(*_shared(pairs, _mentions), *_shared(pairs, _events))


def _shared(
    pairs: list[tuple[AnalyzedArticle, AnalyzedArticle]],
    found: Callable[[AnalyzedArticle], set[object]],
) -> tuple[int, int, int]:
    """(found by both, by the document scope, by the default), summed over the pairs."""
    both = document = needed = 0
    for default_output, document_output in pairs:
        ours, theirs = found(default_output), found(document_output)
        both += len(ours & theirs)
        document += len(theirs)
        needed += len(ours)
    return both, document, needed


def _mentions(analyzed: AnalyzedArticle) -> set[object]:
    return {(e.id, m.start, m.end) for e in analyzed.tagged.entities for m in e.mentions}


def _events(analyzed: AnalyzedArticle) -> set[object]:
    return set(analyzed.events)


def _store(analyzed: list[AnalyzedArticle]) -> list[float]:
    samples: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'stages.db'}"
        upgrade(url)
        engine = make_engine(url)
        factory = session_factory(engine)
        try:
            for item in analyzed:
                page = PageToStore(Analyzed(item.article.source, item), "bench")
                _timed(samples, lambda page=page: store_pages(factory, [page]))  # type: ignore[misc]
        finally:
            engine.dispose()
    return samples
