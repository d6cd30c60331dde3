"""Database fixtures on real databases (SQLite file and a fresh PostgreSQL database).

A pytest plugin (``pytest_plugins`` in tests/conftest.py): every test can take
``db_url``, ``migrated``, ``sqlite_url`` or ``postgres_url`` as an argument; helpers
(``Db``, ``build_tagged``) are imported by name.

PostgreSQL is expected at ``postgresql+psycopg://postgres@127.0.0.1:5432`` with trust
auth (override with MINEWATCH_TEST_POSTGRES). If it is unreachable the PostgreSQL
tests FAIL, telling how to start it; set MINEWATCH_SKIP_POSTGRES=1 to skip them.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from models.db import make_engine, session_factory, upgrade
from pipeline.records import (
    ENTITY_TYPES,
    Article,
    Entity,
    EntityType,
    Mention,
    Role,
    TaggedArticle,
    TagSource,
)

POSTGRES_SERVER = os.environ.get(
    "MINEWATCH_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432"
)
START_HINT = (
    "start PostgreSQL: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start "
    "(or set MINEWATCH_SKIP_POSTGRES=1 to skip the PostgreSQL tests)"
)


def _admin_engine() -> Engine:
    """An AUTOCOMMIT engine on a maintenance database ("postgres", else "test")."""
    errors: list[str] = []
    for database in ("postgres", "test"):
        url = make_url(POSTGRES_SERVER).set(database=database)
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect():
                return engine
        except OperationalError as exc:
            errors.append(" ".join(str(exc.orig).split())[:200])
            engine.dispose()
    pytest.fail(f"PostgreSQL unreachable at {POSTGRES_SERVER} ({'; '.join(errors)}); {START_HINT}")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'db' / 'minewatch.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    if os.environ.get("MINEWATCH_SKIP_POSTGRES") == "1":
        pytest.skip("MINEWATCH_SKIP_POSTGRES=1")
    admin = _admin_engine()
    name = f"mw_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_SERVER).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url = request.getfixturevalue(fixture)
    assert isinstance(url, str)
    return url


@dataclass(frozen=True)
class Db:
    """A migrated database: its URL, engine and session factory."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]


@pytest.fixture
def migrated(db_url: str) -> Iterator[Db]:
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        yield Db(db_url, engine, session_factory(engine))
    finally:
        engine.dispose()


def entity_type_of(entity_id: str) -> EntityType:
    prefix = entity_id.partition(":")[0]
    for type_ in ENTITY_TYPES:
        if prefix == type_:
            return type_
    raise ValueError(f"no entity type in {entity_id!r}")


def spans(text_: str, surface: str) -> tuple[Mention, ...]:
    """Every occurrence of ``surface`` in the text, as mentions (case-sensitive)."""
    found: list[Mention] = []
    start = text_.find(surface)
    while start >= 0:
        found.append(Mention(start, start + len(surface), surface))
        start = text_.find(surface, start + 1)
    return tuple(found)


def entity(
    text_: str,
    entity_id: str,
    surfaces: Sequence[str],
    *,
    name: str | None = None,
    roles: tuple[Role, ...] = (),
    source: TagSource = "gazetteer",
) -> Entity:
    """An entity of the text with a mention at every occurrence of each surface form."""
    mentions = sorted((m for s in surfaces for m in spans(text_, s)), key=lambda m: m.start)
    return Entity(
        id=entity_id,
        type=entity_type_of(entity_id),
        name=name or surfaces[0],
        mentions=tuple(mentions),
        official=bool(roles),
        roles=roles,
        source=source,
    )


def build_tagged(
    text_: str,
    tags: Mapping[str, Sequence[str]],
    *,
    url: str | None = "https://example.com/a",
    title: str | None = "A title",
    published: dt.date | None = dt.date(2026, 1, 15),
    tagger_version: str = "tagger-1",
    extractor_version: str = "extractor-1",
    raw_html: bytes | None = None,
    names: dict[str, str] | None = None,
) -> TaggedArticle:
    """A TaggedArticle built by hand: ``tags`` maps entity ids to surface forms in the text."""
    names = names or {}
    article = Article(
        source=url or "input.txt",
        text=text_,
        url=url,
        title=title,
        authors=("Ana Writer",),
        published=published,
        sitename="Example News",
        language="en",
        raw_html=raw_html,
        extractor_version=extractor_version,
    )
    entities = tuple(
        entity(text_, eid, surfaces, name=names.get(eid)) for eid, surfaces in tags.items()
    )
    return TaggedArticle(article=article, entities=entities, tagger_version=tagger_version)
