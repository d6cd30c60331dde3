"""Issue 11 in the store: places, sites, implied countries and mineral forms, on real
SQLite and PostgreSQL (the ``db_url`` fixture runs both)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models.queries import find_mentions
from models.schema import EntityModel, MentionModel
from models.store import ingest
from pipeline.records import Article, Entity, Mention, TaggedArticle
from tests.plugins.db import Db

TEXT = "Lithium carbonate from Greenbushes left Perth on Monday."


def tagged() -> TaggedArticle:
    article = Article(
        source="test", text=TEXT, url="https://news.example/wa", published=dt.date(2026, 3, 6)
    )
    entities = (
        Entity(
            "mineral:lithium",
            "mineral",
            "lithium",
            (Mention(0, 17, "Lithium carbonate", "Lithium carbonate"),),
        ),
        Entity(
            "site:greenbushes",
            "site",
            "Greenbushes",
            (Mention(23, 34, "Greenbushes"),),
            country="country:AU",
            commodities=("mineral:lithium",),
        ),
        Entity(
            "place:perth-au", "place", "Perth", (Mention(40, 45, "Perth"),), country="country:AU"
        ),
        Entity(
            "country:AU",
            "country",
            "Australia",
            (),
            source="implied",
            implied_by=("place:perth-au", "site:greenbushes"),
        ),
    )
    return TaggedArticle(article, entities, "tagger-1")


def test_places_sites_forms_and_implied_countries_are_stored(migrated: Db) -> None:
    ingest(migrated.sessions, tagged())
    with migrated.sessions() as session:
        site = session.get(EntityModel, "site:greenbushes")
        assert site is not None
        assert site.type == "site"
        assert site.attributes["country"] == "country:AU"
        assert site.attributes["commodities"] == ["mineral:lithium"]
        rows = session.execute(
            select(
                MentionModel.entity_id, MentionModel.text, MentionModel.source, MentionModel.form
            ).order_by(MentionModel.start, MentionModel.entity_id)
        ).all()
    assert ("mineral:lithium", "Lithium carbonate", "gazetteer", "Lithium carbonate") in rows
    implied = [(r[1], r[2]) for r in rows if r[0] == "country:AU"]
    assert implied == [("Greenbushes", "implied"), ("Perth", "implied")]


def test_place_site_and_implied_country_filters(migrated: Db) -> None:
    ingest(migrated.sessions, tagged())
    with migrated.sessions() as session:
        by_place = find_mentions(session, place="Perth")
        by_site = find_mentions(session, site="site:greenbushes")
        by_country = find_mentions(session, country="au")
        nothing = find_mentions(session, site="Escondida")
    assert [r.entity_id for r in by_place] == ["place:perth-au"]
    assert [r.mention_text for r in by_site] == ["Greenbushes"]
    assert {r.mention_text for r in by_country} == {"Greenbushes", "Perth"}
    assert nothing == []
