"""The CPU-bound analyze stages, fed in batches from the asynchronous poll.

Pages queue up while fetching goes on; the worker takes what is ready (up to a batch)
and hands it to its runner, which runs :meth:`pipeline.stages.Analyzer.analyze_pages`
on it, so ``nlp.pipe`` sees batches without the poll ever waiting for a batch to fill.
The runner is a thread of this process (``nlp.processes: 0``) or a pool of worker
processes (:mod:`pipeline.polling.analyze_pool`), with up to ``runner.concurrency`` batches
in flight.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from pipeline.config import Config, worker_processes
from pipeline.errors import StageFailure, UnexpectedError
from pipeline.polling.analyze_pool import AnalyzePool, ThreadRunner
from pipeline.polling.ready_batch import next_batch
from pipeline.records import Failed, Outcome, Page
from pipeline.stages import Analyzer

_Item = tuple[Page, "asyncio.Future[Outcome]"]


class Runner(Protocol):
    concurrency: int

    async def start(self) -> None: ...

    async def run(self, pages: list[Page]) -> list[Outcome]: ...

    async def close(self) -> None: ...


def runner_for(config: Config, analyzer: Analyzer) -> Runner:
    """Worker processes per ``nlp.processes``; 0 means a thread running ``analyzer``."""
    processes = worker_processes(config.nlp)
    return AnalyzePool(config, processes) if processes > 0 else ThreadRunner(analyzer)


class AnalyzeWorker:
    """Runs the analyze stages in batches of what is ready, several batches at a time."""

    def __init__(self, runner: Runner, batch_size: int) -> None:
        self.runner = runner
        self.batch_size = batch_size
        self._queue: asyncio.Queue[_Item | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._slots = asyncio.Semaphore(runner.concurrency)
        self._running: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        await self.runner.start()
        self._task = asyncio.create_task(self._loop())

    async def analyze(self, page: Page) -> Outcome:
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        await self._queue.put((page, future))
        return await future

    async def stop(self) -> None:
        try:
            if self._task is not None and not self._task.done():
                self._queue.put_nowait(None)
                await self._task
            if self._running:
                await asyncio.gather(*self._running, return_exceptions=True)
        finally:
            await self.runner.close()

    async def _loop(self) -> None:
        slots = self._slots
        while (batch := await next_batch(self._queue, self.batch_size, slots.acquire)) is not None:
            task = asyncio.create_task(self._run(batch))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run(self, batch: list[_Item]) -> None:
        try:
            pages = [page for page, future in batch if not future.done()]
            outcomes = await self._outcomes(pages)
            by_source = {outcome.source: outcome for outcome in outcomes}
            for page, future in batch:
                if not future.done():
                    future.set_result(by_source[page.source])
        finally:
            self._slots.release()

    async def _outcomes(self, pages: list[Page]) -> list[Outcome]:
        """The batch's outcomes; when the batch raises (a bug, a dead or replaced worker),
        each page is analyzed alone, so only the document that raises fails."""
        if not pages:
            return []
        try:
            return await self.runner.run(pages)
        except Exception as exc:
            if len(pages) == 1:
                error = UnexpectedError.wrap(exc)
                return [Failed(pages[0].source, StageFailure("extract", pages[0].source, error))]
        return [outcome for page in pages for outcome in await self._outcomes([page])]
