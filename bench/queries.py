"""Analyst query latency on a generated archive, on SQLite and PostgreSQL.

Builds a fresh database (a temporary SQLite file; a ``mw_bench_<random>`` PostgreSQL
database, dropped at the end), migrates it, bulk-loads a synthetic archive with
realistic skew (the packaged gazetteer ids with Zipf-like popularity, ~2 years of
publication dates, ~10 mentions and ~1.5 events per article), analyzes it, then times
the two-filter queries the CLI runs, end to end through :func:`find_mentions` and
:func:`find_events`, with filter values drawn from the same skewed distribution (a
quarter drawn uniformly, so rare entities are queried too).

    .venv/bin/python -m bench.queries --articles 100000 --mentions 1000000 \\
        --databases sqlite,postgresql
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from extractors.gazetteer import load_gazetteer
from models.db import make_engine, session_factory, upgrade
from models.event_queries import find_events
from models.queries import find_mentions
from pipeline.config import PACKAGED_GAZETTEERS
from pipeline.records import EVENT_TYPES

POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
SEED = 20260101
BATCH_ARTICLES = 2_000
CALLS = 200
WARMUP = 20
LIMIT = 100
LAST_DAY = dt.date(2026, 6, 30)
DAYS = 730
HEAD = tuple(
    "country:MX country:US country:CN mineral:lithium mineral:copper country:CL mineral:cobalt "
    "country:AU mineral:rare-earth-elements country:CA mineral:nickel organization:usgs".split()
)
EVENT_WEIGHTS = (20, 15, 8, 30, 12, 5, 10)  # in EVENT_TYPES order
FILLER = (
    "Officials said output would rise next year as new concessions come online, while "
    "analysts expect prices to stay volatile and exporters seek long-term offtake deals. "
) * 8
STAMP = "2026-07-01 00:00:00.000000"
Row = tuple[Any, ...]
Table = tuple[str, tuple[str, ...]]


def _table(name: str, columns: str) -> Table:
    return name, tuple(columns.split())


ARTICLES = _table(
    "articles",
    "id key url source title authors published sitename language text content_hash "
    "extractor_version tagger_version created_at updated_at",
)
MENTIONS = _table("mentions", "id article_id entity_id start end text source")
EVENTS = _table(
    "events",
    "id article_id event_key type trigger sentence start end polarity event_date "
    "date_precision confidence events_version",
)
PARTICIPANTS = _table("event_participants", "id event_id entity_id role")
ENTITIES = _table("entities", "id type name official attributes")
ALIASES = _table("entity_aliases", "id entity_id alias")


@dataclass(frozen=True)
class QueryResult:
    """Latency of one query kind; ``rows`` is the median number of rows a call returned."""

    database: str
    query: str
    p50_ms: float
    p95_ms: float
    rows: int


class Popularity:
    """Gazetteer ids with Zipf-like weights: the HEAD first, the rest in a seeded shuffle."""

    def __init__(self, rng: random.Random) -> None:
        gazetteer = load_gazetteer(PACKAGED_GAZETTEERS)
        self.entries = gazetteer.entries
        self.aliases = {**gazetteer.case_insensitive, **gazetteer.case_sensitive}
        rest = sorted(set(self.entries) - set(HEAD))
        rng.shuffle(rest)
        self.ids = [*HEAD, *rest]
        self.weights = [1.0 / (rank + 1) for rank in range(len(self.ids))]
        self.cumulative = list(itertools.accumulate(self.weights))

    def draw(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.ids, cum_weights=self.cumulative, k=k)

    def draw_typed(self, rng: random.Random, type_: str, skewed: bool) -> str:
        pairs = [(i, w) for i, w in zip(self.ids, self.weights, strict=True) if _type(i) == type_]
        ids, weights = [p[0] for p in pairs], [p[1] for p in pairs]
        return rng.choices(ids, weights=weights)[0] if skewed else rng.choice(ids)


def _type(entity_id: str) -> str:
    return entity_id.partition(":")[0]


# --- generation ------------------------------------------------------------------------


Batch = dict[Table, list[Row]]


@dataclass
class Gen:
    rng: random.Random
    popularity: Popularity
    per_article: float
    mention_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    event_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    participant_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))


def _article(article_id: int, rng: random.Random, length: int) -> tuple[Row, dt.date | None]:
    published = None if rng.random() < 0.02 else LAST_DAY - dt.timedelta(rng.randrange(DAYS))
    url = f"https://news.example/{article_id}"
    day = published.isoformat() if published else None
    row: Row = (article_id, url, url, "bench", f"Story {article_id}", "[]", day, "Example News")
    row += ("en", FILLER[:length], f"{article_id:064x}", "bench-1", "bench-1", STAMP, STAMP)
    return row, published


def _events(
    batch: Batch, article_id: int, published: dt.date | None, present: list[str], ctx: Gen
) -> None:
    rng = ctx.rng
    for number in range(rng.choices((0, 1, 2, 3), weights=(15, 35, 35, 15))[0]):
        event_id = next(ctx.event_ids)
        type_ = rng.choices(EVENT_TYPES, weights=EVENT_WEIGHTS)[0]
        date = None
        if published is not None and rng.random() < 0.5:
            date = (published - dt.timedelta(rng.randrange(60))).isoformat()
        row: Row = (event_id, article_id, f"{article_id}-{number}", type_, "said")
        row += ("A sentence.", 0, 11, "positive", date, "day" if date else None, 0.8, "bench-1")
        batch[EVENTS].append(row)
        wanted = rng.randint(2, 6)
        chosen = rng.sample(present, min(wanted, len(present))) + ctx.popularity.draw(rng, wanted)
        for entity_id in list(dict.fromkeys(chosen))[:wanted]:
            member = (next(ctx.participant_ids), event_id, entity_id, _type(entity_id))
            batch[PARTICIPANTS].append(member)


def _batch(first: int, count: int, ctx: Gen) -> Batch:
    batch: Batch = {ARTICLES: [], MENTIONS: [], EVENTS: [], PARTICIPANTS: []}
    for article_id in range(first, first + count):
        k = max(1, round(ctx.rng.uniform(0.5, 1.5) * ctx.per_article))
        drawn = ctx.popularity.draw(ctx.rng, k)
        row, published = _article(article_id, ctx.rng, 40 * k + 80)
        batch[ARTICLES].append(row)
        for slot, entity_id in enumerate(drawn):
            name = ctx.popularity.entries[entity_id].name
            row = (next(ctx.mention_ids), article_id, entity_id, 40 * slot, 40 * slot + len(name))
            batch[MENTIONS].append((*row, name, "gazetteer"))
        _events(batch, article_id, published, list(dict.fromkeys(drawn)), ctx)
    return batch


def _load(raw: Any, dialect: str, table: Table, rows: list[Row]) -> None:
    name, columns = table
    quoted = ", ".join(f'"{c}"' for c in columns)
    if not rows:
        return
    if dialect == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    raw.executemany(f"INSERT INTO {name} ({quoted}) VALUES ({marks})", rows)


def _entity_rows(popularity: Popularity) -> tuple[list[Row], list[Row]]:
    entities = [
        (e.id, e.type, e.name, 1 if e.official else 0, '{"roles": []}')
        for e in popularity.entries.values()
    ]
    pairs = {(e.id, e.name) for e in popularity.entries.values()}
    pairs |= {
        (eid, alias) for alias, eid in popularity.aliases.items() if eid in popularity.entries
    }
    aliases = [(n, eid, alias) for n, (eid, alias) in enumerate(sorted(pairs), start=1)]
    return entities, aliases


def build_archive(engine: Engine, articles: int, mentions: int) -> None:
    """Bulk-load the synthetic archive into a migrated, empty database, then analyze it."""
    dialect = engine.dialect.name
    rng = random.Random(SEED)
    ctx = Gen(rng, Popularity(rng), mentions / articles)
    raw = engine.raw_connection().driver_connection
    assert raw is not None
    if dialect == "sqlite":
        raw.execute("BEGIN")
    entities, aliases = _entity_rows(ctx.popularity)
    _load(raw, dialect, ENTITIES, entities)
    _load(raw, dialect, ALIASES, aliases)
    started = time.perf_counter()
    for first in range(1, articles + 1, BATCH_ARTICLES):
        batch = _batch(first, min(BATCH_ARTICLES, articles + 1 - first), ctx)
        for table, rows in batch.items():
            _load(raw, dialect, table, rows)
        if (first - 1) % (BATCH_ARTICLES * 10) == 0:
            done = first - 1 + len(batch[ARTICLES])
            print(f"  {dialect}: {done:,} articles, {time.perf_counter() - started:.0f} s")
    raw.commit() if dialect == "postgresql" else raw.execute("COMMIT")
    _analyze(raw, dialect)
    raw.close()


def _analyze(raw: Any, dialect: str) -> None:
    if dialect == "postgresql":
        raw.autocommit = True
        raw.execute("VACUUM ANALYZE")
        return
    raw.execute("ANALYZE")
    raw.execute("PRAGMA optimize")


# --- databases -------------------------------------------------------------------------


@contextmanager
def fresh_database(database: str) -> Iterator[str]:
    """The URL of a new, migrated, empty database, removed afterwards."""
    if database == "sqlite":
        with tempfile.TemporaryDirectory(prefix="mw_bench_") as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            upgrade(url)
            yield url
        return
    admin = create_engine(make_url(POSTGRES_SERVER).set(database="postgres"))
    admin = admin.execution_options(isolation_level="AUTOCOMMIT")
    name = f"mw_bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(POSTGRES_SERVER).set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- workload --------------------------------------------------------------------------

Call = Callable[[Session], int]


def _value(entity_id: str, popularity: Popularity, rng: random.Random) -> str:
    """How an analyst types the entity: its id, its name, or (country) its ISO code."""
    type_, _, rest = entity_id.partition(":")
    if type_ == "country":
        return rest.lower() if rng.random() < 0.7 else popularity.entries[entity_id].name
    return rng.choice((entity_id, popularity.entries[entity_id].name, rest))


def workload(popularity: Popularity, rng: random.Random, n: int) -> dict[str, list[Call]]:
    """``n`` calls per query kind, with filter values drawn like the archive's skew."""
    calls: dict[str, list[Call]] = {}
    for name, make in _KINDS.items():
        calls[name] = []
        for number in range(n):
            skewed = number % 4 != 3

            def pick(type_: str, skewed: bool = skewed) -> str:
                entity_id = popularity.draw_typed(rng, type_, skewed)
                return _value(entity_id, popularity, rng)

            calls[name].append(make(pick, rng))
    return calls


