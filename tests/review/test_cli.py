"""The command line of the review app: ``users add``/``users token``, the
``review.listen`` setting, and ``minewatch serve`` as a real process on loopback."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from pipeline.cli.main import main
from pipeline.config import parse_config
from pipeline.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def _config(tmp_path: Path, sqlite_url: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"database:\n  url: {sqlite_url}\nnlp:\n  model: blank\n", encoding="utf-8")
    return path


def test_users_add_and_token(
    tmp_path: Path,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = str(_config(tmp_path, sqlite_url))
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long password\n"))
    assert main(["--config", config, "users", "add", "ana", "--role", "reviewer"]) == 0
    assert "user ana (reviewer) created" in capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long password\n"))
    assert main(["--config", config, "users", "add", "ana"]) == 2
    assert "exists already" in capsys.readouterr().err
    assert main(["--config", config, "users", "token", "ana"]) == 0
    token = capsys.readouterr().out.strip()
    assert len(token) >= 40
    assert main(["--config", config, "users", "token", "nobody"]) == 2


def test_review_listen_is_validated() -> None:
    assert parse_config({}).review.address() == ("127.0.0.1", 8000)
    assert parse_config({"review": {"listen": ""}}).review.address() is None
    assert parse_config({"review": {"listen": "[::1]:9000"}}).review.address() == ("::1", 9000)
    with pytest.raises(ConfigError, match=r"review.listen: .*not host:port"):
        parse_config({"review": {"listen": "localhost"}})


def test_serve_binds_loopback_prints_the_setup_link_and_stops(
    tmp_path: Path, sqlite_url: str
) -> None:
    config = _config(tmp_path, sqlite_url)
    command = [sys.executable, "-m", "pipeline.cli.main", "--config", str(config)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [*command, "serve", "--port", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "review app at http://127.0.0.1:" in first, first
        assert "only this machine" in first
        setup = process.stdout.readline()
        found = re.search(r"(http://127\.0\.0\.1:\d+)/setup\?token=\S+", setup)
        assert found, setup
        with httpx.Client(base_url=found.group(1)) as client:
            assert client.get("/events").status_code == 303
            assert client.get(found.group(0).replace(found.group(1), "")).status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "stopped" in output


def test_run_serves_the_app_beside_the_scheduler_and_survives_a_taken_port(
    sqlite_url: str,
) -> None:
    import asyncio

    from rich.console import Console

    from models.db import upgrade
    from pipeline.cli.commands import Context
    from pipeline.cli.serve_commands import review_beside_run
    from review.server import bind

    upgrade(sqlite_url)
    taken = bind("127.0.0.1", 0)
    port = taken.getsockname()[1]
    out, errors = io.StringIO(), io.StringIO()

    def context(listen: str) -> Context:
        config = parse_config({"database": {"url": sqlite_url}, "review": {"listen": listen}})
        return Context(config, Console(file=errors), out=Console(file=out, width=200))

    async def serve_then_answer() -> int:
        async with review_beside_run(context("127.0.0.1:0")):
            url = re.search(r"http://127\.0\.0\.1:\d+", out.getvalue())
            assert url, out.getvalue()
            async with httpx.AsyncClient(base_url=url.group(0)) as client:
                return (await client.get("/login")).status_code

    async def with_taken_port() -> None:
        async with review_beside_run(context(f"127.0.0.1:{port}")):
            pass

    try:
        assert asyncio.run(serve_then_answer()) == 200
        asyncio.run(with_taken_port())
    finally:
        taken.close()
    assert f"cannot listen on 127.0.0.1:{port}" in errors.getvalue()
