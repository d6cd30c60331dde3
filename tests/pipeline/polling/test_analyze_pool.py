"""The analyze stages in worker processes, and storing several articles per transaction."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.db import make_engine, session_factory, upgrade
from models.schema import ArticleModel, EventModel, EventParticipantModel, PageStateModel
from pipeline.config import Config, parse_config, worker_processes
from pipeline.errors import MinewatchError, StageFailure, StorageError
from pipeline.polling.analyze_pool import AnalyzePool, ThreadRunner, picklable
from pipeline.polling.analyze_worker import AnalyzeWorker, runner_for
from pipeline.records import Failed, Outcome, Page, PageToStore, Validators
from pipeline.stages import Analyzer, store_pages
from tests.conftest import PAGES, ROOT, SEEDS


def pages() -> list[Page]:
    paths = [PAGES / f"{name}.html" for name in SEEDS] + [PAGES / "no-article.html"]
    return [
        Page(source=str(path), content=path.read_text(encoding="utf-8"), kind="html")
        for path in paths
    ]


def blank(processes: int) -> Config:
    return parse_config({"nlp": {"model": "blank", "processes": processes}})


def test_processes_default_to_the_cores_and_zero_means_a_thread(blank_analyzer: Analyzer) -> None:
    assert worker_processes(parse_config({}).nlp) == len(os.sched_getaffinity(0))
    assert isinstance(runner_for(blank(0), blank_analyzer), ThreadRunner)
    pool = runner_for(blank(3), blank_analyzer)
    assert isinstance(pool, AnalyzePool)
    assert pool.processes == 3


def test_worker_processes_give_the_same_outcomes_as_this_process(
    blank_analyzer: Analyzer,
) -> None:
    expected = list(blank_analyzer.analyze_pages(pages()))

    async def go() -> list[Outcome]:
        worker = AnalyzeWorker(AnalyzePool(blank(2), 2), batch_size=2)
        await worker.start()
        try:
            return list(await asyncio.gather(*(worker.analyze(p) for p in pages())))
        finally:
            await worker.stop()

    outcomes = asyncio.run(go())
    assert [o.analyzed for o in outcomes] == [o.analyzed for o in expected]
    assert outcomes[0].analyzed is not None
    assert outcomes[0].analyzed.events
    failure = outcomes[2].failure  # the page without an article fails alone
    assert failure is not None
    assert failure.stage == "extract"


class Unpicklable(MinewatchError):
    def __init__(self, message: str, handle: object) -> None:
        super().__init__(message)
        self.handle = handle


def test_a_failure_that_would_not_pickle_is_sent_as_its_message() -> None:
    error = Unpicklable("cannot  parse\nthis", handle=lambda: None)
    outcome = Failed("a.html", StageFailure("tag", "a.html", error))
    sent = picklable(outcome).failure
    assert sent is not None
    assert sent.stage == "tag"
    assert sent.reason == "cannot parse this"
    ok = Failed("b.html", StageFailure("tag", "b.html", StorageError("x")))
    assert picklable(ok) is ok


WORKER_SCRIPT = """
import asyncio, sys, time
from pipeline.polling.analyze_pool import AnalyzePool
from pipeline.config import parse_config

async def main():
    pool = AnalyzePool(parse_config({"nlp": {"model": "blank"}}), 2)
    await pool.start()
    print(" ".join(str(p) for p in pool._executor()._processes), flush=True)
    time.sleep(120)

if __name__ == "__main__":
    asyncio.run(main())
"""


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_workers_exit_with_their_parent(tmp_path: Path, signum: signal.Signals) -> None:
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(WORKER_SCRIPT), encoding="utf-8")
    parent = subprocess.Popen(
        [sys.executable, str(script)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(workers) == 2
        assert all(alive(pid) for pid in workers)
        parent.send_signal(signum)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in workers)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie awaiting its reaper does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def test_a_page_that_fails_to_store_does_not_lose_the_others_of_its_batch(
    tmp_path: Path, blank_analyzer: Analyzer
) -> None:
    url = f"sqlite:///{tmp_path / 'mw.db'}"
    upgrade(url)
    engine = make_engine(url)
    outcomes = list(blank_analyzer.analyze_pages(pages()))
    good, other = outcomes[0], outcomes[1]
    assert good.analyzed is not None
    assert other.analyzed is not None
    event = replace(other.analyzed.events[0], start=-1)  # violates the span constraint
    bad = replace(other, analyzed=replace(other.analyzed, events=(event,)))
    urls = [f"https://example.com/{n}" for n in range(3)]
    jobs = [
        PageToStore(outcome, "s", page, page, Validators(), 200)
        for page, outcome in zip(urls, [good, bad, outcomes[2]], strict=True)
    ]
    try:
        results = store_pages(session_factory(engine), jobs)
        assert results[0] == "new"
        assert results[2] == "failed"
        assert isinstance(results[1], StorageError)
        with session_factory(engine)() as session:
            assert session.scalars(select(ArticleModel.key)).all() == ["https://example.com/0"]
            query = select(PageStateModel.url, PageStateModel.outcome)
            states = {page: outcome for page, outcome in session.execute(query)}
            assert states == {"https://example.com/0": "stored", "https://example.com/2": "failed"}
            events = session.scalar(select(func.count()).select_from(EventModel))
            assert events == len(good.analyzed.events)
            participants = session.scalar(select(func.count()).select_from(EventParticipantModel))
            assert participants == sum(len(e.participants) for e in good.analyzed.events)
    finally:
        engine.dispose()
