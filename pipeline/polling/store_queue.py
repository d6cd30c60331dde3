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

from sqlalchemy.orm import Session, sessionmaker

from pipeline.errors import MinewatchError
from pipeline.polling.ready_batch import next_batch
from pipeline.records import PageResult, PageToStore
from pipeline.stages import store_pages

STORE_BATCH = 32

_Item = tuple[PageToStore, "asyncio.Future[PageResult]"]


class StoreQueue:
    """Stores pages in the writer thread, a batch of what is ready per transaction."""

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

    async def store(self, page: PageToStore) -> PageResult:
        """What became of the page; raises the page's StorageError if it failed."""
        future: asyncio.Future[PageResult] = asyncio.get_running_loop().create_future()
        await self._queue.put((page, future))
        return await future

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._queue.put_nowait(None)
            await self._task

    async def _loop(self) -> None:
        while (ready := await next_batch(self._queue, self.batch_size)) is not None:
            batch = [(page, future) for page, future in ready if not future.done()]
            pages = [page for page, _ in batch]
            loop = asyncio.get_running_loop()
            results = await loop.run_in_executor(self.writer, store_pages, self.sessions, pages)
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():  # cancelled meanwhile: stored all the same
                    continue
                if isinstance(result, MinewatchError):
                    future.set_exception(result)
                else:
                    future.set_result(result)
