"""The one module that runs the stages in order: read -> extract -> tag -> events -> store.

``analyze`` yields one :data:`Outcome` per input, in input order. A failure in any
stage is recorded with the stage and the input, and the run goes on with the next
input. :func:`store_page` is the one place where a page's outcome is stored, for
every command that stores (poll, run, ingest, reprocess).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from functools import cached_property, partial
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from alerts.hook import record_matches
from extractors.article import extract_article
from extractors.events import EventExtractor
from extractors.tagger import TaggedDoc, Tagger
from models import crawl_store
from models.db import WRITE_OPTION, storage_error
from models.duplicates import exact_duplicate
from models.store import article_key, store_analyzed
from pipeline.config import Config
from pipeline.errors import MinewatchError, StageFailure, UnexpectedError, page_hint
from pipeline.fetching.inputs import read_pages
from pipeline.fetching.one_url import fetch_page
from pipeline.records import (
    Analyzed,
    AnalyzedArticle,
    Article,
    Failed,
    Outcome,
    Page,
    PageResult,
    PageToStore,
    Validators,
)


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

    def _extract(self, item: Page | StageFailure) -> Article | Failed:
        if isinstance(item, StageFailure):
            return Failed(item.source, item)
        return _guard("extract", item.source, extract_article, item, self.config.extraction)

    def _tag_in_batches(self, items: Iterable[Article | Failed]) -> Iterator[Outcome]:
        batch: list[Article | Failed] = []
        for item in items:
            batch.append(item)
            if len(batch) >= self.config.nlp.batch_size:
                yield from self._tag_batch(batch)
                batch = []
        yield from self._tag_batch(batch)

    def _tag_batch(self, batch: list[Article | Failed]) -> Iterator[Outcome]:
        articles = [item for item in batch if isinstance(item, Article)]
        events = self.events
        try:
            tagged: Iterator[TaggedDoc | Failed] = iter(list(self.tagger.tag_with_docs(articles)))
        except Exception:  # one bad article must not sink its batch: retry one by one
            tagged = iter([self._tag_one(a) for a in articles])
        for item in batch:
            if isinstance(item, Failed):
                yield item
                continue
            result = next(tagged)
            if isinstance(result, Failed):
                yield result
                continue
            analyzed = _guard("events", item.source, events.extract, *result)
            yield analyzed if isinstance(analyzed, Failed) else Analyzed(item.source, analyzed)

    def _tag_one(self, article: Article) -> TaggedDoc | Failed:
        return _guard("tag", article.source, self.tagger.tag_one_with_doc, article)


P = ParamSpec("P")
R = TypeVar("R")


def _guard(
    stage: str, source: str, func: Callable[P, R], *args: P.args, **kwargs: P.kwargs
) -> R | Failed:
    try:
        return func(*args, **kwargs)
    except MinewatchError as exc:
        return Failed(source, StageFailure(stage, source, exc))
    except Exception as exc:  # a bug must not stop the run; it is recorded as one
        return Failed(source, StageFailure(stage, source, UnexpectedError.wrap(exc)))


# --- store: the one way out ------------------------------------------------------------


def store_pages(
    factory: sessionmaker[Session], pages: list[PageToStore]
) -> list[PageResult | MinewatchError]:
    """Store ``pages`` in one transaction, each in its own savepoint through
    :func:`store_page`: a page that fails rolls back alone; if the commit fails, every
    page gets the StorageError. Runs in the caller's thread (poll's writer thread)."""
    if not pages:
        return []
    session = factory()
    try:
        with session.begin():
            session.connection(execution_options={WRITE_OPTION: True})
            return [_store_one(session, page) for page in pages]
    except SQLAlchemyError as exc:
        error = storage_error(session.get_bind().engine.url, exc)
        return [error] * len(pages)
    finally:
        session.close()


def _store_one(session: Session, page: PageToStore) -> PageResult | MinewatchError:
    try:
        with session.begin_nested():
            return store_page(session, page)
    except SQLAlchemyError as exc:
        return storage_error(session.get_bind().engine.url, exc)


def store_page(session: Session, page: PageToStore) -> PageResult:
    """Store one page's outcome in ``session``'s transaction (the caller commits).

    The one place every storing command goes through: a failure becomes a failure row
    and a failed page state with its retry time; an analyzed page is checked for an
    exact duplicate (the same text under another key is recorded as a duplicate of
    its original, not stored twice), stored with its mentions and events (joining
    its near-duplicate cluster), matched against the alert rules, and its page state
    points to the stored article.
    """
    if isinstance(page.outcome, Failed):
        _store_failure(session, page, page.outcome.failure)
        return "failed"
    analyzed = with_page_url(page.outcome.analyzed, page.article_url)
    article = analyzed.article
    original = exact_duplicate(session, article.content_hash, article_key(article))
    if original is not None:
        _save_page_state(session, page, "duplicate", original)
        return "duplicate"
    stored = store_analyzed(session, analyzed)
    record_matches(session, stored.article_id, analyzed)  # alerts, in this transaction
    _save_page_state(session, page, "stored", stored.article_id)
    return stored.status


def with_page_url(analyzed: AnalyzedArticle, url: str | None) -> AnalyzedArticle:
    """The article keyed by the URL the run decided, not one the page claims (a page
    from a local file keeps the URL extraction found, or its content hash)."""
    if url is None:
        return analyzed
    article = replace(analyzed.article, url=url)
    return replace(analyzed, tagged=replace(analyzed.tagged, article=article))


def _store_failure(session: Session, page: PageToStore, failure: StageFailure) -> None:
    url = page.url or failure.source
    record = crawl_store.FailureRecord.of(failure, url, page.source, page_hint(failure.error))
    crawl_store.add_failures(session, page.run_id, [record])
    _save_page_state(session, page, "failed", None, failure.error)


def _save_page_state(
    session: Session,
    page: PageToStore,
    outcome: crawl_store.PageOutcome,
    article_id: int | None,
    error: MinewatchError | None = None,
) -> None:
    if page.url is None:  # a local file: nothing to fetch again, no page state
        return
    state = crawl_store.PageState(
        page.url, page.source, outcome, page.validators or Validators(), page.status, article_id
    )
    crawl_store.save_page(session, state, error)
