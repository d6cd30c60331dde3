"""Participants an event takes from the sentences before it.

"Prices are up 25% this year", "The metal is up 5.1%", "The most-traded contract settled
0.7% higher": a price claim names its mineral in the sentence before. A price event
without a mineral of its own takes the minerals of the nearest of the two sentences
before that names one, and is dropped when neither does (a price of nothing named is
no claim an analyst can use).
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

from pipeline.records import EntityType

REACH = 2  # sentences looked back
Entities = dict[int, tuple[str, EntityType]]


def minerals_in(sentence: Span, entities: Entities) -> list[str]:
    found: list[str] = []
    for token in sentence:
        entry = entities.get(token.i)
        if entry is not None and entry[1] == "mineral" and entry[0] not in found:
            found.append(entry[0])
    return found


def minerals_before(sentences: list[Span], index: int, entities: Entities) -> list[str]:
    """The minerals of the nearest earlier sentence (within ``REACH``) that names one."""
    for earlier in range(index - 1, max(-1, index - 1 - REACH), -1):
        found = minerals_in(sentences[earlier], entities)
        if found:
            return found
    return []


_TITLES = frozenset(
    "hon. dr. mr. mrs. ms. prof. gen. sen. rep. gov. lt. col. st. no. sr. sra. ing. lic.".split()
)
_DASHES = frozenset(("—", "–", "-", "--"))
MIN_WORDS = 3  # a shorter "sentence" is a heading ("Licensing"), no claim


def evidence_sentences(doc: Doc) -> list[Span]:
    """The article's sentences as an analyst reads them: a dateline cut off by its dash
    ("PERTH, 27 January 2026 —"), a sentence cut after a title ("Hon.") and a fragment
    the next line goes on from in lower case are joined to what follows."""
    merged: list[Span] = []
    pending: int | None = None
    for sentence in doc.sents:
        start = sentence.start if pending is None else pending
        if _continued(sentence):
            pending = start
            continue
        pending = None
        merged.append(doc[start : sentence.end])
    if pending is not None:
        merged.append(doc[pending : len(doc)])
    return merged


def _continued(sentence: Span) -> bool:
    words = [t for t in sentence if not t.is_space]
    if not words:
        return False
    last = words[-1]
    if last.text == "." and len(words) > 1 and f"{words[-2].lower_}." in _TITLES:
        return True  # "Hon" "." as two tokens
    following = sentence.doc[sentence.end] if sentence.end < len(sentence.doc) else None
    if following is not None and following.text[:1].islower() and following.is_alpha:
        return True
    return last.lower_ in _TITLES or (last.text in _DASHES and len(words) <= 12)


def is_heading(sentence: Span) -> bool:
    return sum(1 for t in sentence if t.is_alpha) < MIN_WORDS
