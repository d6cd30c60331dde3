"""Events stated the ways real coverage states them (issue 12): policy through its
instrument, prices in market verbs, production and trade figures, agreements and
investments through their effect, disruptions described, references to the sentence
before, and the look-alikes that are no event. Every sentence is written here."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.event_dates import find_date
from pipeline.records import AnalyzedArticle, Article
from pipeline.stages import Analyzer

PUBLISHED = dt.date(2026, 3, 5)


def analyze(analyzer: Analyzer, text: str, language: str = "en") -> AnalyzedArticle:
    article = Article(source="test", text=text, published=PUBLISHED, language=language)
    return analyzer.events.extract(*analyzer.tagger.tag_one_with_doc(article))


def types(analyzed: AnalyzedArticle) -> list[str]:
    return sorted({e.type for e in analyzed.events})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # policy through its instrument
        ("The new quota caps copper concentrate shipments at 40,000 tonnes a year.", "policy"),
        ("A 3% levy now applies to every cargo of bauxite leaving Conakry.", "policy"),
        ("From July, smelters must buy a fifth of their tin ore from local miners.", "policy"),
        ("The regulator revoked the licences of 12 cobalt traders on Friday.", "policy"),
        ("Ghana will set up a commission to audit all lithium leases.", "policy"),
        ("Santiago will build up a strategic stockpile of copper cathode.", "policy"),
        # prices in market language
        ("Spot palladium slipped 2.3% to $1,040 an ounce in London.", "price"),
        ("Palladium touched an all-time high of $3,400 an ounce on Thursday.", "price"),
        ("Benchmark zinc settled 1.1% higher at $2,915.", "price"),
        ("Battery-grade lithium carbonate is changing hands at 81,000 yuan a tonne.", "price"),
        ("Analysts expect copper to average $10,800 a tonne this year.", "price"),
        # production and trade figures
        ("Bolivia shipped 410 tonnes of tin to Malaysia in January.", "production"),
        ("Peru supplies about a tenth of the world's zinc.", "production"),
        ("The refinery will process 60,000 tonnes of copper concentrate a year.", "production"),
        # agreements without the word
        ("Orano will deliver 2,000 tonnes of uranium a year to the utility.", "agreement"),
        ("The trader inked a three-year contract for 30,000 tonnes of manganese ore.", "agreement"),
        # investment through its effect
        ("The miner raised C$85 million in a bought deal to fund drilling.", "investment"),
        ("The fund will spend $300 million on a new graphite anode plant.", "investment"),
        # disruptions described
        (
            "About 1,200 workers at the Chuquicamata copper mine downed tools on Monday.",
            "disruption",
        ),
        (
            "Rescuers are trying to reach 14 miners trapped underground at the gold mine.",
            "disruption",
        ),
        ("Villagers set up roadblocks on the haul road to the lithium mine.", "disruption"),
        # meetings that took place or are scheduled
        ("The mines minister will meet the Chamber of Mines in Lusaka on Friday.", "meeting"),
    ],
)
def test_each_class_is_found(analyzer: Analyzer, text: str, expected: str) -> None:
    assert expected in types(analyze(analyzer, text)), analyze(analyzer, text).events


@pytest.mark.parametrize(
    "text",
    [
        "The union called for talks with the company over the copper bonus.",
        "Speaking at a lithium conference in Perth, the chief executive was upbeat.",
        "The chairman told reporters after a board meeting that cobalt demand was soft.",
        "Shares of the nickel miner fell 4% in Toronto.",
        "Lobby groups urged the government to ban exports of raw bauxite.",
    ],
)
def test_look_alikes_are_no_event(analyzer: Analyzer, text: str) -> None:
    assert analyze(analyzer, text).events == ()


def test_a_price_takes_its_mineral_from_the_sentence_before(analyzer: Analyzer) -> None:
    text = (
        "Cobalt demand from battery makers picked up in February. "
        "Prices are up 25% this year, traders said."
    )
    (event,) = [e for e in analyze(analyzer, text).events if e.type == "price"]
    assert event.minerals == ("mineral:cobalt",)
    assert event.sentence.startswith("Prices are up")


def test_a_price_of_nothing_named_is_no_event(analyzer: Analyzer) -> None:
    assert (
        analyze(analyzer, "The index rose 2% on Tuesday. Prices are up 25% this year.").events == ()
    )


def test_a_reference_with_a_new_figure_is_a_new_claim(analyzer: Analyzer) -> None:
    text = (
        "Zambia raised the royalty on copper to 10 percent in January. "
        "The royalty climbs to 12 percent from 2027."
    )
    policies = [e for e in analyze(analyzer, text).events if e.type == "policy"]
    assert len(policies) == 2


def test_a_reported_decision_is_a_claim(analyzer: Analyzer) -> None:
    text = "Zimbabwe said it would stop issuing export permits for lithium ore in October."
    assert "policy" in types(analyze(analyzer, text))


def test_ruled_out_is_a_negative_policy(analyzer: Analyzer) -> None:
    text = "The regulator ruled out raising the cobalt export quota this year."
    (event,) = [e for e in analyze(analyzer, text).events if e.type == "policy"]
    assert event.polarity == "negative"


def test_a_dateline_cut_off_by_its_dash_stays_with_its_sentence(analyzer: Analyzer) -> None:
    text = "PERTH, 27 January 2026 —\nArdent Lithium signed an offtake with a Korean cathode maker."
    (event,) = analyze(analyzer, text).events
    assert event.sentence.startswith("PERTH, 27 January 2026")


def test_spanish_market_verbs_and_blockades(analyzer: Analyzer) -> None:
    text = (
        "El cobre subió 1,4% en la Bolsa de Metales de Londres. "
        "Los comuneros bloquean la vía de acceso a la mina desde el lunes."
    )
    assert types(analyze(analyzer, text, language="es")) == ["disruption", "price"]


def test_keys_stay_for_unchanged_sentences(analyzer: Analyzer) -> None:
    first = "Copper edged up 0.4% to $10,418 a tonne. Nickel fell 1.2% to $16,480."
    second = "Copper edged up 0.4% to $10,418 a tonne. Nickel fell 2.5% to $16,100."
    keys = {e.sentence: e.key for e in analyze(analyzer, first).events}
    again = {e.sentence: e.key for e in analyze(analyzer, second).events}
    copper = "Copper edged up 0.4% to $10,418 a tonne."
    assert keys[copper] == again[copper]
    assert len(keys) == len(again) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Output fell last year.", "2025-01-01/year"),
        ("Prices are up 9% this year.", "2026-01-01/year"),
        ("The cobalt was assessed at $24 a pound last week.", "2026-02-01/month"),
        ("The mine has run at half rate since last September.", "2025-09-01/month"),
        ("The royalty rises to 12 percent from 2027.", "2027-01-01/year"),
        ("Output in the first quarter of 2026 reached 241,300 tonnes.", "2026-01-01/year"),
        ("El cobre subió este miércoles 1,3%.", "2026-03-04/day"),
        ("Mexico Business News reported last week that talks resumed.", "none"),
    ],
)
def test_relative_dates(text: str, expected: str) -> None:
    found = find_date(text, PUBLISHED)
    assert (f"{found.date}/{found.precision}" if found else "none") == expected


def test_a_market_move_without_a_date_is_the_trading_day(analyzer: Analyzer) -> None:
    (event,) = analyze(analyzer, "Palladium jumped 3.4% to $1,184 an ounce in London.").events
    assert (event.date, event.date_precision) == (PUBLISHED, "day")


def test_a_passive_instrument_is_its_verbs_object(analyzer: Analyzer) -> None:
    text = "Export licences of 38 cobalt traders were revoked on Friday."
    assert "policy" in types(analyze(analyzer, text))


def test_a_passive_reference_is_no_new_agreement(analyzer: Analyzer) -> None:
    text = (
        "Zambia and Angola signed a memorandum of understanding on copper. "
        "The memorandum was signed in Luanda by the two mines ministers."
    )
    assert [e.type for e in analyze(analyzer, text).events] == ["agreement"]
