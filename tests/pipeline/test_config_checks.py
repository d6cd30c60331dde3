"""Configuration checked at start-up with the key path: regexes, model names, ports,
cron lines that never fire; relative SQLite paths are relative to the config file."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cli.main import main
from pipeline.config import load_config, parse_config
from pipeline.errors import ConfigError


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"extraction": {"drop_lines": ["ok", "("]}},
            "extraction.drop_lines: item 1: invalid regular expression '('",
        ),
        ({"nlp": {"model": "os"}}, "nlp.model: no spaCy pipeline named 'os' is installed"),
        (
            {"sources": [{"name": "a", "kind": "feed", "url": "http://h:99999/"}]},
            "sources.0.url: 'http://h:99999/' is not a valid URL: Port out of range",
        ),
        (
            {
                "sources": [
                    {"name": "a", "kind": "feed", "url": "http://h/", "schedule": {"cron": c}}
                    for c in ["0 0 30 2 *"]
                ]
            },
            "sources.0.schedule.cron: crontab '0 0 30 2 *' never fires in the next year",
        ),
    ],
)
def test_bad_values_fail_at_start_up_naming_the_key(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=r"^config\.yaml: ") as caught:
        parse_config(raw)
    assert message in str(caught.value)


def test_a_bad_config_is_one_line_before_any_input_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("extraction: {drop_lines: ['[']}\n", encoding="utf-8")
    page = tmp_path / "a.txt"
    page.write_text("Mexico's lithium output rose.\n", encoding="utf-8")
    assert main(["--config", str(config), "analyze", str(page)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"error: {config}: extraction.drop_lines: item 0: invalid regular")


def test_a_relative_sqlite_path_is_relative_to_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "deploy"
    folder.mkdir()
    config = folder / "config.yaml"
    config.write_text(
        "database: {url: 'sqlite:///var/mw.db'}\nnlp: {model: blank, processes: 0}\n",
        encoding="utf-8",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert load_config(config).database.url == f"sqlite:///{folder / 'var' / 'mw.db'}"
    page = tmp_path / "a.txt"
    page.write_text("Mexico's lithium output rose in 2026, the ministry said.\n")
    assert main(["--config", str(config), "ingest", str(page)]) == 0
    assert (folder / "var" / "mw.db").is_file()
    assert not (elsewhere / "var").exists()
    capsys.readouterr()
    assert load_config().database.url == "sqlite:///var/minewatch.db"  # no file: the cwd
