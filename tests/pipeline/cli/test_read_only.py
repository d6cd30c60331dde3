"""The read-only commands (mentions, events, sources, runs, failures) open the database
read-only and never create it; a run left ``running`` by a killed process is marked
interrupted by the next command of the same host, and other hosts' runs are left alone."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from models.db import make_engine, make_read_only_engine, upgrade
from models.schema import RunModel
from pipeline.cli.main import main
from tests.pipeline.polling.test_poll import rows

READ_ONLY = (
    ["mentions", "--country", "MX"],
    ["events"],
    ["sources"],
    ["runs"],
    ["failures"],
)


def _config(tmp_path: Path, database: Path) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database: {{url: 'sqlite:///{database}'}}\nnlp: {{model: blank, processes: 0}}\n"
        "sources:\n  - {name: one, kind: feed, url: 'http://127.0.0.1:9/feed.xml'}\n",
        encoding="utf-8",
    )
    return config


@pytest.mark.parametrize("command", READ_ONLY, ids=lambda c: c[0])
def test_a_missing_database_is_one_line_and_is_not_created(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "missing" / "mw.db"
    assert main(["--config", str(_config(tmp_path, database)), *command]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"error: database sqlite:///{database} does not exist;")
    assert not database.parent.exists()


@pytest.mark.parametrize("command", READ_ONLY, ids=lambda c: c[0])
def test_read_only_commands_work_on_a_database_they_cannot_write(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "mw.db"
    upgrade(f"sqlite:///{database}")
    assert main(["--config", str(_config(tmp_path, database)), *command]) == 0
    assert capsys.readouterr().err == ""


def test_the_read_only_engine_refuses_writes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mw.db'}"
    upgrade(url)
    engine = make_read_only_engine(url)
    try:
        with engine.connect() as connection, pytest.raises(Exception, match="readonly"):
            connection.execute(text("DELETE FROM runs"))
    finally:
        engine.dispose()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_killed_run_is_marked_interrupted_by_the_next_command_of_its_host(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "mw.db"
    url = f"sqlite:///{database}"
    upgrade(url)
    here = socket.gethostname()[:255]
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for host, pid in ((here, _dead_pid()), ("other-host", 12345), (here, os.getpid())):
                connection.execute(
                    text(
                        "INSERT INTO runs (trigger, status, host, pid, started_at, sources, "
                        "links, skipped, fetched, new, updated, unchanged, duplicates, failed) "
                        "VALUES ('poll', 'running', :host, :pid, CURRENT_TIMESTAMP, "
                        "0, 0, 0, 0, 0, 0, 0, 0, 0)"
                    ),
                    {"host": host, "pid": pid},
                )
    finally:
        engine.dispose()
    page = tmp_path / "a.txt"
    page.write_text("Mexico's lithium output rose in 2026, the ministry said.\n")
    assert main(["--config", str(_config(tmp_path, database)), "ingest", str(page)]) == 0
    capsys.readouterr()
    statuses = [(r.host, r.status) for r in sorted(rows(url, RunModel), key=lambda r: r.id)]
    assert statuses == [
        (here, "interrupted"),  # its process is gone
        ("other-host", "running"),  # another machine's: left alone
        (here, "running"),  # this process: alive
        (here, "finished"),  # the ingest itself
    ]
