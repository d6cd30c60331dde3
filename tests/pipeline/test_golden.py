"""Golden tests: the full ``analyze`` output of every fixture page, and the gold scores.

fixtures/expected/ is rewritten only with ``pytest --update-golden``, so a reviewer
reads every change in the diff. Version fields are left out: they change with every
library or gazetteer release and say nothing about the output itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.evaluation.evaluate import Report, evaluate_directory
from pipeline.output import JsonObject, article_json, failure_json
from pipeline.records import ENTITY_TYPES
from pipeline.stages import Analyzer
from tests.conftest import FIXTURES, PAGES, SEEDS

EXPECTED = FIXTURES / "expected"
VOLATILE = ("extractor_version", "tagger_version", "events_version")
# The real-style pages (dev-*, test-*) are measured by precision and recall against their
# gold (`minewatch evaluate fixtures --split dev|test`), not by output snapshots: the test
# half's output is not to be read before the end of a piece of work.
REAL_STYLE = ("dev-", "test-")
PAGE_FILES = sorted(
    p for p in PAGES.iterdir() if p.suffix == ".html" and not p.name.startswith(REAL_STYLE)
)


def analyze_one(analyzer: Analyzer, page: Path) -> JsonObject:
    (outcome,) = analyzer.analyze([str(page.relative_to(FIXTURES.parent))])
    if outcome.failure is not None:
        return failure_json(outcome.failure)
    assert outcome.analyzed is not None
    output = article_json(outcome.analyzed)
    return {k: v for k, v in output.items() if k not in VOLATILE}


@pytest.mark.parametrize("page", PAGE_FILES, ids=lambda p: p.stem)
def test_analyze_output_matches_expected(
    analyzer: Analyzer, page: Path, update_golden: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(FIXTURES.parent)
    actual = json.dumps(analyze_one(analyzer, page), ensure_ascii=False, indent=2) + "\n"
    expected_file = EXPECTED / f"{page.stem}.json"
    if update_golden:
        expected_file.write_text(actual, encoding="utf-8")
    assert expected_file.exists(), f"no {expected_file}; run pytest --update-golden and review"
    assert actual == expected_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("page", PAGE_FILES, ids=lambda p: p.stem)
def test_the_model_everywhere_gives_the_same_output(
    document_analyzer: Analyzer, page: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``nlp.scope: document`` against the same expected files: running the model only
    where the rules need it (the default) changes nothing on the fixtures."""
    monkeypatch.chdir(FIXTURES.parent)
    actual = json.dumps(analyze_one(document_analyzer, page), ensure_ascii=False, indent=2)
    assert actual + "\n" == (EXPECTED / f"{page.stem}.json").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def report(analyzer: Analyzer, tmp_path_factory: pytest.TempPathFactory) -> Report:
    return evaluate_directory(FIXTURES, analyzer)


@pytest.fixture(scope="module")
def seed_report(analyzer: Analyzer, tmp_path_factory: pytest.TempPathFactory) -> Report:
    folder = tmp_path_factory.mktemp("seeds")
    (folder / "pages").mkdir()
    (folder / "gold").mkdir()
    for seed in SEEDS:
        (folder / "pages" / f"{seed}.html").symlink_to(PAGES / f"{seed}.html")
        (folder / "gold" / f"{seed}.json").symlink_to(FIXTURES / "gold" / f"{seed}.json")
    return evaluate_directory(folder, analyzer)


@pytest.mark.parametrize("level", ["id", "span"])
@pytest.mark.parametrize("entity_type", ENTITY_TYPES)
def test_seeds_match_gold_exactly(seed_report: Report, entity_type: str, level: str) -> None:
    counts = seed_report.counts(level, entity_type)
    assert counts.tp > 0 or entity_type in ("person", "place", "site")
    assert (counts.precision, counts.recall) == (1.0, 1.0), seed_report.findings


def test_seed_page_checks_pass(seed_report: Report) -> None:
    assert seed_report.problems == []
    assert seed_report.failed_checks == []


def test_gold_files_resolve_and_every_page_is_scored(report: Report) -> None:
    assert report.problems == []
    assert report.pages == len(list((FIXTURES / "gold").glob("*.json")))