Pick = Callable[[str], str]


def _mentions_country(pick: Pick, rng: random.Random) -> Call:
    mineral, country = pick("mineral"), pick("country")
    return lambda s: len(find_mentions(s, mineral=mineral, country=country, limit=LIMIT))


def _mentions_since(pick: Pick, rng: random.Random) -> Call:
    mineral, since = pick("mineral"), LAST_DAY - dt.timedelta(rng.randrange(30, DAYS))
    return lambda s: len(find_mentions(s, mineral=mineral, since=since, limit=LIMIT))


def _events_type_country(pick: Pick, rng: random.Random) -> Call:
    type_ = rng.choices(EVENT_TYPES, weights=EVENT_WEIGHTS)[0]
    entities: Any = {"country": pick("country")}
    return lambda s: len(find_events(s, type_=type_, entities=entities, limit=LIMIT))


def _events_mineral_country(pick: Pick, rng: random.Random) -> Call:
    entities: Any = {"mineral": pick("mineral"), "country": pick("country")}
    return lambda s: len(find_events(s, entities=entities, limit=LIMIT))


_KINDS: dict[str, Callable[[Pick, random.Random], Call]] = {
    "mentions mineral+country": _mentions_country,
    "mentions mineral+since": _mentions_since,
    "events type+country": _events_type_country,
    "events mineral+country": _events_mineral_country,
}


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_workload(url: str, database: str, calls: int = CALLS) -> list[QueryResult]:
    """Warm up, then time ``calls`` calls of each query kind (a session per call)."""
    engine = make_engine(url)
    factory = session_factory(engine)
    kinds = workload(Popularity(random.Random(SEED)), random.Random(SEED + 1), calls + WARMUP)
    results = []
    try:
        for name, planned in kinds.items():
            timings, rows = [], []
            for number, call in enumerate(planned):
                started = time.perf_counter()
                with factory() as session:
                    found = call(session)
                if number >= WARMUP:
                    timings.append((time.perf_counter() - started) * 1000)
                    rows.append(found)
            p50, p95 = _percentile(timings, 0.5), _percentile(timings, 0.95)
            results.append(QueryResult(database, name, p50, p95, int(statistics.median(rows))))
    finally:
        engine.dispose()
    return results


def measure_queries(
    scale_articles: int, scale_mentions: int, databases: list[str]
) -> list[QueryResult]:
    """Generate the archive in a fresh database per entry of ``databases``; time the queries."""
    results: list[QueryResult] = []
    for database in databases:
        with fresh_database(database) as url:
            engine = make_engine(url)
            started = time.perf_counter()
            try:
                build_archive(engine, scale_articles, scale_mentions)
            finally:
                engine.dispose()
            print(f"{database}: generated in {time.perf_counter() - started:.1f} s")
            results.extend(run_workload(url, database))
    return results


def format_table(results: Sequence[QueryResult]) -> str:
    lines = [f"{'database':<11} {'query':<26} {'p50 ms':>8} {'p95 ms':>8} {'rows':>5}"]
    for r in results:
        lines.append(
            f"{r.database:<11} {r.query:<26} {r.p50_ms:>8.1f} {r.p95_ms:>8.1f} {r.rows:>5}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    print(format_table(measure_queries(args.articles, args.mentions, databases)))


if __name__ == "__main__":
    main()
