"""Run ``minewatch`` as a subprocess: wall time, peak memory of its process tree, results.

Peak memory is the largest sum of the resident set sizes of the process and all its
descendants (worker processes included), sampled every 50 ms, and never less than the
main process's own ``ru_maxrss`` from ``wait4``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

MINEWATCH = Path(sys.executable).with_name("minewatch")
FETCH = {
    "allow_private_addresses": True,
    "per_host_delay_seconds": 0,
    "per_host_concurrency": 16,
    "global_concurrency": 16,
    "respect_robots": True,
}


@dataclass(frozen=True)
class ProcessRun:
    seconds: float  # wall time of the process, start-up included
    peak_rss_mb: float
    returncode: int
    stderr: str


@dataclass(frozen=True)
class StoredRun:
    """What the database says about the last poll run and the archive."""

    run_seconds: float  # the poll cycle itself (``runs.duration_seconds``)
    articles: int
    new: int
    unchanged: int
    failed: int


def write_config(folder: Path, sources: list[dict[str, Any]], model: str) -> Path:
    """A config.yaml (JSON is YAML) with a SQLite database in ``folder``."""
    config = {
        "database": {"url": f"sqlite:///{folder / 'bench.db'}"},
        "nlp": {"model": model},
        "fetch": FETCH,
        "sources": sources,
    }
    path = folder / "config.yaml"
    path.write_text(json.dumps(config, indent=1), encoding="utf-8")
    return path


def feed_source(name: str, url: str) -> dict[str, Any]:
    return {"name": name, "kind": "feed", "url": url, "schedule": {"every_minutes": 60}}


def run_minewatch(args: list[str], timeout: float = 3600) -> ProcessRun:
    """Run ``minewatch ARGS``, sampling the memory of its process tree."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(MINEWATCH), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "120"},
    )
    peak = [0.0]
    done = threading.Event()
    sampler = threading.Thread(target=_sample, args=(process.pid, peak, done), daemon=True)
    sampler.start()
    try:
        _, stderr = process.communicate(timeout=timeout)
    finally:
        done.set()
        sampler.join()
    seconds = time.perf_counter() - started
    return ProcessRun(seconds, peak[0] / 2**20, process.returncode, stderr.decode()[-2000:])


def _sample(pid: int, peak: list[float], done: threading.Event) -> None:
    try:
        root = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    while not done.is_set():
        total = 0
        try:
            for process in [root, *root.children(recursive=True)]:
                total += process.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            pass
        peak[0] = max(peak[0], float(total))
        done.wait(0.05)


def stored(database: Path) -> StoredRun:
    """The last run's duration and counts, and the number of stored articles."""
    with sqlite3.connect(database) as db:
        articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        row = db.execute(
            "SELECT duration_seconds, new, unchanged, failed FROM runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
    if row is None:
        return StoredRun(0.0, int(articles), 0, 0, 0)
    return StoredRun(float(row[0] or 0.0), int(articles), int(row[1]), int(row[2]), int(row[3]))
