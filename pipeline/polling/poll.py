"""One poll cycle: discover, fetch, analyze, dedupe and store, for one or many sources.

    source ──fetch (conditional)──► discover ──► known? skip ──► fetch pages ──► Page
      ──analyze (worker processes, batched)──► exact duplicate? ──► store ──► page state

- Fetching is asynchronous through one :class:`pipeline.fetching.fetcher.Fetcher` (polite per
  host, conditional, address-checked); every request goes to the fetch log.
- The CPU-bound analyze stages run in ``nlp.processes`` worker processes (or one
  thread), in batches, while fetching goes on (:mod:`pipeline.polling.analyze_worker`); the
  database is written from one other thread, the articles that are ready in one
  transaction, each article with its page state in one savepoint, so a page's state
  never points to an article that is not stored (:mod:`pipeline.polling.store_queue`).
- At most ``fetch.max_pages_in_flight`` pages are held between fetch and store
  (:mod:`pipeline.polling.in_flight`): fetching waits for a slot, so memory stays flat.
- Per source and poll, at most ``fetch.max_links_per_poll`` pages and
  ``fetch.max_child_sitemaps_per_poll`` child sitemaps are fetched; the rest is queued
  (page states "queued", "queued-sitemap") and fetched first on the next poll, even when
  the source itself is unchanged (304), so a long list is read round-robin, never cut.
- One bad page never stops the run: each failure is recorded with its stage, URL and
  cause. A source fails only when its own fetch or discovery fails; it then backs
  off exponentially.
- Each :meth:`Poller.poll` call is one run record; cancelling it marks the run
  ``interrupted``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Self, TypeVar

import httpx
from sqlalchemy.orm import Session, sessionmaker

from models import crawl_store as cs
from models.schema import utcnow
from pipeline.config import Config
from pipeline.errors import MinewatchError, StageFailure, one_line
from pipeline.fetching.discover import Discovery, discover
from pipeline.fetching.fetcher import Fetcher
from pipeline.fetching.pages import page_from_fetch
from pipeline.fetching.urls import canonical_url
from pipeline.polling.analyze_worker import AnalyzeWorker, runner_for
from pipeline.polling.in_flight import InFlight
from pipeline.polling.report import (
    Counts,
    Reporter,
    RunReport,
    SourceReport,
    SourceStatus,
    failure_record,
)
from pipeline.polling.run_state import (
    CURRENT,
    Job,
    Run,
    accept_for,
    add_log,
    as_error,
    save_page_work,
    since,
    state_of,
    unique,
)
from pipeline.polling.scheduler import after_failure, after_success
from pipeline.polling.store_queue import STORE_BATCH, StoreQueue
from pipeline.records import (
    DiscoveredLink,
    Failed,
    FetchLogEntry,
    FetchResult,
    Outcome,
    PageToStore,
    Validators,
)
from pipeline.sources import SourceConfig
from pipeline.stages import Analyzer

__all__ = ["Poller"]
LOG_FLUSH_EVERY = 200
_COUNTED_AS = {"retagged": "updated", "duplicate": "duplicates"}
T = TypeVar("T")


class Poller:
    """Polls sources; one instance (one fetcher, its analyze workers, one writer thread)
    serves many runs.

    ``async with Poller(config, analyzer, sessions) as poller: await poller.poll(sources)``
    """

    def __init__(
        self,
        config: Config,
        analyzer: Analyzer,
        sessions: sessionmaker[Session],
        *,
        reporter: Reporter | None = None,
        trigger: str = "poll",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = config
        self.sessions = sessions
        self.reporter = reporter or Reporter()
        self.trigger = trigger
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="minewatch-store")
        self._batcher = AnalyzeWorker(runner_for(config, analyzer), config.nlp.batch_size)
        self._store = StoreQueue(sessions, self._writer, STORE_BATCH)
        self.pages_in_flight = InFlight(config.fetch.max_pages_in_flight)
        self._fetcher = Fetcher(
            config.fetch,
            max_bytes=config.extraction.max_bytes,
            on_fetch=self._on_fetch,
            transport=transport,
        )

    async def __aenter__(self) -> Self:
        await self._batcher.start()
        self._store.start()
        names = [(s.name, s.kind, s.url) for s in self.config.sources]
        await self._write(lambda s: cs.sync_sources(s, names))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self._fetcher.aclose()
            await self._batcher.stop()
            await self._store.stop()
        finally:
            self._writer.shutdown(wait=True)

    # --- one run ---------------------------------------------------------------------

    async def poll(
        self, sources: Sequence[SourceConfig], *, respect_backoff: bool = False
    ) -> RunReport:
        """Poll ``sources`` concurrently as one run; cancelling marks it interrupted."""
        run = Run(await self._write(lambda s: cs.start_run(s, self.trigger)))
        CURRENT.set((run, None))
        run.counts["sources"] = len(sources)
        names = [source.name for source in sources]
        states = await self._read(lambda s: cs.source_states(s, names))
        try:
            reports = await asyncio.gather(
                *(self._source_task(run, s, state_of(s, states), respect_backoff) for s in sources)
            )
        except asyncio.CancelledError:
            await asyncio.shield(self._finish(run, "interrupted"))
            raise
        except BaseException:
            await asyncio.shield(self._finish(run, "failed"))
            raise
        status = await self._finish(run, "finished")
        return RunReport(run.run_id, status, Counts.of(run.counts), tuple(reports), since(run))

    async def _finish(self, run: Run, status: cs.RunStatus) -> cs.RunStatus:
        await self._flush_log(run)
        counts = dict(run.counts)
        await self._write(lambda s: cs.finish_run(s, run.run_id, status, counts))
        return status

    async def _source_task(
        self, run: Run, source: SourceConfig, state: cs.SourceState, respect_backoff: bool
    ) -> SourceReport:
        CURRENT.set((run, source.name))
        job = Job(run, source.name)
        started = time.monotonic()
        now = utcnow()
        if respect_backoff and state.backoff_until is not None and state.backoff_until > now:
            report = SourceReport(source.name, "backing_off", Counts(), 0.0, state.backoff_until)
        else:
            report = await self._poll_source(job, source, state, started)
        self.reporter.source_done(report)
        return report

    async def _poll_source(
        self, job: Job, source: SourceConfig, state: cs.SourceState, started: float
    ) -> SourceReport:
        polled_at = utcnow()
        stage = "fetch"
        try:
            result = await self._fetcher.fetch(
                source.url, validators=state.validators, accept=accept_for(source)
            )
            stage = "discover"
            if not result.not_modified:
                await self._process_source_body(job, source, result)
            elif source.kind != "url":  # unchanged: what earlier polls queued is still due
                await self._follow(job, Discovery())
        except Exception as exc:  # the wall: anything while polling one source is its failure
            error = as_error(exc)
            await self._fail(job, stage, source.url, error, of_source=True)
            failed = after_failure(state, source, polled_at, error)
            await self._write(lambda s: cs.save_source(s, failed))
            seconds = time.monotonic() - started
            counts = Counts.of(job.counts)
            return SourceReport(
                source.name, "failed", counts, seconds, failed.next_poll_at, one_line(exc)
            )
        job.add("unchanged", int(result.not_modified))
        got_new = job.counts["new"] > 0
        ok = after_success(state, source, polled_at, result.validators, got_new)
        await self._write(lambda s: cs.save_source(s, ok))
        status: SourceStatus = "not_modified" if result.not_modified else "ok"
        seconds = time.monotonic() - started
        return SourceReport(source.name, status, Counts.of(job.counts), seconds, ok.next_poll_at)

    async def _process_source_body(
        self, job: Job, source: SourceConfig, result: FetchResult
    ) -> None:
        if source.kind == "url":
            job.add("links")
            self.reporter.pages_found(1)
            await self._handle_page(job, canonical_url(source.url), result)
            return
        found = discover(
            source.kind, result.body, result.final_url, source.name, source.link_pattern
        )
        await self._follow(job, found)

    async def _follow(self, job: Job, found: Discovery) -> None:
        links = list(found.links) + await self._children(job, found.children)
        await self._fetch_links(job, unique(links))

    async def _children(self, job: Job, children: Sequence[str]) -> list[DiscoveredLink]:
        """Links of the child sitemaps of a sitemap index (conditional, two levels), those
        queued by the last poll first; over the cap, the rest is queued for the next."""
        queued = await self._read(lambda s: cs.queued_urls(s, job.source, cs.SITEMAPS_QUEUED))
        todo = deque((url, 0) for url in dict.fromkeys([*queued, *children]))
        seen = {url for url, _ in todo}
        links: list[DiscoveredLink] = []
        for _ in range(self.config.fetch.max_child_sitemaps_per_poll):
            if not todo:
                break
            url, depth = todo.popleft()
            found = await self._child(job, url)
            links += found.links
            deeper = [c for c in found.children if c not in seen] if depth < 1 else []
            seen.update(deeper)
            todo.extend((c, depth + 1) for c in deeper)
        rest = [url for url, _ in todo]
        if rest or queued:
            await self._write(lambda s: cs.set_queue(s, job.source, cs.SITEMAPS_QUEUED, rest))
        return links

    async def _child(self, job: Job, url: str) -> Discovery:
        """One child sitemap's discovery; empty when unchanged (304) or failed."""
        try:
            validators = await self._read(lambda s: cs.page_validators(s, [url]))
            result = await self._fetcher.fetch(url, validators=validators.get(url), accept="feed")
            found = Discovery()
            if not result.not_modified:
                found = discover("sitemap", result.body, result.final_url, job.source)
        except Exception as exc:  # one child sitemap's failure is its own
            error = as_error(exc)
            await self._fail(job, "discover", url, error)
            failed = cs.PageState(url, job.source, "failed")
            await self._write(lambda s: cs.save_page(s, failed, error))
            return Discovery()
        state = cs.PageState(url, job.source, "sitemap", result.validators, result.status)
        await self._write(save_page_work(state))
        return found

    # --- pages -----------------------------------------------------------------------

    async def _fetch_links(self, job: Job, links: list[DiscoveredLink]) -> None:
        """Fetch the links not stored yet, concurrently (the fetcher limits per host):
        those queued by the last poll first, up to the cap; queue the rest."""
        queued = await self._read(lambda s: cs.queued_urls(s, job.source, cs.LINKS_QUEUED))
        found = {link.url: link for link in links}
        links = unique([found.get(u) or DiscoveredLink(u, job.source) for u in queued] + links)
        urls = [link.url for link in links]
        known = await self._read(lambda s: cs.known_urls(s, urls))
        todo = [link for link in links if link.url not in known]
        cap = self.config.fetch.max_links_per_poll
        todo, rest = todo[:cap], todo[cap:]
        if rest or queued:
            over, done = [link.url for link in rest], [u for u in queued if u in known]
            await self._write(lambda s: cs.set_queue(s, job.source, cs.LINKS_QUEUED, over, done))
        job.add("links", len(links))
        job.add("skipped", len(links) - len(todo) - len(rest))
        job.add("queued", len(rest))
        self.reporter.pages_found(len(todo))
        validators = await self._read(lambda s: cs.page_validators(s, [t.url for t in todo]))
        await asyncio.gather(*(self._link(job, link, validators.get(link.url)) for link in todo))

    async def _link(self, job: Job, link: DiscoveredLink, validators: Validators | None) -> None:
        async with self.pages_in_flight.slot():
            try:
                result = await self._fetcher.fetch(link.url, validators=validators)
            except Exception as exc:  # the wall: one page's failure is its own
                failed = Failed(link.url, StageFailure("fetch", link.url, as_error(exc)))
                try:
                    await self._store_page(job, link.url, failed)
                finally:
                    self.reporter.page_done()
                return
            await self._handle_page(job, link.url, result, link.published)

    async def _handle_page(
        self, job: Job, url: str, result: FetchResult, published: dt.date | None = None
    ) -> None:
        try:
            analyzed = await self._analyze(job, url, result, published)
            if analyzed is not None:
                article_url, outcome = analyzed
                await self._store_page(job, url, outcome, article_url, result)
        finally:
            self.reporter.page_done()

    async def _store_page(
        self,
        job: Job,
        url: str,
        outcome: Outcome,
        article_url: str | None = None,
        result: FetchResult | None = None,
    ) -> None:
        """Through the one store function; a failed page leaves its failure row and a
        page state with its retry time (written by the store, in the same transaction)."""
        page = PageToStore(
            outcome,
            job.source,
            url,
            article_url or url,
            result.validators if result is not None else None,
            result.status if result is not None else None,
            job.run.run_id,
        )
        try:
            stored = await self._store.store(page)
        except Exception as exc:  # the wall: a page that fails to store is its own failure
            await self._fail(job, "store", url, as_error(exc))
            return
        if isinstance(outcome, Failed):
            job.add("failed")
            self.reporter.failure(failure_record(outcome.failure, url, job.source))
        else:
            job.add(_COUNTED_AS.get(stored, stored))

    async def _analyze(
        self, job: Job, url: str, result: FetchResult, published: dt.date | None
    ) -> tuple[str, Outcome] | None:
        """The page's article URL and its analysis, or None when unchanged (304)."""
        if result.not_modified:
            job.add("unchanged")
            state = cs.PageState(url, job.source, "unchanged", result.validators, result.status)
            await self._write(lambda s: cs.save_page(s, state))
            return None
        job.add("fetched")
        try:
            page = page_from_fetch(url, result, published)
        except Exception as exc:  # the wall: a page that cannot be read is its own failure
            return url, Failed(url, StageFailure("read", url, as_error(exc)))
        return page.url or url, await self._batcher.analyze(page)

    # --- bookkeeping -----------------------------------------------------------------

    async def _fail(
        self, job: Job, stage: str, url: str, error: MinewatchError, of_source: bool = False
    ) -> None:
        """A failure that is not a page's (the source's fetch or discovery, a store)."""
        failure = StageFailure(stage, url, error)
        record = failure_record(failure, url, job.source, of_source=of_source)
        job.add("failed")
        self.reporter.failure(record)
        await self._write(lambda s: cs.add_failures(s, job.run.run_id, [record]))

    def _on_fetch(self, entry: FetchLogEntry) -> None:
        current = CURRENT.get(None)
        if current is None:
            return
        run, source = current
        run.log.append(cs.LogRecord(entry, source))
        if len(run.log) >= LOG_FLUSH_EVERY:
            records, run.log = run.log, []
            self._writer.submit(cs.write, self.sessions, add_log(run.run_id, records))

    async def _flush_log(self, run: Run) -> None:
        records, run.log = run.log, []
        if records:
            await self._write(add_log(run.run_id, records))

    async def _write(self, work: Callable[[Session], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer, cs.write, self.sessions, work)

    async def _read(self, work: Callable[[Session], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer, cs.read, self.sessions, work)
