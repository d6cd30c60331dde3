"""The minewatch CLI, run in-process against real files, a real SQLite database and
a real HTTP server on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.cli.main import main
from tests.conftest import PAGES, SEEDS
from tests.fixture_server import serve_fixtures

MBN = PAGES / f"{SEEDS[0]}.html"
MND = PAGES / f"{SEEDS[1]}.html"


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"database:\n  url: sqlite:///{tmp_path / 'mw.db'}\n"
        "fetch:\n  allow_private_addresses: true\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def server() -> Iterator[str]:
    with serve_fixtures(PAGES) as fixtures:
        yield fixtures.base


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def json_lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_analyze_prints_one_object_per_input_in_order(
    capsys: pytest.CaptureFixture[str], config_file: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    code, out, err = run(
        capsys, "--config", str(config_file), "analyze", str(MND), str(empty), str(MBN)
    )
    objects = json_lines(out)
    assert [o["source"] for o in objects] == [str(MND), str(empty), str(MBN)]
    assert objects[0]["published"] == "2026-02-12"
    assert objects[2]["authors"] == ["Paloma Duran"]
    assert objects[1]["error"] == "empty input; pass a page with content"
    assert code == 1
    assert err.count("error:") == 1
    assert str(empty) in err


def test_analyze_txt_and_stdin_with_hints(
    capsys: pytest.CaptureFixture[str],
    config_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    note = tmp_path / "note.txt"
    note.write_text("  Lithium output in Chile rose.\n", encoding="utf-8")
    code, out, _ = run(
        capsys,
        "--config",
        str(config_file),
        "analyze",
        str(note),
        "--url",
        "https://example.com/n",
        "--published",
        "2026-03-01",
    )
    (obj,) = json_lines(out)
    assert code == 0
    assert obj["text"] == "  Lithium output in Chile rose.\n"
    assert (obj["url"], obj["published"]) == ("https://example.com/n", "2026-03-01")
    entities = obj["entities"]
    assert isinstance(entities, list)
    assert {e["id"] for e in entities} == {"mineral:lithium", "country:CL"}


def test_analyze_fetches_urls_from_a_loopback_server(
    capsys: pytest.CaptureFixture[str], config_file: Path, server: str
) -> None:
    code, out, _ = run(
        capsys,
        "--config",
        str(config_file),
        "analyze",
        f"{server}/{MBN.name}",
        f"{server}/missing.html",
    )
    page, missing = json_lines(out)
    assert page["title"] == "Mexico Joins Global Effort to Strengthen Mineral Supply Chains"
    assert missing["error"] == "HTTP 404"
    assert missing["stage"] == "read"
    assert code == 1


def test_internal_addresses_are_refused_by_default(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, server: str
) -> None:
    config = tmp_path / "strict.yaml"
    config.write_text(f"database:\n  url: sqlite:///{tmp_path / 'x.db'}\n", encoding="utf-8")
    code, out, _ = run(capsys, "--config", str(config), "analyze", f"{server}/{MBN.name}")
    (obj,) = json_lines(out)
    assert "refused internal address 127.0.0.1" in str(obj["error"])
    assert code == 1


def test_ingest_twice_changes_nothing_and_mentions_query(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    base = ("--config", str(config_file))
    code, out, _ = run(capsys, *base, "ingest", str(MBN), str(MND))
    assert code == 0
    assert "2 new" in out
    code, out, _ = run(capsys, *base, "ingest", str(MBN), str(MND))
    assert code == 0
    assert "2 unchanged" in out
    code, out, _ = run(
        capsys,
        *base,
        "mentions",
        "--mineral",
        "lithium",
        "--country",
        "MX",
        "--since",
        "2026-02-01",
        "--format",
        "json",
    )
    rows = json_lines(out)
    assert [r["mention_text"] for r in rows] == ["lithium"]
    assert rows[0]["published"] == "2026-02-12"
    code, out, _ = run(capsys, *base, "mentions", "--person", "zamora", "--format", "csv")
    assert out.splitlines()[0].startswith("published,entity_id,mention_text")
    code, out, _ = run(capsys, *base, "mentions", "--place", "washington-us", "--format", "json")
    assert code == 0
    assert {r["entity_id"] for r in json_lines(out)} == {"place:washington-us"}


def test_mentions_on_a_fresh_database_says_to_upgrade(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    code, _, err = run(capsys, "--config", str(config_file), "mentions", "--mineral", "lithium")
    assert code == 2
    assert "run `minewatch db upgrade`" in err
    assert len(err.strip().splitlines()) == 1


def test_db_upgrade_is_idempotent(capsys: pytest.CaptureFixture[str], config_file: Path) -> None:
    for _ in range(2):
        code, out, _ = run(capsys, "--config", str(config_file), "db", "upgrade")
        assert code == 0
        assert "latest schema" in out


def test_bad_config_is_one_red_line_and_debug_adds_the_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("nlp:\n  model: x\n", encoding="utf-8")
    code, _, err = run(capsys, "--config", str(config), "analyze", str(MBN))
    assert code == 2
    assert err.strip() == (
        f"error: {config}: nlp.model: no spaCy pipeline named 'x' is installed; "
        "install it, give a pipeline directory, or use 'blank' for rules only"
    )
    code, _, err = run(capsys, "--debug", "--config", str(config), "analyze", str(MBN))
    assert "Traceback" in err


def test_evaluate_prints_scores(capsys: pytest.CaptureFixture[str], config_file: Path) -> None:
    code, out, _ = run(
        capsys, "--config", str(config_file), "evaluate", str(PAGES.parent), "--format", "json"
    )
    report = json.loads(out)
    assert code == 0
    assert report["pages"] == len(list((PAGES.parent / "gold").glob("*.json")))
    assert set(report["scores"]) >= {"id/mineral", "span/person"}
