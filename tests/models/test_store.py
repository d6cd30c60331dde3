"""Storage on real SQLite and PostgreSQL: migrations, idempotent stores, atomicity."""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, event, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

import models.store
from models.db import (
    current_revision,
    head_revision,
    make_engine,
    mask_url,
    session_factory,
    storage_error,
    upgrade,
)
from models.queries import count_articles, count_mentions, get_article_by_key
from models.schema import ArticleModel, Base, EntityAliasModel, EntityModel, MentionModel
from models.store import article_key, ingest, store_tagged
from pipeline.errors import StorageError
from pipeline.records import Mention, Role, TaggedArticle
from tests.plugins.db import Db, build_tagged, entity

TABLES = {"articles", "entities", "entity_aliases", "mentions"}
TEXT = "Mexico and the US agreed on lithium. Lithium output in Mexico will grow, said Sernageomin."
TAGS = {
    "mineral:lithium": ["lithium", "Lithium"],
    "country:MX": ["Mexico"],
    "country:US": ["US"],
    "organization:sernageomin": ["Sernageomin"],
}


def tagged(**kwargs: Any) -> TaggedArticle:
    return build_tagged(TEXT, TAGS, **kwargs)


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in sorted(TABLES)
        }


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order, for exact before/after comparison."""
    with engine.connect() as connection:
        return {
            table: [
                tuple(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY 1"))
            ]
            for table in sorted(TABLES)
        }


@contextmanager
def recorded_statements(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(" ".join(str(args[2]).split()).upper())

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


# --- migrations and setup ---------------------------------------------------------------


# SQLite cannot reflect the expression index lower(alias), so SQLAlchemy and Alembic
# skip it with a warning; index_names() checks it exists in the catalog instead.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_upgrade_creates_tables_idempotently_at_head(db_url: str) -> None:
    assert current_revision(db_url) is None
    upgrade(db_url)
    upgrade(db_url)
    assert current_revision(db_url) == head_revision()
    engine = make_engine(db_url)
    try:
        assert set(inspect(engine).get_table_names()) >= TABLES
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            assert "ix_entity_aliases_lower_alias" in index_names(connection)
    finally:
        engine.dispose()


def index_names(connection: Connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        query = "SELECT indexname FROM pg_indexes"
    return set(connection.execute(text(query)).scalars())


def test_sqlite_file_is_wal_with_foreign_keys(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one() >= 1000
    finally:
        engine.dispose()


def test_missing_tables_tell_to_upgrade(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with pytest.raises(StorageError, match=r"minewatch db upgrade") as caught:
            ingest(session_factory(engine), tagged())
        assert "\n" not in str(caught.value)
    finally:
        engine.dispose()


def test_unreachable_database_is_one_line_with_masked_password() -> None:
    url = "postgresql+psycopg://mw:secret@127.0.0.1:1/nowhere?connect_timeout=2"
    with pytest.raises(StorageError) as caught:
        upgrade(url)
    message = str(caught.value)
    assert "secret" not in message
    assert "***" in message
    assert "\n" not in message
    assert mask_url(url) in message


def test_storage_error_flags_missing_tables() -> None:
    error = storage_error("sqlite:///x.db", RuntimeError("no such table: articles"))
    assert "minewatch db upgrade" in str(error)


# --- store semantics --------------------------------------------------------------------


def test_new_then_unchanged_writes_nothing(migrated: Db) -> None:
    first = ingest(migrated.sessions, tagged())
    assert first.status == "new"
    assert first.mentions == 6
    before = snapshot(migrated.engine)
    with recorded_statements(migrated.engine) as statements:
        second = ingest(migrated.sessions, tagged())
    assert second == models.store.StoreOutcome(first.article_id, "unchanged", 6)
    assert not {"INSERT", "UPDATE", "DELETE"} & {s.split()[0] for s in statements}
    assert snapshot(migrated.engine) == before
    assert row_counts(migrated.engine) == {
        "articles": 1,
        "entities": 4,
        "entity_aliases": 5,
        "mentions": 6,
    }


def test_new_stores_article_entities_aliases_and_mentions(migrated: Db) -> None:
    role = Role("Secretary of Economy", country="country:MX")
    person = entity(TEXT, "person:marcelo-ebrard", ["US"], roles=(role,), source="pattern")
    article = tagged()
    article = TaggedArticle(article.article, (*article.entities, person), article.tagger_version)
    ingest(migrated.sessions, article)
    with migrated.sessions() as session:
        row = get_article_by_key(session, "https://example.com/a")
        assert row is not None
        assert row.authors == ["Ana Writer"]
        assert row.text == TEXT
        stored = session.get(EntityModel, "person:marcelo-ebrard")
        assert stored is not None
        assert stored.official
        assert stored.attributes["roles"][0]["title"] == "Secretary of Economy"
        aliases = session.scalars(
            select(EntityAliasModel.alias).where(EntityAliasModel.entity_id == "mineral:lithium")
        ).all()
        assert sorted(aliases) == ["Lithium", "lithium"]
        sources = session.scalars(
            select(MentionModel.source).where(MentionModel.entity_id == "person:marcelo-ebrard")
        ).all()
        assert sources == ["pattern"]
        for mention in session.scalars(select(MentionModel)):
            assert TEXT[mention.start : mention.end] == mention.text


def test_new_tagger_version_retags(migrated: Db) -> None:
    first = ingest(migrated.sessions, tagged())
    fewer = build_tagged(TEXT, {"mineral:lithium": ["lithium"]}, tagger_version="tagger-2")
    second = ingest(migrated.sessions, fewer)
    assert second == models.store.StoreOutcome(first.article_id, "retagged", 1)
    with migrated.sessions() as session:
        assert count_articles(session) == 1
        assert count_mentions(session) == 1
        row = session.get(ArticleModel, first.article_id)
        assert row is not None
        assert row.tagger_version == "tagger-2"
        assert row.updated_at >= row.created_at
        orphans = session.scalar(
            select(MentionModel.id).outerjoin(ArticleModel).where(ArticleModel.id.is_(None))
        )
        assert orphans is None


def test_changed_text_updates(migrated: Db) -> None:
    first = ingest(migrated.sessions, tagged())
    changed = TEXT.replace("will grow", "will double")
    second = ingest(migrated.sessions, build_tagged(changed, TAGS, title="New title"))
    assert second.status == "updated"
    assert second.article_id == first.article_id
    with migrated.sessions() as session:
        row = get_article_by_key(session, "https://example.com/a")
        assert row is not None
        assert row.text == changed
        assert row.title == "New title"
        assert count_mentions(session, row.id) == 6
        assert count_articles(session) == 1


def test_whitespace_only_change_is_an_update(migrated: Db) -> None:
    ingest(migrated.sessions, tagged())
    rewrapped = TEXT.replace(" and the US", "  and the US")
    assert ingest(migrated.sessions, build_tagged(rewrapped, TAGS)).status == "updated"


def test_text_without_url_is_keyed_by_content_hash(migrated: Db) -> None:
    article = tagged(url=None)
    outcome = ingest(migrated.sessions, article)
    assert article_key(article.article) == f"sha256:{article.article.content_hash}"
    assert ingest(migrated.sessions, tagged(url=None)).status == "unchanged"
    with migrated.sessions() as session:
        row = get_article_by_key(session, article_key(article.article))
        assert row is not None
        assert row.id == outcome.article_id
        assert row.url is None


def test_raw_html_round_trips_compressed(migrated: Db) -> None:
    html = b"<html><body>" + TEXT.encode() * 50 + b"</body></html>"
    ingest(migrated.sessions, tagged(raw_html=html))
    with migrated.sessions() as session:
        row = get_article_by_key(session, "https://example.com/a")
        assert row is not None
        assert row.raw_html == html
    with migrated.engine.connect() as connection:
        stored = connection.execute(text("SELECT raw_html FROM articles")).scalar_one()
    assert len(bytes(stored)) < len(html)
    assert zlib.decompress(bytes(stored)) == html


def test_store_tagged_leaves_commit_to_the_caller(migrated: Db) -> None:
    with migrated.sessions() as session:
        outcome = store_tagged(session, tagged())
        assert outcome.status == "new"
        session.rollback()
    with migrated.sessions() as session:
        assert count_articles(session) == 0


# --- atomicity ------------------------------------------------------------------------


def test_constraint_violation_leaves_previous_state(migrated: Db) -> None:
    ingest(migrated.sessions, tagged())
    before = snapshot(migrated.engine)
    bad = build_tagged(TEXT.replace("grow", "fall"), TAGS)
    broken = entity(bad.article.text, "mineral:lithium", ["lithium"])
    broken = dataclasses.replace(broken, mentions=(Mention(10, 5, "x"),))
    bad = TaggedArticle(bad.article, (*bad.entities, broken), bad.tagger_version)
    with pytest.raises(StorageError) as caught:
        ingest(migrated.sessions, bad)
    assert "\n" not in str(caught.value)
    assert snapshot(migrated.engine) == before


def test_failure_after_article_write_stores_nothing(
    migrated: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest(migrated.sessions, tagged())
    before = snapshot(migrated.engine)

    def explode(*args: Any) -> int:
        raise SQLAlchemyError("disk on fire")

    monkeypatch.setattr(models.store, "_insert_mentions", explode)
    changed = build_tagged(TEXT + " More.", TAGS, title="Changed")
    with pytest.raises(StorageError, match="disk on fire"):
        ingest(migrated.sessions, changed)
    other = build_tagged(TEXT, TAGS, url="https://example.com/b")
    with pytest.raises(StorageError):
        ingest(migrated.sessions, other)
    assert snapshot(migrated.engine) == before


def test_deleting_an_article_cascades_to_mentions(migrated: Db) -> None:
    outcome = ingest(migrated.sessions, tagged())
    with migrated.sessions.begin() as session:
        session.execute(text("DELETE FROM articles WHERE id = :id"), {"id": outcome.article_id})
    with migrated.sessions() as session:
        assert count_mentions(session) == 0
        assert session.scalar(select(EntityModel.id).limit(1)) is not None


def test_concurrent_sqlite_writers_do_not_fail(sqlite_url: str) -> None:
    """Two engines (as two processes would) ingesting at once: no "database is locked"."""
    upgrade(sqlite_url)
    engines = [make_engine(sqlite_url) for _ in range(2)]

    def work(worker: int) -> list[str]:
        factory = session_factory(engines[worker])
        return [
            ingest(factory, tagged(url=f"https://example.com/{worker}/{n}")).status
            for n in range(15)
        ]

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(work, range(2)))
        assert results == [["new"] * 15, ["new"] * 15]
        assert row_counts(engines[0])["articles"] == 30
    finally:
        for engine in engines:
            engine.dispose()


def test_ingest_takes_the_sqlite_write_lock_first(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        with recorded_statements(engine) as statements:
            ingest(session_factory(engine), tagged())
        assert statements[0] == "BEGIN IMMEDIATE"
        with engine.connect() as connection, recorded_statements(engine) as reads:
            connection.exec_driver_sql("SELECT 1")
        assert reads == ["BEGIN", "SELECT 1"]
    finally:
        engine.dispose()


def test_missing_database_is_not_reported_as_missing_tables(postgres_url: str) -> None:
    url = postgres_url.rsplit("/", 1)[0] + "/mw_no_such_database"
    with pytest.raises(StorageError, match="mw_no_such_database") as caught:
        current_revision(url)
    assert "no minewatch tables" not in str(caught.value)
