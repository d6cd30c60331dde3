"""Event extraction: negation, dates, references across sentences, and no-event sentences."""

from __future__ import annotations

import datetime as dt
import faulthandler

import pytest

from extractors.event_dates import find_date
from pipeline.records import AnalyzedArticle, Article, Event
from pipeline.stages import Analyzer

PUBLISHED = dt.date(2026, 1, 15)


def analyze(
    analyzer: Analyzer, text: str, published: dt.date | None = PUBLISHED
) -> AnalyzedArticle:
    article = Article(source="test", text=text, published=published, language="en")
    return analyzer.events.extract(*analyzer.tagger.tag_one_with_doc(article))


def only(analyzed: AnalyzedArticle) -> Event:
    assert len(analyzed.events) == 1, analyzed.events
    return analyzed.events[0]


def test_negation_makes_a_negative_claim(analyzer: Analyzer) -> None:
    event = only(analyze(analyzer, "Mexico is not listed as a producer of rare earth elements."))
    assert (event.type, event.polarity) == ("production", "negative")
    assert event.minerals == ("mineral:rare-earth-elements",)
    assert event.countries == ("country:MX",)


def test_two_clauses_two_events_with_their_own_participants(analyzer: Analyzer) -> None:
    text = (
        "Mexico is not listed as a producer of rare earth elements, "
        "though it does have substantial untapped lithium reserves."
    )
    negative, positive = analyze(analyzer, text).events
    assert (negative.polarity, negative.minerals) == ("negative", ("mineral:rare-earth-elements",))
    assert (positive.polarity, positive.minerals) == ("positive", ("mineral:lithium",))
    assert negative.countries == positive.countries == ("country:MX",)  # "it" is Mexico


def test_month_day_resolves_to_the_latest_past_date(analyzer: Analyzer) -> None:
    text = "On Nov. 6, the US Geological Survey released the final list of critical minerals."
    event = only(analyze(analyzer, text))
    assert (event.type, event.date, event.date_precision) == ("policy", dt.date(2025, 11, 6), "day")


def test_a_year_is_a_year(analyzer: Analyzer) -> None:
    event = only(
        analyze(analyzer, "In 2024, the United States imported 80% of its rare earth needs.")
    )
    assert (event.date, event.date_precision) == (dt.date(2024, 1, 1), "year")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("On Nov. 6, officials met.", "2025-11-06/day"),
        ("The deal closed on January 20, 2025.", "2025-01-20/day"),
        ("El acuerdo se firmó el 3 de marzo de 2025.", "2025-03-03/day"),
        ("Output fell in March.", "2025-03-01/month"),
        ("Ministers met on Tuesday.", "2026-01-13/day"),
        ("Executive Order 13817 and its 2026 term", "none"),
        ("Prices may 5% rise", "none"),
    ],
)
def test_dates_resolve_against_the_publication_date(text: str, expected: str) -> None:
    found = find_date(text, PUBLISHED)
    assert (f"{found.date}/{found.precision}" if found else "none") == expected


def test_future_dates_resolve_forward() -> None:
    found = find_date(
        "The next meeting will be held in September.", dt.date(2026, 5, 6), future=True
    )
    assert found is not None
    assert found.date == dt.date(2026, 9, 1)


def test_a_definite_reference_without_an_earlier_event_is_an_event(analyzer: Analyzer) -> None:
    event = only(analyze(analyzer, "The talks between Peru and Chile focused on copper."))
    assert (event.type, event.countries) == ("meeting", ("country:PE", "country:CL"))


def test_a_reference_adds_participants_to_the_earlier_event(analyzer: Analyzer) -> None:
    text = (
        "Minister of Finance Édgar Amador participated in a high-level meeting in Washington. "
        "In addition to Mexico, the meeting included ministers from Australia and Canada. "
        "During the meeting, participants said lithium and cobalt are critical."
    )
    event = only(analyze(analyzer, text))
    assert event.type == "meeting"
    assert event.sentence.startswith("Minister of Finance")
    assert event.persons == ("person:edgar-amador-zamora",)
    assert event.countries == ("country:MX", "country:AU", "country:CA")
    assert event.minerals == ()  # "During the meeting" only sets the scene


