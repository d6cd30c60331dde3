"""Issue 11: entities that hold on real news. Every sentence here was written for this
test; each class is tested both ways (what must be tagged and what must not)."""

from __future__ import annotations

import pytest

from extractors.tagger import Tagger
from pipeline.output import entity_json
from pipeline.records import Article, Entity, TaggedArticle


@pytest.fixture(params=["model", "blank"])
def any_tagger(request: pytest.FixtureRequest) -> Tagger:
    name = "tagger" if request.param == "model" else "blank_tagger"
    tagger: Tagger = request.getfixturevalue(name)
    return tagger


def tag(tagger: Tagger, text: str) -> TaggedArticle:
    return tagger.tag_article(Article(source="test", text=text, language="en"))


def entity(tagged: TaggedArticle, entity_id: str) -> Entity | None:
    return next((e for e in tagged.entities if e.id == entity_id), None)


def texts(tagged: TaggedArticle, entity_id: str) -> list[str]:
    found = entity(tagged, entity_id)
    return [m.text for m in found.mentions] if found else []


def test_dateline_is_a_place_and_the_agency_the_source(any_tagger: Tagger) -> None:
    tagged = tag(any_tagger, "LUSAKA, May 2 (Reuters) - Copper output rose in Zambia.")
    assert texts(tagged, "place:lusaka-zm") == ["LUSAKA"]
    reuters = entity(tagged, "organization:reuters")
    assert reuters is not None
    assert reuters.attribution
    assert not any(e.type == "organization" and "LUSAKA" in e.name for e in tagged.entities)


def test_places_imply_their_country_only_when_it_is_not_named(any_tagger: Tagger) -> None:
    tagged = tag(any_tagger, "Drilling near Kalgoorlie resumed after rain in Queensland.")
    australia = entity(tagged, "country:AU")
    assert australia is not None
    assert australia.implied
    assert australia.mentions == ()
    assert set(australia.implied_by) == {"place:kalgoorlie-au", "place:queensland-au"}
    data = entity_json(australia)
    assert data["implied"] is True
    assert data["mentions"] == []
    named = tag(any_tagger, "Drilling near Kalgoorlie resumed, Australia's miners said.")
    country = entity(named, "country:AU")
    assert country is not None
    assert not country.implied


def test_ambiguous_place_names_need_a_place_cue(any_tagger: Tagger) -> None:
    assert texts(tag(any_tagger, "The port in Mobile shipped coal."), "place:mobile-us")
    assert not texts(tag(any_tagger, "Mobile phones use cobalt."), "place:mobile-us")
    assert not texts(
        tag(any_tagger, "Reading the report, traders sold nickel."), "place:reading-gb"
    )
    assert not any(
        e.type == "place" for e in tag(any_tagger, "Victoria Ashdown said copper fell.").entities
    )


def test_a_place_name_inside_a_person_name_is_not_a_place(any_tagger: Tagger) -> None:
    tagged = tag(
        any_tagger, "Union leader Ramón Santiago Pereda said the strike at the mine goes on."
    )
    assert not texts(tagged, "place:santiago-cl")


def test_companies_by_suffix_and_trade_word(any_tagger: Tagger) -> None:
    tagged = tag(any_tagger, "Brackenridge Lithium Corp. and Tolvane Minerals signed a deal.")
    assert texts(tagged, "organization:brackenridge-lithium") == ["Brackenridge Lithium Corp"]
    assert texts(tagged, "organization:tolvane-minerals") == ["Tolvane Minerals"]
    later = tag(
        any_tagger, "Ostrander Copper Ltd raised funds. Ostrander said drilling starts soon."
    )
    assert texts(later, "organization:ostrander-copper") == ["Ostrander Copper Ltd", "Ostrander"]


def test_all_caps_and_generic_words_are_no_company(any_tagger: Tagger) -> None:
    tagged = tag(any_tagger, "LITHIUM MINERS TRIM OUTPUT\nTwo gold producers cut costs.")
    assert not [e for e in tagged.entities if e.type == "organization"]
    ministry = tag(any_tagger, "The Ministry of Energy and Mineral Resources issued permits.")
    assert not texts(ministry, "organization:mineral-resources")


