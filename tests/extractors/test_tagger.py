"""The hard cases of DESIGN.md, with the statistical model and with rules only."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.tagger import Tagger
from pipeline.records import Article, TaggedArticle


@pytest.fixture(params=["model", "blank"])
def any_tagger(request: pytest.FixtureRequest) -> Tagger:
    name = "tagger" if request.param == "model" else "blank_tagger"
    tagger: Tagger = request.getfixturevalue(name)
    return tagger


def tag(tagger: Tagger, text: str, **fields: object) -> TaggedArticle:
    return tagger.tag_article(Article(source="test", text=text, **fields))  # type: ignore[arg-type]


def mentions(tagged: TaggedArticle, entity_id: str) -> list[str]:
    for entity in tagged.entities:
        if entity.id == entity_id:
            return [m.text for m in entity.mentions]
    return []


def ids(tagged: TaggedArticle) -> set[str]:
    return {e.id for e in tagged.entities}


def test_lead_the_metal_and_lead_the_verb(any_tagger: Tagger) -> None:
    text = (
        "Mexico is among the leading producers of zinc. Lead is essential for batteries. "
        "Higher rates could lead to delays. Antimony is used in lead-acid batteries."
    )
    tagged = tag(any_tagger, text)
    assert mentions(tagged, "mineral:lead") == ["Lead", "lead"]
    spans = [
        (m.start, m.end) for e in tagged.entities for m in e.mentions if e.id == "mineral:lead"
    ]
    assert [text[s:e] for s, e in spans] == ["Lead", "lead"]
    assert spans[1][0] == text.index("lead-acid")


def test_idioms_are_not_minerals(any_tagger: Tagger) -> None:
    text = (
        "The audit sets the gold standard for disclosure, a silver lining for investors. "
        "Negotiators must iron out their differences before Peru takes the lead in talks."
    )
    tagged = tag(any_tagger, text)
    assert not {i for i in ids(tagged) if i.startswith("mineral:")}


def test_minerals_in_a_mining_context_are_kept(any_tagger: Tagger) -> None:
    tagged = tag(any_tagger, "Gold prices rose while silver and tin output fell at the mine.")
    assert {"mineral:gold", "mineral:silver", "mineral:tin"} <= ids(tagged)


def test_us_the_country_and_us_the_pronoun(any_tagger: Tagger) -> None:
    tagged = tag(any_tagger, "“Join us,” the US envoy told us. LET US KNOW what the U.S. decides.")
    assert mentions(tagged, "country:US") == ["US", "U.S."]


def test_regional_adjectives_are_not_countries(any_tagger: Tagger) -> None:
    tagged = tag(
        any_tagger, "European buyers and North American supply chains need Mexican copper."
    )
    assert {i for i in ids(tagged) if i.startswith("country:")} == {"country:MX"}


def test_new_mexico_is_not_mexico(any_tagger: Tagger) -> None:
    tagged = tag(any_tagger, "A lithium project in New Mexico drew investors from Mexico.")
    assert mentions(tagged, "country:MX") == ["Mexico"]


def test_aliases_resolve_to_one_canonical_id(any_tagger: Tagger) -> None:
    text = (
        "Aluminium and aluminum, fluorite and fluorspar, rare earths and REE are listed; "
        "México and Estados Unidos signed, as did the United States."
    )
    tagged = tag(any_tagger, text)
    assert mentions(tagged, "mineral:aluminum") == ["Aluminium", "aluminum"]
    assert mentions(tagged, "mineral:fluorspar") == ["fluorite", "fluorspar"]
    assert mentions(tagged, "mineral:rare-earth-elements") == ["rare earths", "REE"]
    assert mentions(tagged, "country:MX") == ["México"]
    assert mentions(tagged, "country:US") == ["Estados Unidos", "United States"]


def test_metallurgical_coal_is_not_coal(any_tagger: Tagger) -> None:
    tagged = tag(any_tagger, "The list adds metallurgical coal and potash.")
    assert mentions(tagged, "mineral:metallurgical-coal") == ["metallurgical coal"]
    assert "mineral:coal" not in ids(tagged)


def test_surname_resolves_to_the_person_named_before(any_tagger: Tagger) -> None:
    text = (
        "Minister of Finance Édgar Amador met peers in Washington. "
        "According to Zamora, talks went well."
    )
    tagged = tag(any_tagger, text, published=dt.date(2026, 1, 15))
    person = next(e for e in tagged.entities if e.id == "person:edgar-amador-zamora")
    assert [m.text for m in person.mentions] == ["Édgar Amador", "Zamora"]
    assert person.official
    assert person.roles[0].country == "country:MX"


def test_surname_before_the_full_name_is_not_resolved(any_tagger: Tagger) -> None:
    tagged = tag(any_tagger, "Zamora is a city. Later, Édgar Amador spoke about copper output.")
    assert mentions(tagged, "person:edgar-amador-zamora") == ["Édgar Amador"]


def test_titled_officials_found_by_pattern(any_tagger: Tagger) -> None:
    text = (
        "Lucía Ferrandis Ortega, Peru's energy and mines minister, met Chile's Mining Minister "
        "Tomás Quiroga Lema. «Vamos a invertir», dijo el secretario de Economía Andrés Villalobos. "
        "Ortega said copper output would rise."
    )
    tagged = tag(any_tagger, text)
    people = {e.id: e for e in tagged.entities if e.type == "person"}
    ortega = people["person:lucia-ferrandis-ortega"]
    assert [m.text for m in ortega.mentions] == ["Lucía Ferrandis Ortega", "Ortega"]
    assert ortega.official
    assert ortega.roles[0].country == "country:PE"
    assert people["person:tomas-quiroga-lema"].roles[0].country == "country:CL"
    assert people["person:andres-villalobos"].roles[0].title == "secretario de Economía"


def test_byline_and_photo_credit_are_not_mentions(any_tagger: Tagger) -> None:
    text = "By Paloma Duran\nPhoto by: Gobierno de México\nCopper output in Chile rose 3%."
    tagged = tag(any_tagger, text, authors=("Paloma Duran",))
    assert ids(tagged) == {"mineral:copper", "country:CL"}


def test_author_named_in_the_body_is_not_a_mentioned_person(tagger: Tagger) -> None:
    text = "Paloma Duran reports that lithium demand in Mexico keeps growing fast."
    tagged = tag(tagger, text, authors=("Paloma Duran",))
    assert not [e for e in tagged.entities if e.type == "person"]


def test_model_names_minerals_as_persons_but_the_gazetteer_wins(tagger: Tagger) -> None:
    tagged = tag(tagger, "Graphite is used in batteries. Antimony is used in flame retardants.")
    assert {e.type for e in tagged.entities} == {"mineral"}


def test_model_finds_organizations_the_gazetteer_lacks(tagger: Tagger) -> None:
    # no legal suffix and no trade word: only the model knows it ("Zinctech Holdings"
    # is now found by the company pattern, extractors/companies.py)
    text = "Shares of Zinctech Partners rose after the company bought a zinc mine in Peru."
    tagged = tag(tagger, text)
    assert any(e.type == "organization" and e.source == "model" for e in tagged.entities)


def test_blank_pipeline_uses_no_model(blank_tagger: Tagger) -> None:
    assert "ner" not in blank_tagger.nlp.pipe_names
    assert "blank" in blank_tagger.version


def test_batched_tagging_equals_one_by_one(tagger: Tagger) -> None:
    texts = ["Lithium in Chile.", "Lead is mined in Peru.", "USGS lists copper."]
    articles = [Article(source=str(i), text=t) for i, t in enumerate(texts)]
    assert list(tagger.tag_articles(articles)) == [tagger.tag_article(a) for a in articles]