def test_a_pronoun_continues_the_previous_event(analyzer: Analyzer) -> None:
    text = (
        "Minister of Finance Édgar Amador attended a meeting in Washington. "
        "According to Zamora, he engaged in discussions with the United States."
    )
    assert only(analyze(analyzer, text)).countries == ("country:US",)


def test_the_next_meeting_is_another_meeting(analyzer: Analyzer) -> None:
    text = (
        "Chile and Peru held a meeting on copper data. The next meeting will take place in Bolivia."
    )
    first, second = analyze(analyzer, text).events
    assert first.countries == ("country:CL", "country:PE")
    assert second.countries == ("country:BO",)


@pytest.mark.parametrize(
    "text",
    [
        "Copper is widely used in electrical wiring and cables due to its high conductivity.",
        "Lead is essential for the production of batteries, ammunition, glass and ceramics.",
        "Disruptions in these minerals would impose the greatest cost on the US economy.",
        "The USGS values these products as they fall within categories it considers vulnerable.",
        "Graphite is used in lubricants, batteries and fuel cells.",
        "De acuerdo con el comunicado, el grupo revisará el inventario.",
        "Mexico produces eight of the 60 critical minerals of interest to the U.S.",
    ],
)
def test_sentences_without_an_event(analyzer: Analyzer, text: str) -> None:
    assert analyze(analyzer, text).events == ()


def test_a_sentence_without_a_verb_still_ends(analyzer: Analyzer) -> None:
    """It once looped forever; the watchdog turns a hang into a failure with a traceback."""
    faulthandler.dump_traceback_later(30, exit=True)
    try:
        event = only(analyze(analyzer, "The new export ban on copper."))
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert (event.type, event.minerals) == ("policy", ("mineral:copper",))


def test_a_trigger_in_a_relative_clause_is_background(analyzer: Analyzer) -> None:
    text = "Mexico produces minerals that are included in the joint action plan with the U.S."
    assert [e.type for e in analyze(analyzer, text).events] == []


def test_relative_clauses_are_not_participants(analyzer: Analyzer) -> None:
    text = (
        "Mexico is among the world’s leading producers of antimony, barite and zinc, all "
        "critical minerals that the U.S. Geological Survey (USGS) prioritizes as vital to the "
        "U.S. economy and its national security."
    )
    event = only(analyze(analyzer, text))
    assert set(event.participants) == {
        "mineral:antimony",
        "mineral:barite",
        "mineral:zinc",
        "country:MX",
    }


def test_the_reporting_outlet_is_not_a_participant(analyzer: Analyzer) -> None:
    text = (
        "Mexico Business News reported that during its term as president of the Pacific "
        "Alliance, Mexico intends to prioritize the industrialization of rare earth elements."
    )
    event = only(analyze(analyzer, text))
    assert event.type == "policy"
    assert set(event.participants) == {
        "organization:pacific-alliance",
        "country:MX",
        "mineral:rare-earth-elements",
    }


def test_without_a_parse_events_still_come_from_the_lexicon(blank_analyzer: Analyzer) -> None:
    text = "Peru and Chile signed an agreement on lithium. Copper prices rose 3% in Chile."
    types = [e.type for e in analyze(blank_analyzer, text).events]
    assert types == ["agreement", "price"]


def test_event_keys_are_stable_and_distinct(analyzer: Analyzer) -> None:
    text = (
        "Mexico is not listed as a producer of rare earth elements, "
        "though it does have substantial untapped lithium reserves."
    )
    first = analyze(analyzer, text).events
    again = analyze(analyzer, text).events
    assert [e.key for e in first] == [e.key for e in again]
    assert len({e.key for e in first}) == 2
