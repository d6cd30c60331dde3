"""A small store for the review app's tests: articles with events through the real
store function, a copy of one story, a hostile page, and three accounts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from models.review_users import add_user, issue_token
from models.store import ingest
from pipeline.records import AnalyzedArticle, Event
from tests.plugins.db import build_tagged

PASSWORD = "correct horse battery"
LITHIUM_TEXT = (
    "Mexico and the United States signed an action plan on lithium on Nov. 6. "
    "Chile raised its copper output by 5% in 2025. "
    "Peru banned copper exports for a month. "
    + "Analysts expect the plan to shape supply chains for batteries, grids and vehicles "
    "across North America over the next decade, while smelters, traders and miners "
    "weigh the new rules against older contracts and the prices seen last year. " * 4
)
HOSTILE_TITLE = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
HOSTILE_TEXT = (
    "Bolivia said <script>window.__xss=3</script> lithium output rose. "
    '<a href="javascript:window.__xss=4">click</a> <b onmouseover="window.__xss=5">hover</b> '
    "The ministry of mines of Bolivia approved a lithium investment of $1 billion. " * 3
)


@dataclass(frozen=True)
class Seeded:
    event_ids: dict[str, int]
    hostile_event: int
    reviewer_token: str
    viewer_token: str


def _event(text: str, sentence: str, type_: str, **fields: Any) -> Event:
    start = text.index(sentence)
    trigger = str(fields.pop("trigger", type_))
    return Event(type_, trigger, sentence, start, start + len(sentence), **fields)  # type: ignore[arg-type]


def _articles() -> list[AnalyzedArticle]:
    text = LITHIUM_TEXT
    tags = {
        "country:MX": ["Mexico"],
        "country:US": ["United States"],
        "mineral:lithium": ["lithium"],
        "country:CL": ["Chile"],
        "mineral:copper": ["copper"],
        "country:PE": ["Peru"],
    }
    names = {"country:MX": "Mexico", "country:US": "United States", "country:CL": "Chile"}
    events = (
        _event(
            text,
            text[: text.index("Chile") - 1],
            "agreement",
            trigger="action plan",
            date=dt.date(2025, 11, 6),
            date_precision="day",
            confidence=0.9,
            countries=("country:MX", "country:US"),
            minerals=("mineral:lithium",),
        ),
        _event(
            text,
            "Chile raised its copper output by 5% in 2025.",
            "production",
            trigger="output",
            date=dt.date(2025, 1, 1),
            date_precision="year",
            confidence=0.7,
            countries=("country:CL",),
            minerals=("mineral:copper",),
        ),
        _event(
            text,
            "Peru banned copper exports for a month.",
            "policy",
            trigger="banned",
            polarity="positive",
            confidence=0.5,
            countries=("country:PE",),
            minerals=("mineral:copper",),
        ),
    )
    first = AnalyzedArticle(
        build_tagged(text, tags, names=names, url="https://example.com/a", title="Lithium plan"),
        events,
        "events-1",
    )
    copy = AnalyzedArticle(
        build_tagged(
            text + " Reuters contributed.",
            tags,
            names=names,
            url="https://copy.example.org/a",
            title="Lithium plan (copy)",
        ),
        (events[0],),
        "events-1",
    )
    hostile_tags = {"country:BO": ["Bolivia"], "mineral:lithium": ["lithium"]}
    sentence = "The ministry of mines of Bolivia approved a lithium investment of $1 billion."
    hostile = AnalyzedArticle(
        build_tagged(
            HOSTILE_TEXT,
            hostile_tags,
            url="javascript:alert(1)//x",
            title=HOSTILE_TITLE,
            names={"country:BO": "<i>Bolivia</i>"},
        ),
        (
            _event(
                HOSTILE_TEXT,
                sentence,
                "investment",
                trigger="investment",
                confidence=0.6,
                countries=("country:BO",),
                minerals=("mineral:lithium",),
            ),
        ),
        "events-1",
    )
    return [first, copy, hostile]


def seed(sessions: sessionmaker[Session]) -> Seeded:
    ids = [ingest(sessions, item).article_id for item in _articles()]
    with sessions.begin() as session:
        add_user(session, "ana", "reviewer", PASSWORD)
        add_user(session, "vic", "viewer", PASSWORD)
        add_user(session, "root", "admin", PASSWORD)
        reviewer_token = issue_token(session, "ana")
        viewer_token = issue_token(session, "vic")
    with sessions() as session:
        from sqlalchemy import select

        from models.schema import EventModel

        rows = session.execute(select(EventModel.id, EventModel.type, EventModel.article_id)).all()
    by_type = {type_: id_ for id_, type_, article in rows if article == ids[0]}
    hostile = next(id_ for id_, _, article in rows if article == ids[2])
    return Seeded(by_type, hostile, reviewer_token, viewer_token)
