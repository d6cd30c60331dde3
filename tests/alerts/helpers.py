"""Building rules, articles and stores for the alert tests (no test of its own)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from alerts.setup import sync_rules
from models.alert_schema import AlertMatchArticleModel, AlertMatchModel, AlertOutboxModel
from models.crawl_store import read
from pipeline.alert_config import AlertsConfig
from pipeline.config import Config, parse_config
from pipeline.records import Analyzed, AnalyzedArticle, Event, PageToStore
from pipeline.stages import store_pages
from tests.plugins.db import Db, build_tagged

TODAY = dt.datetime.now(dt.UTC).date()


def alerts_config(
    rules: Sequence[Mapping[str, Any]],
    channels: Sequence[Mapping[str, Any]] = ({"name": "desk", "url": "json://127.0.0.1:9/x"},),
    **extra: Any,
) -> AlertsConfig:
    section = {"channels": list(channels), "rules": list(rules), **extra}
    raw = {"nlp": {"model": "blank"}, "alerts": section}
    config: Config = parse_config(raw)
    return config.alerts


def with_rules(db: Db, config: AlertsConfig) -> None:
    sync_rules(db.sessions, config)


def article(
    text: str,
    tags: Mapping[str, Sequence[str]],
    *,
    url: str = "https://example.com/a",
    published: dt.date | None = TODAY,
    events: Sequence[Event] = (),
    title: str = "A title",
    sitename: str = "Example News",
) -> AnalyzedArticle:
    tagged = build_tagged(text, tags, url=url, published=published, title=title)
    tagged = tagged.__class__(
        tagged.article.__class__(**{**tagged.article.__dict__, "sitename": sitename}),
        tagged.entities,
        tagged.tagger_version,
    )
    return AnalyzedArticle(tagged, tuple(events), "events-1")


def store(db: Db, *items: AnalyzedArticle) -> list[str]:
    pages = [
        PageToStore(
            Analyzed(i.article.source, i), "test", url=i.article.url, article_url=i.article.url
        )
        for i in items
    ]
    results = store_pages(db.sessions, pages)
    return [str(r) for r in results]


def matches(db: Db) -> list[tuple[str, str, list[int]]]:
    """(rule name, story key, linked article ids) of every match."""

    def work(session: Any) -> list[tuple[str, str, list[int]]]:
        out = []
        for row in session.scalars(select(AlertMatchModel).order_by(AlertMatchModel.id)):
            linked = session.scalars(
                select(AlertMatchArticleModel.article_id)
                .where(AlertMatchArticleModel.match_id == row.id)
                .order_by(AlertMatchArticleModel.article_id)
            )
            out.append((row.details["rule"], row.story_key, list(linked)))
        return out

    return read(db.sessions, work)


def outbox(db: Db) -> list[tuple[int, str, str]]:
    def work(session: Any) -> list[tuple[int, str, str]]:
        rows = session.scalars(select(AlertOutboxModel).order_by(AlertOutboxModel.id))
        return [(r.match_id, r.channel, r.state) for r in rows]

    return read(db.sessions, work)
