"""Local input is opened without blocking and read only when it is a regular file (or
stdin), at most the cap plus one byte whatever ``stat`` says: a FIFO, a device, a
symbolic-link loop and a closed stdin are one clear line each, naming the input, and
the next input is still analyzed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli.main import main
from tests.conftest import ROOT

TEXT = "Mexico's lithium output rose in 2026, the Ministry of Economy said on Thursday.\n"


def _config(tmp_path: Path, max_bytes: int = 1_000_000) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        "nlp: {model: blank, processes: 0}\n"
        f"extraction: {{max_bytes: {max_bytes}}}\n"
        f"database: {{url: 'sqlite:///{tmp_path / 'mw.db'}'}}\n",
        encoding="utf-8",
    )
    return config


def _analyze(
    tmp_path: Path, bad: Path, capsys: pytest.CaptureFixture[str], max_bytes: int = 1_000_000
) -> str:
    """Analyze ``bad`` then a good file; the good one is analyzed; the one red line."""
    good = tmp_path / "good.txt"
    good.write_text(TEXT, encoding="utf-8")
    config = _config(tmp_path, max_bytes)
    assert main(["--config", str(config), "analyze", str(bad), str(good)]) == 1
    out, err = capsys.readouterr()
    failed, analyzed = map(json.loads, out.splitlines())
    assert failed["source"] == str(bad)
    assert analyzed["text"] == TEXT
    (line,) = err.strip().splitlines()
    assert line.startswith(f"error: {bad}: read: ")
    return line


def test_a_fifo_is_refused_without_blocking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "x.html"
    os.mkfifo(fifo)
    assert "named pipe (FIFO)" in _analyze(tmp_path, fifo, capsys)


def test_a_link_to_dev_zero_is_refused_without_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zero = tmp_path / "zero.html"
    zero.symlink_to("/dev/zero")
    assert "character device" in _analyze(tmp_path, zero, capsys)


def test_a_symlink_loop_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loop = tmp_path / "loop.html"
    loop.symlink_to(tmp_path / "loop2.html")
    (tmp_path / "loop2.html").symlink_to(loop)
    assert "loop of symbolic links" in _analyze(tmp_path, loop, capsys)


def test_a_file_whose_stat_says_zero_is_read_only_to_the_cap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    maps = tmp_path / "maps.txt"
    maps.symlink_to("/proc/self/maps")  # stat says 0 bytes; it holds many kilobytes
    assert "over the 1,000-byte cap" in _analyze(tmp_path, maps, capsys, max_bytes=1_000)


def test_a_fifo_in_a_folder_gets_its_line_and_the_folder_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "a.html")
    (folder / "b.txt").write_text(TEXT, encoding="utf-8")
    assert main(["--config", str(_config(tmp_path)), "ingest", str(folder)]) == 1
    out, err = capsys.readouterr()
    assert "b.txt" in out
    assert "new" in out
    (line,) = err.strip().splitlines()
    assert line.startswith(f"error: {folder / 'a.html'}: read: is a named pipe (FIFO)")


def test_a_closed_stdin_is_one_line_and_the_next_input_is_read(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(TEXT, encoding="utf-8")
    command = [sys.executable, "-m", "pipeline.cli.main", "--config", str(_config(tmp_path))]
    done = subprocess.run(
        [*command, "analyze", "-", str(good)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        preexec_fn=lambda: os.close(0),
    )
    assert done.returncode == 1, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: -: read: stdin is closed; pipe a page into it")
    failed, analyzed = map(json.loads, done.stdout.splitlines())
    assert failed["source"] == "-"
    assert analyzed["text"] == TEXT
