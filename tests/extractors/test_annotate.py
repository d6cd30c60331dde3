"""``nlp.scope: needed`` runs the model only where the rules read it, and the rules
cannot tell: the fixtures come out the same as with ``document`` (tests/test_golden.py)."""

from __future__ import annotations

import pytest
from spacy.tokens import Doc

from extractors.model_needs import NAME_CONTEXT, _joined, find_needs
from extractors.pos import has_tag
from extractors.tagger import Tagger
from pipeline.config import parse_config
from pipeline.errors import ConfigError

QUIET = "Markets were quiet for most of the week, with little trading in any metal."
TRIGGER = "Chile signed an agreement on copper exports with Japan."
NAME_FAR = (
    "After a long and uneventful week with little trading on the local markets, "
    "shares rose once Brendan Okonkwo, a trader, spoke."
)


def sentence_of(doc: Doc, text: str) -> list[int]:
    start = doc.text.index(text)
    return [t.i for t in doc if start <= t.idx < start + len(text)]


def test_only_the_trigger_sentence_is_parsed(tagger: Tagger) -> None:
    doc = tagger.annotator.one(f"{QUIET} {TRIGGER}", model_applies=True)
    quiet, trigger = sentence_of(doc, QUIET), sentence_of(doc, TRIGGER)
    assert [s.text for s in doc.sents] == [QUIET, TRIGGER]
    assert not any(has_tag(doc[i]) for i in quiet)
    assert {doc[i].dep_ for i in quiet} == {"ROOT", "dep"}
    assert all(has_tag(doc[i]) for i in trigger)
    assert "nsubj" in {doc[i].dep_ for i in trigger}


def test_the_recognizer_reads_only_a_window_around_an_unknown_name(tagger: Tagger) -> None:
    doc = tagger.annotator.one(NAME_FAR, model_applies=True)
    assert [e.text for e in doc.ents] == ["Brendan Okonkwo"]
    name = doc.text.index("Brendan")
    first_read = min(t.i for t in doc if t.ent_iob_)
    assert not doc[0].ent_iob_
    assert doc[first_read].idx < name
    assert [t.idx for t in doc].index(name) - first_read == NAME_CONTEXT


def test_no_model_where_it_does_not_apply(tagger: Tagger) -> None:
    doc = tagger.annotator.one(f"{TRIGGER} {NAME_FAR}", model_applies=False)
    assert not any(has_tag(t) or t.ent_iob_ for t in doc)
    assert not doc.has_annotation("DEP")
    assert len(list(doc.sents)) == 2


def test_needs_come_from_triggers_titles_and_unknown_names(tagger: Tagger) -> None:
    text = (
        "Chile signed an agreement with Japan. The Minister of Mines Rosa Tello spoke. "
        "The week was quiet in Chile and Peru."
    )
    doc = tagger.annotator.one(text, model_applies=False)
    sentences = list(doc.sents)
    needs = find_needs(doc, sentences, tagger.annotator.rules)
    whole = [(s.start, s.end) for s in sentences]
    assert needs.parse == (whole[0],)  # "signed an agreement"; "spoke" is no trigger
    assert needs.entities == (whole[1],)  # the title; known countries and "The" need none


def test_touching_ranges_are_joined() -> None:
    assert _joined([(5, 9), (0, 3), (3, 4), (8, 12), (20, 21)]) == ((0, 4), (5, 12), (20, 21))


def test_scope_is_validated_with_its_key() -> None:
    with pytest.raises(ConfigError, match=r"nlp\.scope: Input should be 'needed' or 'document'"):
        parse_config({"nlp": {"scope": "sentence"}})
    assert parse_config({}).nlp.scope == "needed"