def test_wire_tickers_lose_their_brackets(any_tagger: Tagger) -> None:
    tagged = tag(any_tagger, "Shares of <Rio Tinto> rose 2 pct to 61.20 dlrs.")
    assert texts(tagged, "organization:rio-tinto") == ["Rio Tinto"]


def test_sites_by_gazetteer_and_pattern(any_tagger: Tagger) -> None:
    tagged = tag(
        any_tagger,
        "Output at the Kamoa-Kakula mine rose, and the Verdemont copper-gold project advanced.",
    )
    assert texts(tagged, "site:kamoa-kakula") == ["Kamoa-Kakula"]
    assert texts(tagged, "site:verdemont") == ["Verdemont"]
    site = entity(tagged, "site:kamoa-kakula")
    assert site is not None
    assert site.country == "country:CD"
    assert site.operator
    assert entity(tagged, "country:CD") is not None  # implied
    bare = tag(any_tagger, "The mine restarted after the project was approved.")
    assert not [e for e in bare.entities if e.type == "site"]


def test_common_word_metals_in_mineral_use(any_tagger: Tagger) -> None:
    tagged = tag(
        any_tagger,
        "Silver tends to trail gold, and the gold-silver ratio widened. Tin prices fell.",
    )
    assert len(texts(tagged, "mineral:gold")) == 2
    assert len(texts(tagged, "mineral:silver")) == 2
    assert texts(tagged, "mineral:tin") == ["Tin"]
    idioms = tag(any_tagger, "The deal was the gold standard and a silver lining for us.")
    assert not texts(idioms, "mineral:gold")
    assert not texts(idioms, "mineral:silver")


def test_commodity_forms_keep_the_form(any_tagger: Tagger) -> None:
    tagged = tag(any_tagger, "Lithium carbonate and APT prices rose while MHP output fell.")
    lithium = entity(tagged, "mineral:lithium")
    assert lithium is not None
    assert lithium.mentions[0].form == "Lithium carbonate"
    assert texts(tagged, "mineral:tungsten") == ["APT"]
    assert texts(tagged, "mineral:nickel") == ["MHP"]
    assert not texts(tag(any_tagger, "It was an apt remark."), "mineral:tungsten")


def test_steel_and_iron(any_tagger: Tagger) -> None:
    tagged = tag(any_tagger, "Rebar and steel imports rose; mills need clean iron units.")
    assert texts(tagged, "mineral:steel") == ["Rebar", "steel"]
    assert texts(tagged, "mineral:iron") == ["iron"]
    company = tag(any_tagger, "Nippon Steel bought United States Steel last year.")
    assert not texts(company, "mineral:steel")
    assert texts(company, "organization:us-steel") == ["United States Steel"]


def test_exchange_codes_in_parentheses_are_no_entities(any_tagger: Tagger) -> None:
    tagged = tag(any_tagger, "Brackenridge Lithium Corp (TSX: BLC / OTCQX: BRKLF) drilled.")
    organizations = {e.id for e in tagged.entities if e.type == "organization"}
    assert organizations == {"organization:brackenridge-lithium"}


def test_acronyms_and_short_site_names_refer_back(any_tagger: Tagger) -> None:
    text = (
        "The Ministry of Mines and Energy of Brazil (MME) backed the Verdemont copper project. "
        "MME said drilling at Verdemont resumes."
    )
    tagged = tag(any_tagger, text)
    assert texts(tagged, "organization:brazil-ministry-of-mines-and-energy")[1:] == ["MME", "MME"]
    assert texts(tagged, "site:verdemont") == ["Verdemont", "Verdemont"]


def test_congo_is_the_drc_and_hyphenated_names_stay_whole(any_tagger: Tagger) -> None:
    tagged = tag(any_tagger, "KINSHASA, May 2 (AP) - Congo cut cobalt exports.")
    assert texts(tagged, "country:CD") == ["Congo"]
    assert texts(tagged, "place:kinshasa-cd") == ["KINSHASA"]
    named = tag(any_tagger, "Mines Minister Fenella Ashcombe-Reid said. Ashcombe-Reid added more.")
    people = {e.id: [m.text for m in e.mentions] for e in named.entities if e.type == "person"}
    assert people == {"person:fenella-ashcombe-reid": ["Fenella Ashcombe-Reid", "Ashcombe-Reid"]}
