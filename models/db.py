"""Database setup: engines, sessions, Alembic upgrades, and one-line storage errors.

SQLite (one file, WAL mode) is the embedded default; PostgreSQL is production.
Every SQLite connection gets ``journal_mode=WAL``, ``foreign_keys=ON`` and a busy
timeout, and SQLAlchemy (not the ``sqlite3`` module) emits ``BEGIN`` so that
savepoints and transactional DDL behave as on PostgreSQL. Writers pass the execution
option :data:`WRITE_OPTION` so that SQLite takes the write lock when they begin.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from pipeline.errors import StorageBusy, StorageError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
UPGRADE_HINT = "run `minewatch db upgrade`"
WRITE_OPTION = "minewatch_write"
"""Execution option: on SQLite, begin with ``BEGIN IMMEDIATE`` (take the write lock first).

A deferred transaction that reads and then writes can fail at once with "database is
locked" when another writer committed in between; the busy timeout cannot help it.
"""


def mask_url(url: str | URL) -> str:
    """The URL as text with its password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database URL>"


def _missing_table(error: BaseException, cause: str) -> bool:
    """SQLite "no such table", PostgreSQL UndefinedTable ('relation "x" does not exist')."""
    if type(error).__name__ == "UndefinedTable" or "no such table" in cause:
        return True
    return 'relation "' in cause and "does not exist" in cause


def storage_error(url: str | URL, exc: BaseException) -> StorageError | StorageBusy:
    """A one-line :class:`StorageError` naming the (masked) database URL and the cause."""
    original = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    cause = " ".join(str(original).split()) or type(original).__name__
    cause = cause.split(" [SQL:")[0][:300]
    where = mask_url(url)
    if _missing_table(original, cause):
        return StorageError(f"database {where} has no minewatch tables ({cause}); {UPGRADE_HINT}")
    if "database is locked" in cause or "database table is locked" in cause:
        return StorageBusy(f"database {where}: {cause}")
    return StorageError(f"database {where}: {cause}")


@contextmanager
def storage_errors(url: str | URL) -> Iterator[None]:
    """Turn any SQLAlchemy error raised inside the block into a one-line StorageError."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise storage_error(url, exc) from exc


def _sqlite_file(url: URL) -> Path | None:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _: ConnectionPoolEntry) -> None:
    dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN (see module doc)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _on_sqlite_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str | URL) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout.

    Creates the parent directory of a SQLite database file. Does not connect.
    Raises StorageError for a malformed URL or a missing database driver.
    """
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite":
            return create_engine(parsed, pool_pre_ping=True)
        path = _sqlite_file(parsed)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    except (ArgumentError, NoSuchModuleError) as exc:
        raise storage_error(url, exc) from exc
    except OSError as exc:
        raise StorageError(f"database {mask_url(url)}: cannot create its folder: {exc}") from exc
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def make_read_only_engine(url: str | URL) -> Engine:
    """An engine that only reads (``mentions``, ``events``, ``sources``, ``runs``,
    ``failures``): SQLite opened with ``mode=ro`` and never created (a missing file or
    folder is a StorageError saying what to run), PostgreSQL with read-only transactions.
    """
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite":
            options = {"options": "-c default_transaction_read_only=on"}
            return create_engine(parsed, pool_pre_ping=True, connect_args=options)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise storage_error(url, exc) from exc
    path = _sqlite_file(parsed)
    if path is None:
        return make_engine(url)  # in memory: nothing to protect
    if not path.is_file():
        raise StorageError(
            f"database {mask_url(url)} does not exist; check database.url, or run "
            "`minewatch db upgrade` (or `minewatch run`) to create it"
        )
    target = f"{path.resolve().as_uri()}?mode=ro"
    timeout = SQLITE_BUSY_TIMEOUT_MS / 1000

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(target, uri=True, timeout=timeout, check_same_thread=False)

    engine = create_engine("sqlite://", creator=connect)
    event.listen(engine, "connect", _on_sqlite_read_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _on_sqlite_read_connect(dbapi_connection: sqlite3.Connection, _: ConnectionPoolEntry) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config built in code: the packaged migrations, no ini file, no cwd."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision of the packaged migrations."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise StorageError(f"no Alembic revisions found in {MIGRATIONS_DIR}")
    return head


def upgrade(url: str | URL) -> None:
    """Run the migrations up to head; running it again on an up-to-date database is a no-op."""
    engine = make_engine(url)
    try:
        with storage_errors(url), engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")
    finally:
        engine.dispose()


def current_revision(url: str | URL) -> str | None:
    """The revision the database is at, or None if it was never migrated."""
    engine = make_engine(url)
    try:
        with storage_errors(url), engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def check_schema(url: str | URL) -> None:
    """Raise StorageError (telling to upgrade) unless the database is at the head revision."""
    current = current_revision(url)
    head = head_revision()
    if current != head:
        raise StorageError(
            f"database {mask_url(url)} is at revision {current or 'none'}, "
            f"not {head}; {UPGRADE_HINT}"
        )
