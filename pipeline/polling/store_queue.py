"""Storing a poll's analyzed pages from the writer thread, several per transaction.

Pages wait in a queue while the writer thread is busy; it then takes what is ready
(up to a batch) and stores it in one transaction. Within it each page is one
savepoint: the duplicate check, the article with its mentions and events, and the
page's state, so a page's state never points to an article that is not stored, and
a page that fails rolls back alone while the others of its batch are committed. If
the commit itself fails, every page of the batch fails (nothing of it is stored; the
next poll fetches them again).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Literal

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from models import crawl_store as cs
from models.db import WRITE_OPTION, storage_error
from models.duplicates import exact_duplicate
from models.store import store_analyzed
from pipeline.errors import MinewatchError
from pipeline.polling.ready_batch import next_batch
from pipeline.records import AnalyzedArticle, Validators
from pipeline.stages import Outcome

PageResult = Literal["new", "updated", "unchanged", "retagged", "duplicate", "failed"]
STORE_BATCH = 32


@dataclass(frozen=True)
class StoreJob:
    """One analyzed page to store: where it came from, its article URL and outcome."""

    source: str
    url: str
    article_url: str
    validators: Validators
    status: int | None
    outcome: Outcome


_Item = tuple[StoreJob, "asyncio.Future[PageResult]"]


class StoreQueue:
    """Stores jobs in the writer thread, a batch of what is ready per transaction."""

    def __init__(
        self, sessions: sessionmaker[Session], writer: ThreadPoolExecutor, batch_size: int
    ) -> None:
        self.sessions = sessions
        self.writer = writer
        self.batch_size = batch_size
        self._queue: asyncio.Queue[_Item | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def store(self, job: StoreJob) -> PageResult:
        """What became of the page; raises the page's StorageError if it failed."""
        future: asyncio.Future[PageResult] = asyncio.get_running_loop().create_future()
        await self._queue.put((job, future))
        return await future

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._queue.put_nowait(None)
            await self._task

    async def _loop(self) -> None:
        while (ready := await next_batch(self._queue, self.batch_size)) is not None:
            batch = [(job, future) for job, future in ready if not future.done()]
            jobs = [job for job, _ in batch]
            loop = asyncio.get_running_loop()
            results = await loop.run_in_executor(self.writer, store_batch, self.sessions, jobs)
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():  # cancelled meanwhile: stored all the same
                    continue
                if isinstance(result, MinewatchError):
                    future.set_exception(result)
                else:
                    future.set_result(result)


def store_batch(
    factory: sessionmaker[Session], jobs: list[StoreJob]
) -> list[PageResult | MinewatchError]:
    """In the writer thread: every job in one transaction, each in its own savepoint."""
    if not jobs:
        return []
    session = factory()
    try:
        with session.begin():
            session.connection(execution_options={WRITE_OPTION: True})
            return [_store_one(session, job) for job in jobs]
    except SQLAlchemyError as exc:
        error = storage_error(session.get_bind().engine.url, exc)
        return [error] * len(jobs)
    finally:
        session.close()


def _store_one(session: Session, job: StoreJob) -> PageResult | MinewatchError:
    try:
        with session.begin_nested():
            return _store_page(session, job)
    except SQLAlchemyError as exc:
        return storage_error(session.get_bind().engine.url, exc)


def _store_page(session: Session, job: StoreJob) -> PageResult:
    state = cs.PageState(job.url, job.source, "failed", job.validators, job.status)
    if job.outcome.analyzed is None:
        cs.save_page(session, state)
        return "failed"
    analyzed = with_page_url(job.outcome.analyzed, job.article_url)
    original = exact_duplicate(session, analyzed.article.content_hash, job.article_url)
    if original is not None:
        cs.save_page(session, replace(state, outcome="duplicate", article_id=original))
        return "duplicate"
    stored = store_analyzed(session, analyzed)
    cs.save_page(session, replace(state, outcome="stored", article_id=stored.article_id))
    return stored.status


def with_page_url(analyzed: AnalyzedArticle, url: str | None) -> AnalyzedArticle:
    """The article keyed by the URL the run decided, not one the page claims."""
    article = replace(analyzed.article, url=url)
    return replace(analyzed, tagged=replace(analyzed.tagged, article=article))
