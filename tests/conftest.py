"""Shared fixtures: the built tagger is expensive, so one per session and model."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.tagger import Tagger
from pipeline.config import Config, parse_config
from pipeline.stages import Analyzer

pytest_plugins = ["tests.plugins.db"]

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
PAGES = FIXTURES / "pages"
SEEDS = ("mbn-2026-01-15-mexico-joins-global-effort", "mnd-2026-02-12-critical-mineral-production")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite fixtures/expected/ from the current output (review the diff!)",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def model_config() -> Config:
    return parse_config({})


@pytest.fixture(scope="session")
def blank_config() -> Config:
    return parse_config({"nlp": {"model": "blank"}})


@pytest.fixture(scope="session")
def analyzer(model_config: Config) -> Analyzer:
    return Analyzer(model_config)


@pytest.fixture(scope="session")
def blank_analyzer(blank_config: Config) -> Analyzer:
    return Analyzer(blank_config)


@pytest.fixture(scope="session")
def tagger(analyzer: Analyzer) -> Tagger:
    return analyzer.tagger


@pytest.fixture(scope="session")
def blank_tagger(blank_analyzer: Analyzer) -> Tagger:
    return blank_analyzer.tagger


@pytest.fixture(scope="session")
def document_analyzer() -> Analyzer:
    """The statistical model over every sentence (``nlp.scope: document``)."""
    return Analyzer(parse_config({"nlp": {"scope": "document"}}))
