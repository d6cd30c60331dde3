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
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from pipeline.config import Config
from pipeline.errors import StageFailure, UnexpectedError, one_line
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

    def __init__(self, config: Config, processes: int) -> None:
        self.config = config
        self.processes = processes
        self.concurrency = processes + 1
        self._pool: ProcessPoolExecutor | None = None

    async def start(self) -> None:
        """Start the workers and wait until each has loaded its pipeline."""
        pool = self._executor()
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(pool, _ready) for _ in range(self.processes)))

    async def run(self, pages: list[Page]) -> list[Outcome]:
        pool = self._executor()
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(pool, analyze_batch, pages)
        except BrokenProcessPool:
            if self._pool is pool:  # start afresh for the next batch
                self._pool = None
                pool.shutdown(wait=False, cancel_futures=True)
            raise

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(self.config, os.getpid()),
            )
        return self._pool


# --- in the worker process ---------------------------------------------------------------


def _init_worker(config: Config, parent: int) -> None:
    """Build the worker's analyzer once; exit when the parent process is gone."""
    global _ANALYZER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watchdog = threading.Thread(target=_watch_parent, args=(parent,), daemon=True)
    watchdog.start()
    analyzer = Analyzer(config)
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
