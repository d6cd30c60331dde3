"""Property tests: tagging arbitrary text never raises, and offsets slice the text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.tagger import Tagger
from pipeline.records import Article
from pipeline.stages import Analyzer

# Words the gazetteers and patterns react to, mixed with arbitrary text and punctuation.
VOCABULARY = [
    "lead",
    "Lead",
    "leading",
    "US",
    "us",
    "U.S.",
    "U.S.-Mexico",
    "Mexico",
    "México",
    "Minister",
    "of",
    "Finance",
    "Édgar",
    "Amador",
    "Zamora",
    "rare",
    "earth",
    "elements",
    "metallurgical",
    "coal",
    "gold",
    "standard",
    "New",
    "USGS",
    "Geological",
    "Survey",
    "secretario",
    "de",
    "Economía",
    ",",
    "’s",
    "'s",
    "-",
    "\n",
    "  ",
    "By",
    "Photo",
    "by:",
    "President",
    "Trump",
    "lithium",
    "European",
    "North",
    "American",
    "iron",
    "out",
    "the",
    *"export ban meeting talks producer reserves not he it On Nov. 6 In 2024 agreed".split(),
    *"imported 80% next that which .".split(),
]
WORDS = st.one_of(st.sampled_from(VOCABULARY), st.text(min_size=1, max_size=12))
TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(WORDS, max_size=60).map(" ".join),
)
HYPOTHESIS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _check_offsets(tagger: Tagger, text: str) -> None:
    tagged = tagger.tag_article(Article(source="prop", text=text))
    for entity in tagged.entities:
        assert entity.mentions, entity
        for mention in entity.mentions:
            assert 0 <= mention.start < mention.end <= len(text)
            assert text[mention.start : mention.end] == mention.text


@HYPOTHESIS
@given(text=TEXTS)
def test_blank_tagging_never_raises_and_offsets_slice_the_text(
    blank_tagger: Tagger, text: str
) -> None:
    _check_offsets(blank_tagger, text)


@HYPOTHESIS
@given(text=TEXTS)
def test_model_tagging_never_raises_and_offsets_slice_the_text(tagger: Tagger, text: str) -> None:
    _check_offsets(tagger, text)


@HYPOTHESIS
@given(text=TEXTS)
def test_events_never_raise_and_point_into_the_text(analyzer: Analyzer, text: str) -> None:
    """Events of arbitrary text: no error, no hang (a verbless sentence once looped
    forever), sentences that slice the text, participants among the article's entities."""
    article = Article(source="prop", text=text, language="en")
    tagged, doc = analyzer.tagger.tag_one_with_doc(article)
    analyzed = analyzer.events.extract(tagged, doc)
    entity_ids = {entity.id for entity in tagged.entities}
    for event in analyzed.events:
        assert text[event.start : event.end] == event.sentence
        assert set(event.participants) <= entity_ids
