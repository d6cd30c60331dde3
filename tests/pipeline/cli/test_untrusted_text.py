"""Untrusted text is data wherever it is printed: titles with Rich markup, ANSI escape
sequences and spreadsheet formulas, from a hostile page on loopback and from hostile
file names, never crash a command, never reach the terminal as escapes, and never
become a live formula in CSV; JSON keeps the text as it is. A control character in a
page costs that character, not the page."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import quote

import pytest

from models.schema import ArticleModel, EventModel
from pipeline.cli.main import main
from pipeline.cli.tables import csv_cell, visible, write_records
from tests.conftest import FIXTURES
from tests.fixture_server import serve_fixtures
from tests.pipeline.polling.test_poll import rows, rss

ESC = "\x1b"
TITLE = '=HYPERLINK("http://evil.example/","[/red] click")\x1b[2J'


def _config(tmp_path: Path, feed_url: str) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database: {{url: 'sqlite:///{tmp_path / 'mw.db'}'}}\n"
        "nlp: {model: blank, processes: 0}\n"
        "extraction: {min_text_chars: 40}\n"
        "fetch: {allow_private_addresses: true, per_host_delay_seconds: 0}\n"
        f"sources:\n  - {{name: hostile, kind: feed, url: '{feed_url}'}}\n",
        encoding="utf-8",
    )
    return config


def test_a_hostile_title_is_printed_as_data_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve_fixtures(FIXTURES) as server:
        page = f"/hostile/page?title={quote(TITLE)}"
        server.set_body("/feed.xml", rss(server.base, [page]), "application/rss+xml")
        config = _config(tmp_path, server.url("/feed.xml"))
        assert main(["--config", str(config), "poll"]) == 0
    capsys.readouterr()
    (article,) = rows(f"sqlite:///{tmp_path / 'mw.db'}", ArticleModel)
    assert "lithium output rose" in article.text  # the ESC and BS bytes cost one character
    assert ESC not in article.text
    assert "\x08" not in article.text
    assert article.title.startswith('=HYPERLINK("http://evil.example/","[/red] click")')

    assert main(["--config", str(config), "mentions", "--country", "MX"]) == 0
    out, err = capsys.readouterr()
    assert ESC not in out
    assert "[/red] click" in out
    assert err == ""

    assert main(["--config", str(config), "mentions", "--country", "MX", "--format", "csv"]) == 0
    (record, *_) = csv.DictReader(io.StringIO(capsys.readouterr().out))
    assert record["article_title"].startswith("'=HYPERLINK(")

    assert main(["--config", str(config), "mentions", "--country", "MX", "--format", "json"]) == 0
    (first, *_) = map(json.loads, capsys.readouterr().out.splitlines())
    assert first["article_title"] == article.title


def test_hostile_file_names_and_texts_in_ingest_and_its_error_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, "http://127.0.0.1:9/feed.xml")
    folder = tmp_path / "inputs"
    folder.mkdir()
    good = folder / "[red]ok[bold].txt"
    good.write_text("Mexico's lithium output rose in 2026.\x1b]8;;http://evil/\x07link\n")
    (folder / "[").mkdir()
    empty = folder / "[" / "red]\x1b[2J.html"  # the path holds [/red]
    empty.write_text("")  # empty: one error line naming it
    assert main(["--config", str(config), "ingest", str(good), str(empty)]) == 1
    out, err = capsys.readouterr()
    assert ESC not in out + err
    assert "[red]ok[bold].txt" in out
    (line,) = err.strip().splitlines()
    assert line.startswith("error: ")
    assert "[/red]\\x1b[2J.html: read: empty input" in line
    (article,) = rows(f"sqlite:///{tmp_path / 'mw.db'}", ArticleModel)
    assert article.text.startswith("Mexico's lithium output rose in 2026.]8;;http://evil/link")


def test_a_reviewer_name_is_echoed_as_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, "http://127.0.0.1:9/feed.xml")
    text = tmp_path / "a.txt"
    text.write_text("Mexico's lithium production rose to 300 tonnes in 2025, the ministry said.\n")
    assert main(["--config", str(config), "ingest", str(text)]) == 0
    events = rows(f"sqlite:///{tmp_path / 'mw.db'}", EventModel)
    if not events:
        pytest.skip("the blank pipeline found no event to review")
    capsys.readouterr()
    reviewer = "[bold]ana\x1b[2J"
    args = ["--config", str(config), "review", str(events[0].id), "--confirm"]
    assert main([*args, "--reviewer", reviewer]) == 0
    out = capsys.readouterr().out
    assert ESC not in out
    assert "by [bold]ana\\x1b[2J" in out


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\\x0dx"),
        ("a\x1b[31mb", "a\\x1b[31mb"),
        ("plain", "plain"),
    ],
)
def test_csv_cells_are_neutralised(value: str, shown: str) -> None:
    assert csv_cell(value) == shown
    assert csv_cell(-1) == "-1"  # numbers are not text cells


def test_tables_never_parse_markup_and_show_controls() -> None:
    from rich.console import Console

    console = Console(file=io.StringIO(), width=200, force_terminal=False)
    records: list[dict[str, object]] = [{"a": "[/red]", "b": "x\x1b[2Jy\x9b"}]
    write_records(records, ("a", "b"), "table", console, "t")
    printed = console.file.getvalue()  # type: ignore[attr-defined]
    assert "[/red]" in printed
    assert "x\\x1b[2Jy\\x9b" in printed
    assert visible("tab\tand\nnewline") == "tab\tand\nnewline"
