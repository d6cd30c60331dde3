"""Which sentences of an article the statistical model has to read, and for what.

The rules consult the model in a few places only (DESIGN.md, order of trust):
- the dependency parse and the tags, for event triggers (clause, subject, negation)
  and for ambiguous minerals ("lead" the verb);
- the named entities, for persons and organizations no rule knows, and for the
  names beside an official's title.

So a sentence is parsed when it holds a trigger or an ambiguous mineral. The entity
recognizer reads a sentence with an official's title whole, and elsewhere only a window
of ``NAME_CONTEXT`` tokens on each side of a capitalized word that no gazetteer entry
explains: the small English model's embedding sees 4 tokens on each side of a token
(window 1, depth 4), so inside the window its view of the name is the same as in the
whole sentence. Everything else costs only the tokenizer and the sentence recognizer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, Token

NAME_CONTEXT = 6
# Capitalized by convention, never a person or an organization by themselves.
CALENDAR_WORDS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)


@dataclass(frozen=True)
class NeedRules:
    """The rule matchers whose finds decide where the model is needed."""

    gazetteer: tuple[PhraseMatcher, ...]
    block_key: int  # the gazetteer matchers' key for blocklist phrases
    ambiguous: frozenset[str]  # lowercased ambiguous mineral aliases
    titles: Matcher
    triggers: PhraseMatcher


TokenRange = tuple[int, int]  # [start, end) in the article's tokens


@dataclass(frozen=True)
class ModelNeeds:
    """Sorted, disjoint token ranges: those to parse and those to read for entities.
    Ranges that touch are joined, so neighbouring sentences keep each other as context."""

    parse: tuple[TokenRange, ...] = ()
    entities: tuple[TokenRange, ...] = ()


def find_needs(doc: Doc, sentences: list[Span], rules: NeedRules) -> ModelNeeds:
    sentence_of = _sentence_index(doc, sentences)
    parse = {sentence_of[start] for _, start, _ in rules.triggers(doc)}
    explained: set[int] = set()
    for matcher in rules.gazetteer:
        for key, start, end in matcher(doc):
            if key == rules.block_key:
                continue
            if doc[start:end].text.lower() in rules.ambiguous:
                parse.add(sentence_of[start])
            else:
                explained.update(range(start, end))
    titled = {sentence_of[start] for _, start, _ in rules.titles(doc)}
    entities = [(s.start, s.end) for i, s in enumerate(sentences) if i in titled]
    for index, sentence in enumerate(sentences):
        if index not in titled:
            entities.extend(_name_windows(sentence, explained))
    return ModelNeeds(
        parse=_joined((sentences[i].start, sentences[i].end) for i in parse),
        entities=_joined(entities),
    )


def _sentence_index(doc: Doc, sentences: list[Span]) -> list[int]:
    index = [0] * len(doc)
    for number, sentence in enumerate(sentences):
        index[sentence.start : sentence.end] = [number] * len(sentence)
    return index


def _name_windows(sentence: Span, explained: set[int]) -> list[TokenRange]:
    """Windows around capitalized words the gazetteers do not explain: names only the
    model may know. Capitalized stop words ("The", "We") and calendar words are none."""
    return [
        (max(sentence.start, token.i - NAME_CONTEXT), min(sentence.end, token.i + NAME_CONTEXT + 1))
        for token in sentence
        if _capitalized(token)
        and token.i not in explained
        and not token.is_stop
        and token.lower_ not in CALENDAR_WORDS
    ]


def _joined(ranges: Iterable[TokenRange]) -> tuple[TokenRange, ...]:
    joined: list[TokenRange] = []
    for start, end in sorted(ranges):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return tuple(joined)


def _capitalized(token: Token) -> bool:
    return token.is_alpha and (token.is_title or (token.is_upper and len(token) > 1))
