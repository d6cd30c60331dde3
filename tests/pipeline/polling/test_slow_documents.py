"""A per-document time bound in the worker processes (``nlp.max_seconds_per_document``):
a document past it fails alone as DocumentTooSlow, its worker is killed and replaced,
and the other pages of its batch are analyzed by the new worker and stored."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from models.db import make_engine, session_factory, upgrade
from models.schema import ArticleModel, PageStateModel
from pipeline.config import Config, parse_config
from pipeline.errors import ConfigError, DocumentTooSlow
from pipeline.polling.analyze_pool import AnalyzePool
from pipeline.polling.analyze_worker import AnalyzeWorker
from pipeline.records import Outcome, Page, PageToStore, Validators
from pipeline.stages import Analyzer, store_pages
from tests.pipeline.polling.test_analyze_pool import alive

SLOW = "SLOW-DOCUMENT-FOR-THE-TEST"
TEXT = "Mexico's lithium output rose in 2026, the Ministry of Economy said on Thursday.\n"


class SlowAnalyzer(Analyzer):
    """An analyzer whose analysis of a page holding SLOW takes far past the bound."""

    def analyze_pages(self, pages: Iterable[Page]) -> Iterator[Outcome]:
        pages = list(pages)
        if any(SLOW in page.content for page in pages):
            time.sleep(600)
        yield from super().analyze_pages(pages)


def slow_analyzer(config: Config) -> Analyzer:
    return SlowAnalyzer(config)


def _pages() -> list[Page]:
    texts = [TEXT, TEXT.replace("Mexico", "Chile"), SLOW + " " + TEXT, TEXT.replace("2026", "2025")]
    return [
        Page(source=f"https://example.com/{n}", content=text, kind="text", url=None)
        for n, text in enumerate(texts)
    ]


def test_a_slow_document_fails_alone_and_a_new_worker_analyzes_the_others(
    tmp_path: Path,
) -> None:
    config = parse_config(
        {"nlp": {"model": "blank", "processes": 1, "max_seconds_per_document": 1.5}}
    )
    pool = AnalyzePool(config, 1, make_analyzer=slow_analyzer)

    async def go() -> tuple[list[Outcome], set[int], set[int]]:
        worker = AnalyzeWorker(pool, batch_size=4)
        await worker.start()
        try:
            first = set(pool._executor()._processes or {})
            started = time.monotonic()
            outcomes = list(await asyncio.gather(*(worker.analyze(p) for p in _pages())))
            assert time.monotonic() - started < 300  # bounded: nobody waited the 600 s
            then = set(pool._executor()._processes or {})
            return outcomes, first, then
        finally:
            await worker.stop()

    outcomes, first, then = asyncio.run(go())
    failure = outcomes[2].failure
    assert failure is not None
    assert isinstance(failure.error, DocumentTooSlow)
    assert failure.stage == "analyze"
    assert "nlp.max_seconds_per_document (1.5 s)" in failure.one_line()
    assert "raise nlp.max_seconds_per_document" in failure.one_line()
    assert [o.failure for n, o in enumerate(outcomes) if n != 2] == [None, None, None]
    assert then  # a new worker served the others
    assert not then & first
    assert not any(alive(pid) for pid in first)  # the slow one was killed

    url = f"sqlite:///{tmp_path / 'mw.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        jobs = [PageToStore(o, "s", o.source, o.source, Validators(), 200) for o in outcomes]
        assert store_pages(session_factory(engine), jobs) == ["new", "new", "failed", "new"]
        with session_factory(engine)() as session:
            assert len(session.scalars(select(ArticleModel.id)).all()) == 3
            query = select(PageStateModel.url, PageStateModel.outcome)
            states = {page: outcome for page, outcome in session.execute(query)}
            assert states["https://example.com/2"] == "failed"
    finally:
        engine.dispose()


def test_the_bound_is_validated_and_defaults_to_a_minute() -> None:
    assert parse_config({}).nlp.max_seconds_per_document == 60
    with pytest.raises(ConfigError, match=r"nlp\.max_seconds_per_document"):
        parse_config({"nlp": {"max_seconds_per_document": 0}})
