"""Alert benchmark (issue 14): matching cost per article as rules grow, and one
delivery pass of 1,000 queued webhook deliveries to a loopback receiver.

    .venv/bin/python -m bench.alerts_bench [--articles 300] [--deliveries 1000]

Matching is measured twice: the pure function alone (candidates from the rule index,
then :func:`alerts.match.match_article`), and storing through
:func:`pipeline.stages.store_pages` with N rules minus the same with no rule (what
the alerts add to storing, writes of matches and outbox rows included). SQLite file
in a temporary folder; the receiver listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from alerts.dispatch import deliver
from alerts.facts import article_facts
from alerts.hook import rule_index
from alerts.match import match_article
from alerts.setup import sync_rules
from models.alert_schema import AlertMatchModel
from models.db import make_engine, session_factory, upgrade
from models.schema import utcnow
from pipeline.alert_config import AlertsConfig
from pipeline.config import parse_config
from pipeline.records import (
    EVENT_TYPES,
    Analyzed,
    AnalyzedArticle,
    Article,
    Entity,
    EntityType,
    Event,
    Mention,
    PageToStore,
    TaggedArticle,
)
from pipeline.stages import store_pages

MINERALS = [f"mineral:m{n}" for n in range(200)]
COUNTRIES = [f"country:C{n}" for n in range(60)]
RULE_COUNTS = (0, 10, 100, 1000)


def rules(count: int, rng: random.Random) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for n in range(count):
        mineral = rng.choice(MINERALS)
        if n % 2:
            types = [rng.choice(EVENT_TYPES)]
            found.append(
                {
                    "name": f"r{n}",
                    "kind": "event",
                    "types": types,
                    "minerals": [mineral],
                    "channels": ["hook"],
                }
            )
        else:
            country = rng.choice(COUNTRIES)
            found.append(
                {
                    "name": f"r{n}",
                    "kind": "mention",
                    "minerals": [mineral],
                    "countries": [country],
                    "channels": ["hook"],
                }
            )
    return found


def config(url: str, count: int, hook: str = "json://127.0.0.1:9/none") -> AlertsConfig:
    raw = {
        "nlp": {"model": "blank"},
        "alerts": {
            "channels": [{"name": "hook", "url": hook, "secret": "bench"}],
            "rules": rules(count, random.Random(7)),
            "delivery": {"batch_size": 500, "timeout_seconds": 5},
        },
    }
    return parse_config(raw).alerts


def analyzed(n: int, rng: random.Random) -> AnalyzedArticle:
    ids = rng.sample(MINERALS, 5) + rng.sample(COUNTRIES, 3)
    words = [f"{i.split(':')[1]}" for i in ids]
    text = f"Story {n} {rng.random()}: " + " and ".join(words) + " moved markets today."
    entities = []
    for entity_id, word in zip(ids, words, strict=True):
        start = text.index(word)
        kind: EntityType = "mineral" if entity_id.startswith("mineral") else "country"
        entities.append(Entity(entity_id, kind, word, (Mention(start, start + len(word), word),)))
    events = tuple(
        Event(
            rng.choice(EVENT_TYPES),
            "moved",
            text,
            0,
            len(text),
            minerals=tuple(ids[k : k + 2]),
            countries=(ids[5],),
        )
        for k in (0, 2)
    )
    article = Article(
        f"https://bench.example/{n}",
        text,
        f"https://bench.example/{n}",
        f"Story {n}",
        published=dt.date.today(),
        sitename="Bench",
        extractor_version="x",
    )
    return AnalyzedArticle(TaggedArticle(article, tuple(entities), "t"), events, "e")


def store_seconds(url: str, items: list[AnalyzedArticle]) -> float:
    engine = make_engine(url)
    sessions = session_factory(engine)
    pages = [
        PageToStore(Analyzed(i.article.source, i), "bench", article_url=i.article.url)
        for i in items
    ]
    started = time.perf_counter()
    for start in range(0, len(pages), 32):
        store_pages(sessions, pages[start : start + 32])
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def matches_stored(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count(AlertMatchModel.id))) or 0)


def matching(folder: Path, articles: int) -> list[tuple[int, float, float, float]]:
    rng = random.Random(11)
    results = []
    baseline = 0.0
    for count in RULE_COUNTS:
        url = f"sqlite:///{folder / f'match-{count}.db'}"
        upgrade(url)
        engine = make_engine(url)
        sync_rules(session_factory(engine), config(url, count))
        items = [analyzed(n, rng) for n in range(articles)]
        seconds = store_seconds(url, items)
        if count == 0:
            baseline = seconds
        with session_factory(engine)() as session:
            index = rule_index(session)
        now = utcnow()
        started = time.perf_counter()
        for item in items:
            named = {e.id for e in item.tagged.entities}
            candidates = index.candidates(named, {e.type for e in item.events})
            facts = article_facts(item, 1, None, now, {e.key: 1 for e in item.events})
            match_article(candidates, facts, {}, now)
        pure = (time.perf_counter() - started) / articles
        per_article = matches_stored(session_factory(engine)) / articles
        engine.dispose()
        added = (seconds - baseline) / articles * 1000
        results.append((count, pure * 1000, added, per_article))
    return results


class _Receiver(BaseHTTPRequestHandler):
    seen = 0
    lock = threading.Lock()

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with _Receiver.lock:
            _Receiver.seen += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


@contextmanager
def receiver() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def delivery(folder: Path, count: int) -> tuple[int, int, float]:
    url = f"sqlite:///{folder / 'deliver.db'}"
    upgrade(url)
    engine = make_engine(url)
    rng = random.Random(5)
    with receiver() as port:
        raw = {
            "nlp": {"model": "blank"},
            "alerts": {
                "channels": [
                    {"name": "hook", "url": f"json://127.0.0.1:{port}/hook", "secret": "b"}
                ],
                "rules": [
                    {"name": "all", "kind": "mention", "countries": COUNTRIES, "channels": ["hook"]}
                ],
                "delivery": {"batch_size": 500, "timeout_seconds": 5},
            },
        }
        alerts = parse_config(raw).alerts
        sync_rules(session_factory(engine), alerts)
        store_seconds(url, [analyzed(n, rng) for n in range(count)])
        started = time.perf_counter()
        report = deliver(session_factory(engine), alerts)
        seconds = time.perf_counter() - started
    engine.dispose()
    return report.sent, _Receiver.seen, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--deliveries", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print("rules  pure matching ms/article  added to storing ms/article  matches/article")
        for count, pure, added, per_article in matching(Path(folder), args.articles):
            print(f"{count:5d}  {pure:24.3f}  {added:27.3f}  {per_article:15.2f}")
        sent, received, seconds = delivery(Path(folder), args.deliveries)
        print(
            f"delivery pass: {sent} sent, {received} received in {seconds:.2f} s "
            f"({sent / seconds:.0f}/s)"
        )


if __name__ == "__main__":
    main()
