"""Events in the store on real SQLite and PostgreSQL: participants, clusters, queries,
and reviews that reprocessing never overwrites."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from models.event_queries import find_events, review_event
from models.schema import EventModel, EventParticipantModel, EventReviewModel
from models.store import ingest
from pipeline.errors import InputRejected
from pipeline.records import AnalyzedArticle
from pipeline.stages import Analyzer
from tests.conftest import PAGES, SEEDS
from tests.plugins.db import Db


@pytest.fixture(scope="module")
def seeds(analyzer: Analyzer) -> list[AnalyzedArticle]:
    outcomes = list(analyzer.analyze([str(PAGES / f"{s}.html") for s in SEEDS]))
    return [o.analyzed for o in outcomes if o.analyzed is not None]


def _count(db: Db, model: type[EventModel] | type[EventParticipantModel]) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_events_and_participants_are_stored_once(
    migrated: Db, seeds: list[AnalyzedArticle]
) -> None:
    for analyzed in seeds:
        assert ingest(migrated.sessions, analyzed).status == "new"
    events = _count(migrated, EventModel)
    assert events == sum(len(a.events) for a in seeds) == 12
    participants = _count(migrated, EventParticipantModel)
    assert participants == sum(len(set(e.participants)) for a in seeds for e in a.events)
    for analyzed in seeds:
        assert ingest(migrated.sessions, analyzed).status == "unchanged"
    assert (_count(migrated, EventModel), _count(migrated, EventParticipantModel)) == (
        events,
        participants,
    )


def test_find_events_filters(migrated: Db, seeds: list[AnalyzedArticle]) -> None:
    for analyzed in seeds:
        ingest(migrated.sessions, analyzed)
    with migrated.sessions() as session:
        rows = find_events(session, type_="production", entities={"mineral": "lithium"})
        assert [r.sentence[:30] for r in rows] == ["Mexico is not listed as a prod"]
        assert rows[0].participants == ("mineral:lithium", "country:MX")
        meetings = find_events(session, type_="meeting", entities={"country": "JP"})
        assert len(meetings) == 2
        policy = find_events(session, entities={"organization": "usgs", "country": "us"})
        assert [r.date.isoformat() if r.date else None for r in policy] == ["2025-11-06"]
        assert all(r.state == "new" for r in meetings)


def test_a_review_survives_reprocessing(migrated: Db, seeds: list[AnalyzedArticle]) -> None:
    mnd = seeds[1]
    ingest(migrated.sessions, mnd)
    with migrated.sessions.begin() as session:
        (meeting,) = find_events(session, type_="meeting")
        review_event(session, meeting.id, state="confirmed", reviewer="ana", note="checked")
    newer = dataclasses.replace(mnd, events_version="minewatch-events/999")
    assert ingest(migrated.sessions, newer).status == "retagged"
    with migrated.sessions() as session:
        (again,) = find_events(session, type_="meeting")
        assert again.id == meeting.id  # updated in place: the id analysts use stays
        assert (again.state, again.reviewer) == ("confirmed", "ana")
        stored = session.scalar(select(EventModel).where(EventModel.id == again.id))
        assert stored is not None
        assert stored.events_version == "minewatch-events/999"
        assert session.scalar(select(func.count()).select_from(EventReviewModel)) == 1
        assert find_events(session, state="confirmed")[0].id == again.id
        assert len(find_events(session, state="new")) == len(mnd.events) - 1


def test_a_correction_needs_its_fields(migrated: Db, seeds: list[AnalyzedArticle]) -> None:
    ingest(migrated.sessions, seeds[0])
    with migrated.sessions.begin() as session:
        event_id = find_events(session)[0].id
        with pytest.raises(InputRejected, match="needs --correction"):
            review_event(session, event_id, state="corrected", reviewer="ana")
        with pytest.raises(InputRejected, match="no event with id 999999"):
            review_event(session, 999999, state="confirmed", reviewer="ana")


def test_the_same_claim_in_a_syndicated_copy_joins_one_cluster(
    migrated: Db, seeds: list[AnalyzedArticle]
) -> None:
    original = seeds[1]
    copy_article = dataclasses.replace(original.article, url="https://syndicated.example/mnd-copy")
    copy = dataclasses.replace(
        original, tagged=dataclasses.replace(original.tagged, article=copy_article)
    )
    ingest(migrated.sessions, original)
    ingest(migrated.sessions, copy)
    with migrated.sessions() as session:
        rows = session.execute(
            select(
                EventModel.cluster_id, func.count(func.distinct(EventModel.article_id))
            ).group_by(EventModel.cluster_id)
        ).all()
    assert {articles for _, articles in rows} == {2}
    # "not listed as a producer of rare earth elements" twice in one article: one cluster
    assert len(rows) == len(original.events) - 1
