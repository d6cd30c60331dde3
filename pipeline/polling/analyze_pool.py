"""The CPU-bound analyze stages (extract, tag, events) in worker processes.

A poll fetches and stores in one process; with the stages in the same process they
share one core under the GIL. :class:`AnalyzePool` runs them in ``nlp.processes``
worker processes instead, started with ``spawn`` (forking a process that has loaded
spaCy and runs threads is unsafe). Each worker builds its own
:class:`pipeline.stages.Analyzer` once, from the config, and then analyzes batches of
pages, so ``nlp.pipe`` still sees batches.

- What crosses the process boundary is picklable: :class:`Page` in, :class:`Outcome`
  out (frozen dataclasses); a failure whose error would not pickle is sent as an
  :class:`UnexpectedError` with the same message.
- Workers exit with the poll: they ignore SIGINT (the poll handles Ctrl-C and shuts
  them down) and a watchdog thread ends a worker whose parent is gone, even after
  SIGKILL.
- A worker that dies (killed, out of memory) fails only its batch: the pool is
  started again for the next one.
- Each document has ``nlp.max_seconds_per_document``: a batch may take that times its
  pages. A batch past its bound has its workers killed and a fresh pool started; its
  pages are then analyzed again one at a time, each with the bound, and a page that
  passes it alone is a :class:`DocumentTooSlow` failure; the others are analyzed and the
  poll goes on. Only as many batches as there are workers are submitted at once (the
  next one waits here, ready), so a batch's clock starts when a worker takes it. A
  thread (``nlp.processes: 0``, :class:`ThreadRunner`) cannot be stopped: the bound
  applies to worker processes only.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from pipeline.config import Config
from pipeline.errors import DocumentTooSlow, StageFailure, UnexpectedError, one_line
from pipeline.records import Failed, Outcome, Page
from pipeline.stages import Analyzer

WATCH_PARENT_SECONDS = 0.5
_ANALYZER: Analyzer | None = None


class ThreadRunner:
    """The analyze stages in one thread of this process (``nlp.processes: 0``)."""

    concurrency = 1

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="minewatch-analyze")

    async def start(self) -> None:
        return None

    async def run(self, pages: list[Page]) -> list[Outcome]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, _analyze_with, self.analyzer, pages)

    async def close(self) -> None:
        self._thread.shutdown(wait=True)


class AnalyzePool:
    """The analyze stages in ``processes`` worker processes; one batch in flight per
    worker plus one queued, so a worker never waits for the poll to hand it work."""

    def __init__(
        self,
        config: Config,
        processes: int,
        make_analyzer: Callable[[Config], Analyzer] = Analyzer,
    ) -> None:
        self.config = config
        self.processes = processes
        self.concurrency = processes + 1
        self.max_seconds = config.nlp.max_seconds_per_document
        self._make_analyzer = make_analyzer  # a module-level callable: workers unpickle it
        self._pool: ProcessPoolExecutor | None = None
        self._ready: asyncio.Future[list[int]] | None = None
        self._workers = asyncio.Semaphore(processes)

    async def start(self) -> None:
        """Start the workers and wait until each has loaded its pipeline."""
        await self._started()

    async def run(self, pages: list[Page]) -> list[Outcome]:
        """The outcomes of ``pages``; past the time bound, each page again alone."""
        try:
            return await self._run(pages, self.max_seconds * len(pages))
        except TimeoutError:
            pass
        outcomes: list[Outcome] = []
        for page in pages:
            try:
                outcomes += await self._run([page], self.max_seconds)
            except TimeoutError:
                outcomes.append(self._too_slow(page))
        return outcomes

    async def _run(self, pages: list[Page], seconds: float) -> list[Outcome]:
        async with self._workers:
            pool = await self._started()
            loop = asyncio.get_running_loop()
            try:
                return await asyncio.wait_for(
                    loop.run_in_executor(pool, analyze_batch, pages), seconds
                )
            except TimeoutError:
                self._replace(pool, kill=True)
                raise
            except BrokenProcessPool:
                self._replace(pool)
                raise

    def _too_slow(self, page: Page) -> Failed:
        error = DocumentTooSlow(
            f"analyzing took over nlp.max_seconds_per_document ({self.max_seconds:g} s)"
        )
        return Failed(page.source, StageFailure("analyze", page.source, error))

    async def _started(self) -> ProcessPoolExecutor:
        """The pool, once each of its workers has loaded its pipeline (started afresh
        after a replacement: a worker's start-up is not counted in any batch's bound)."""
        pool = self._executor()
        if self._ready is None:
            loop = asyncio.get_running_loop()
            ready = [loop.run_in_executor(pool, _ready) for _ in range(self.processes)]
            self._ready = asyncio.ensure_future(asyncio.gather(*ready))
        ready_now = self._ready
        try:
            await asyncio.shield(ready_now)
        except BrokenProcessPool:
            self._replace(pool)
            raise
        return pool

    def _replace(self, pool: ProcessPoolExecutor, kill: bool = False) -> None:
        """Drop ``pool`` (the next batch starts a fresh one); ``kill`` ends its workers
        now, whatever they are doing."""
        if self._pool is not pool:
            return  # already replaced by another batch
        self._pool, self._ready = None, None
        if kill:
            # ProcessPoolExecutor has no public way to stop a worker in the middle of a
            # task: its private ``_processes`` dict (pid -> Process) is the only handle.
            # The other batches in flight then get BrokenProcessPool and are analyzed
            # again page by page (AnalyzeWorker).
            for process in list((pool._processes or {}).values()):
                if process.is_alive():
                    process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    async def close(self) -> None:
        pool, self._pool, self._ready = self._pool, None, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(self.config, os.getpid(), self._make_analyzer),
            )
        return self._pool


# --- in the worker process ---------------------------------------------------------------


def _init_worker(
    config: Config, parent: int, make_analyzer: Callable[[Config], Analyzer] = Analyzer
) -> None:
    """Build the worker's analyzer once; exit when the parent process is gone."""
    global _ANALYZER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watchdog = threading.Thread(target=_watch_parent, args=(parent,), daemon=True)
    watchdog.start()
    analyzer = make_analyzer(config)
    _ = analyzer.events  # loads the spaCy pipeline and the gazetteers now
    _ANALYZER = analyzer


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_PARENT_SECONDS)
    os._exit(0)


def _ready() -> int:
    return os.getpid()


def analyze_batch(pages: list[Page]) -> list[Outcome]:
    """In a worker: the outcomes of ``pages``, in order, safe to send back."""
    if _ANALYZER is None:
        raise RuntimeError("analyze_batch runs only in a worker started by AnalyzePool")
    return [picklable(outcome) for outcome in _analyze_with(_ANALYZER, pages)]


def _analyze_with(analyzer: Analyzer, pages: list[Page]) -> list[Outcome]:
    return list(analyzer.analyze_pages(pages))


def picklable(outcome: Outcome) -> Outcome:
    """The outcome, with a failure whose error cannot be pickled replaced by its message."""
    failure = outcome.failure
    if failure is None:
        return outcome
    try:
        pickle.loads(pickle.dumps(failure))
    except Exception:  # any error of the error's own pickling: send its message instead
        error = UnexpectedError(one_line(failure.error))
        return Failed(outcome.source, StageFailure(failure.stage, failure.source, error))
    return outcome
