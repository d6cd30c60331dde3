"""``minewatch run`` as a real process: killed with SIGKILL in the middle of a poll and
started again, every article ends up stored exactly once; SIGTERM stops it gracefully.

A small loopback site serves a feed of distinct article pages and holds the second
half of them until the test releases it, so the kill lands mid-poll every time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from models.db import make_engine
from models.schema import ArticleModel, PageStateModel, RunModel
from tests.conftest import PAGES, ROOT, SEEDS

PAGE_COUNT = 10
HALF = PAGE_COUNT // 2
SEED = (PAGES / f"{SEEDS[1]}.html").read_text(encoding="utf-8")
MINERALS = ("lithium", "copper", "silver", "zinc", "graphite", "antimony", "barite", "lead")


def variant(number: int) -> bytes:
    """The MND seed with its own opening paragraph: a distinct article."""
    mineral = MINERALS[number % len(MINERALS)]
    lede = (
        f"<p>Bulletin {number}: exporters reported {number * 7 + 3} tonnes of {mineral} "
        f"shipped from Sonora in week {number + 1}, according to the customs agency.</p>"
    )
    return SEED.replace("<p>Although not listed", lede + "<p>Although not listed", 1).encode()


class GatedSite:
    """A loopback site with a feed of variant pages; pages from ``gate_from`` on are held
    until :attr:`release` is set, so a poll is reliably in flight when the test acts."""

    def __init__(self, count: int, gate_from: int) -> None:
        self.release = threading.Event()
        self.base = ""
        self._count, self._gate_from = count, gate_from

    def answer(self, path: str) -> tuple[int, bytes, str]:
        if path == "/feed.xml":
            items = "".join(
                f"<item><title>{n}</title><link>{self.base}/variants/{n}.html</link></item>"
                for n in range(self._count)
            )
            feed = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'
            return 200, feed.encode(), "application/rss+xml"
        number = path.removeprefix("/variants/").removesuffix(".html")
        if not number.isdigit() or int(number) >= self._count:
            return 404, b"not found", "text/plain"
        if int(number) >= self._gate_from:
            self.release.wait(30)
        return 200, variant(int(number)), "text/html; charset=utf-8"

    @contextmanager
    def serve(self) -> Iterator[GatedSite]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                status, body, content_type = site.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with suppress(OSError):
                    self.wfile.write(body)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self.base = f"http://127.0.0.1:{server.server_address[1]}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.release.set()
            server.shutdown()
            server.server_close()
            thread.join()


def write_config(tmp_path: Path, site: GatedSite, *, grace: float) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database:\n  url: sqlite:///{tmp_path / 'mw.db'}\n"
        "nlp:\n  model: blank\n"
        f"run:\n  shutdown_grace_seconds: {grace}\n"
        "fetch:\n  allow_private_addresses: true\n  per_host_concurrency: 1\n"
        "  per_host_delay_seconds: 0\n"
        "sources:\n"
        f"  - name: variants\n    kind: feed\n    url: {site.base}/feed.xml\n"
        "    schedule: {every_minutes: 60}\n",
        encoding="utf-8",
    )
    return config


def start(config: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli.main", "--config", str(config), "run"],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )


def count(url: str, query: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(query)).scalar() or 0)
    except Exception:
        return 0  # not migrated yet
    finally:
        engine.dispose()


def wait_for(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds:g}s waiting for {what}")


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


def test_kill_9_mid_poll_then_restart_stores_every_article_exactly_once(
    tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    with GatedSite(PAGE_COUNT, gate_from=HALF).serve() as site:
        config = write_config(tmp_path, site, grace=5)
        url = f"sqlite:///{tmp_path / 'mw.db'}"
        articles = "SELECT count(*) FROM articles"
        processes.append(start(config, tmp_path / "run.log"))
        wait_for(lambda: count(url, articles) == HALF, 60, "the ungated articles")
        time.sleep(0.3)  # the poll now waits on a gated page
        processes[0].send_signal(signal.SIGKILL)
        processes[0].wait(timeout=10)
        assert count(url, articles) == HALF
        assert count(url, "SELECT count(*) FROM runs WHERE status = 'running'") == 1

        site.release.set()
        processes.append(start(config, tmp_path / "run.log"))
        wait_for(lambda: count(url, articles) == PAGE_COUNT, 60, "every article")
        stored = "SELECT count(*) FROM page_states WHERE outcome = 'stored'"
        wait_for(lambda: count(url, stored) == PAGE_COUNT, 10, "every page state")
        processes[1].send_signal(signal.SIGTERM)
        assert processes[1].wait(timeout=15) == 0
    assert_exactly_once(url)
    statuses = count(url, "SELECT count(*) FROM runs WHERE status = 'interrupted'")
    assert statuses == 1  # the killed run, marked at the restart
    log = (tmp_path / "run.log").read_text(encoding="utf-8")
    assert "marked 1 run(s) left by a crash or kill as interrupted" in log
    assert "stopped" in log


def assert_exactly_once(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            keys = connection.execute(select(ArticleModel.key)).scalars().all()
            assert len(keys) == len(set(keys)) == PAGE_COUNT
            hashes = connection.execute(select(ArticleModel.content_hash)).scalars().all()
            assert len(set(hashes)) == PAGE_COUNT
            pages = connection.execute(select(PageStateModel.url)).scalars().all()
            assert len(pages) == len(set(pages)) == PAGE_COUNT
            running = select(func.count()).select_from(RunModel).where(RunModel.status == "running")
            assert connection.execute(running).scalar() == 0
    finally:
        engine.dispose()


def test_sigterm_mid_poll_exits_zero_and_marks_the_run_interrupted(
    tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    with GatedSite(PAGE_COUNT, gate_from=HALF).serve() as site:
        config = write_config(tmp_path, site, grace=0.5)
        url = f"sqlite:///{tmp_path / 'mw.db'}"
        processes.append(start(config, tmp_path / "run.log"))
        wait_for(lambda: count(url, "SELECT count(*) FROM articles") == HALF, 60, "articles")
        time.sleep(0.3)
        stopping = time.monotonic()
        processes[0].send_signal(signal.SIGTERM)
        assert processes[0].wait(timeout=15) == 0
        assert time.monotonic() - stopping < 8
    assert count(url, "SELECT count(*) FROM runs WHERE status = 'interrupted'") == 1
    assert count(url, "SELECT count(*) FROM runs WHERE status = 'running'") == 0
    assert count(url, "SELECT count(*) FROM articles") == HALF
    assert "stopped" in (tmp_path / "run.log").read_text(encoding="utf-8")
