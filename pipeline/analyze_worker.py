"""The CPU-bound analyze stages in one worker thread, fed from the asynchronous poll.

Pages queue up while fetching goes on; the worker takes what is ready (up to a batch)
and runs :meth:`pipeline.stages.Analyzer.analyze_pages` on it, so ``nlp.pipe`` sees
batches without the poll ever waiting for a batch to fill.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from pipeline.errors import StageFailure, UnexpectedError
from pipeline.records import Page
from pipeline.stages import Analyzer, Outcome


class AnalyzeWorker:
    """Runs the analyze stages in one worker thread, in batches of what is ready."""

    def __init__(self, analyzer: Analyzer, batch_size: int) -> None:
        self.analyzer = analyzer
        self.batch_size = batch_size
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="minewatch-analyze")
        self._queue: asyncio.Queue[tuple[Page, asyncio.Future[Outcome]] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def analyze(self, page: Page) -> Outcome:
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        await self._queue.put((page, future))
        return await future

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._queue.put_nowait(None)
            await self._task
        self._thread.shutdown(wait=True)

    async def _loop(self) -> None:
        while (item := await self._queue.get()) is not None:
            batch = [item]
            while len(batch) < self.batch_size and not self._queue.empty():
                following = self._queue.get_nowait()
                if following is None:
                    self._queue.put_nowait(None)
                    break
                batch.append(following)
            await self._run(batch)

    async def _run(self, batch: list[tuple[Page, asyncio.Future[Outcome]]]) -> None:
        pages = [page for page, future in batch if not future.done()]
        loop = asyncio.get_running_loop()
        try:
            outcomes = await loop.run_in_executor(self._thread, self._analyze, pages)
        except Exception as exc:  # a bug in a stage: every page of the batch fails with it
            error = UnexpectedError.wrap(exc)
            outcomes = [
                Outcome(p.source, failure=StageFailure("extract", p.source, error)) for p in pages
            ]
        by_source = {outcome.source: outcome for outcome in outcomes}
        for page, future in batch:
            if not future.done():
                future.set_result(by_source[page.source])

    def _analyze(self, pages: list[Page]) -> list[Outcome]:
        return list(self.analyzer.analyze_pages(pages))
