"""Analyst queries on real SQLite and PostgreSQL: filters, name resolution, context."""

from __future__ import annotations

import datetime as dt

import pytest

from models.queries import (
    MentionRow,
    count_articles,
    find_mentions,
    get_article_by_key,
    normalize_entity_id,
    resolve_entity,
)
from models.store import ingest
from tests.plugins.db import Db, build_tagged

JAN = (
    "Mexico's Secretary of Economy Marcelo Ebrard met the USGS about lithium.\n\n"
    "Lithium   deposits in Sonora make Mexico a rare earth elements hopeful too."
)
FEB = "The US will buy lithium from Chile, and lithium prices rose."
DEC = "Mexico nationalized lithium in 2022."
MAR = "Mexico exports aluminium and aluminium cans."
UNDATED = "Mexico and lithium, undated."


@pytest.fixture
def corpus(migrated: Db) -> Db:
    articles = [
        build_tagged(
            JAN,
            {
                "mineral:lithium": ["lithium", "Lithium"],
                "country:MX": ["Mexico"],
                "organization:usgs": ["USGS"],
                "person:marcelo-ebrard": ["Marcelo Ebrard"],
                "mineral:rare-earth-elements": ["rare earth elements"],
            },
            url="https://news.example/jan",
            title="January",
            published=dt.date(2026, 1, 15),
        ),
        build_tagged(
            FEB,
            {"mineral:lithium": ["lithium"], "country:US": ["US"], "country:CL": ["Chile"]},
            url="https://news.example/feb",
            title="February",
            published=dt.date(2026, 2, 12),
        ),
        build_tagged(
            DEC,
            {"mineral:lithium": ["lithium"], "country:MX": ["Mexico"]},
            url="https://news.example/dec",
            title="December",
            published=dt.date(2025, 12, 1),
        ),
        build_tagged(
            MAR,
            {"mineral:aluminum": ["aluminium"], "country:MX": ["Mexico"]},
            url="https://news.example/mar",
            title="March",
            published=dt.date(2026, 3, 1),
            names={"mineral:aluminum": "aluminum", "country:MX": "Mexico"},
        ),
        build_tagged(
            UNDATED,
            {"mineral:lithium": ["lithium"], "country:MX": ["Mexico"]},
            url=None,
            title="Undated",
            published=None,
        ),
    ]
    for article in articles:
        ingest(migrated.sessions, article)
    return migrated


def titles(rows: list[MentionRow]) -> list[str | None]:
    return [row.article_title for row in rows]


def test_empty_database_returns_nothing(migrated: Db) -> None:
    with migrated.sessions() as session:
        assert find_mentions(session, mineral="lithium", country="MX") == []
        assert find_mentions(session) == []
        assert count_articles(session) == 0
        assert get_article_by_key(session, "https://nowhere.example/") is None


def test_mineral_in_articles_mentioning_country_since(corpus: Db) -> None:
    with corpus.sessions() as session:
        rows = find_mentions(session, mineral="lithium", country="MX", since=dt.date(2026, 1, 1))
    assert titles(rows) == ["January", "January"]
    assert {row.entity_id for row in rows} == {"mineral:lithium"}
    assert [row.mention_text for row in rows] == ["lithium", "Lithium"]
    first = rows[0]
    assert first.published == dt.date(2026, 1, 15)
    assert first.article_url == "https://news.example/jan"
    assert first.entity_type == "mineral"
    assert first.entity_name == "lithium"
    assert JAN[first.start : first.end] == "lithium"


def test_context_is_a_collapsed_window_around_the_mention(corpus: Db) -> None:
    with corpus.sessions() as session:
        rows = find_mentions(session, mineral="lithium", country="MX", since=dt.date(2026, 1, 1))
    second = rows[1]
    window = JAN[max(0, second.start - 60) : second.end + 60]
    assert second.context == " ".join(window.split())
    assert "\n" not in second.context
    assert "  " not in second.context
    assert "Lithium deposits" in second.context


def test_first_filter_selects_listed_entity(corpus: Db) -> None:
    with corpus.sessions() as session:
        rows = find_mentions(session, country="mx", mineral="lithium")
        by_country = find_mentions(session, country="mx", organization="USGS")
    assert {row.entity_id for row in rows} == {"mineral:lithium"}
    assert titles(rows) == ["January", "January", "December", "Undated"]
    assert {row.entity_id for row in by_country} == {"country:MX"}
    assert titles(by_country) == ["January", "January"]


def test_without_filters_lists_everything_newest_first(corpus: Db) -> None:
    with corpus.sessions() as session:
        rows = find_mentions(session)
        limited = find_mentions(session, limit=3)
    assert titles(rows)[0] == "March"
    assert titles(rows)[-1] == "Undated"
    assert rows[:3] == limited


def test_until_and_since_bound_publication(corpus: Db) -> None:
    with corpus.sessions() as session:
        rows = find_mentions(
            session,
            mineral="mineral:lithium",
            since=dt.date(2026, 1, 1),
            until=dt.date(2026, 1, 31),
        )
    assert set(titles(rows)) == {"January"}


@pytest.mark.parametrize(
    ("kwargs", "entity_id"),
    [
        ({"mineral": "Lithium"}, "mineral:lithium"),
        ({"mineral": "mineral:lithium"}, "mineral:lithium"),
        ({"mineral": "Rare Earth Elements"}, "mineral:rare-earth-elements"),
        ({"mineral": "aluminium"}, "mineral:aluminum"),
        ({"mineral": "Aluminium"}, "mineral:aluminum"),
        ({"country": "MX"}, "country:MX"),
        ({"country": "country:mx"}, "country:MX"),
        ({"country": "Chile"}, "country:CL"),
        ({"organization": "USGS"}, "organization:usgs"),
        ({"person": "Marcelo Ebrard"}, "person:marcelo-ebrard"),
    ],
)
def test_filter_values_resolve(corpus: Db, kwargs: dict[str, str], entity_id: str) -> None:
    with corpus.sessions() as session:
        rows = find_mentions(session, **kwargs)  # type: ignore[arg-type]
    assert rows
    assert {row.entity_id for row in rows} == {entity_id}


def test_unknown_entity_matches_nothing(corpus: Db) -> None:
    with corpus.sessions() as session:
        assert find_mentions(session, mineral="unobtainium") == []
        assert find_mentions(session, mineral="lithium", country="ZZ") == []
        assert resolve_entity(session, "mineral", "unobtainium") == ["mineral:unobtainium"]


def test_normalize_entity_id() -> None:
    assert normalize_entity_id("country", " mx ") == "country:MX"
    assert normalize_entity_id("country", "Mexico") == "country:mexico"
    assert normalize_entity_id("mineral", "Rare earth elements") == "mineral:rare-earth-elements"
    assert normalize_entity_id("person", "Édgar Amador Zamora") == "person:edgar-amador-zamora"
    assert normalize_entity_id("mineral", "MINERAL:Lithium") == "mineral:lithium"
