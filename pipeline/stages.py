"""The one module that runs the stages in order: read -> extract -> tag -> events.

``analyze`` yields one result per input, in input order. A failure in any stage is
recorded with the stage and the input, and the run goes on with the next input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, partial
from typing import ParamSpec, TypeVar

from extractors.article import extract_article
from extractors.events import EventExtractor
from extractors.tagger import TaggedDoc, Tagger
from pipeline.config import Config
from pipeline.errors import MinewatchError, StageFailure, UnexpectedError
from pipeline.fetching.inputs import read_pages
from pipeline.fetching.one_url import fetch_page
from pipeline.records import AnalyzedArticle, Article, Page, TaggedArticle


@dataclass(frozen=True)
class Outcome:
    """What became of one input: its analyzed article or its failure."""

    source: str
    analyzed: AnalyzedArticle | None = None
    failure: StageFailure | None = None

    @property
    def tagged(self) -> TaggedArticle | None:
        return self.analyzed.tagged if self.analyzed is not None else None


class Analyzer:
    def __init__(self, config: Config) -> None:
        self.config = config

    @cached_property
    def tagger(self) -> Tagger:
        return Tagger.from_config(self.config)

    @cached_property
    def events(self) -> EventExtractor:
        return EventExtractor(self.tagger.nlp, self.config.gazetteers.dir)

    def analyze(
        self,
        inputs: list[str],
        *,
        url: str | None = None,
        published: dt.date | None = None,
    ) -> Iterator[Outcome]:
        fetch = partial(
            fetch_page, config=self.config.fetch, max_bytes=self.config.extraction.max_bytes
        )
        pages = read_pages(
            inputs,
            max_bytes=self.config.extraction.max_bytes,
            fetch=fetch,
            url=url,
            published=published,
        )
        extracted = (self._extract(item) for item in pages)
        yield from self._tag_in_batches(extracted)

    def analyze_pages(self, pages: Iterable[Page]) -> Iterator[Outcome]:
        yield from self._tag_in_batches(self._extract(page) for page in pages)

    def _extract(self, item: Page | StageFailure) -> Article | Outcome:
        if isinstance(item, StageFailure):
            return Outcome(item.source, failure=item)
        return _guard("extract", item.source, extract_article, item, self.config.extraction)

    def _tag_in_batches(self, items: Iterable[Article | Outcome]) -> Iterator[Outcome]:
        batch: list[Article | Outcome] = []
        for item in items:
            batch.append(item)
            if len(batch) >= self.config.nlp.batch_size:
                yield from self._tag_batch(batch)
                batch = []
        yield from self._tag_batch(batch)

    def _tag_batch(self, batch: list[Article | Outcome]) -> Iterator[Outcome]:
        articles = [item for item in batch if isinstance(item, Article)]
        events = self.events
        try:
            tagged: Iterator[TaggedDoc | Outcome] = iter(list(self.tagger.tag_with_docs(articles)))
        except Exception:  # one bad article must not sink its batch: retry one by one
            tagged = iter([self._tag_one(a) for a in articles])
        for item in batch:
            if isinstance(item, Outcome):
                yield item
                continue
            result = next(tagged)
            if isinstance(result, Outcome):
                yield result
                continue
            analyzed = _guard("events", item.source, events.extract, *result)
            yield analyzed if isinstance(analyzed, Outcome) else Outcome(item.source, analyzed)

    def _tag_one(self, article: Article) -> TaggedDoc | Outcome:
        return _guard("tag", article.source, self.tagger.tag_one_with_doc, article)


P = ParamSpec("P")
R = TypeVar("R")


def _guard(
    stage: str, source: str, func: Callable[P, R], *args: P.args, **kwargs: P.kwargs
) -> R | Outcome:
    try:
        return func(*args, **kwargs)
    except MinewatchError as exc:
        return Outcome(source, failure=StageFailure(stage, source, exc))
    except Exception as exc:  # a bug must not stop the run; it is recorded as one
        return Outcome(source, failure=StageFailure(stage, source, UnexpectedError.wrap(exc)))
