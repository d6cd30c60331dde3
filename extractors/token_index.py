"""Token positions found in C, not by a Python loop over every token.

The rules of issue 11 look at a few words of each article (site words, trade words,
legal suffixes, short names): iterating over a Doc in Python costs about a microsecond
per token, so they ask numpy where those words are and visit only those tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy
from spacy.attrs import IDX, LOWER, ORTH
from spacy.strings import StringStore
from spacy.tokens import Doc

_NEWLINE = re.compile("\n")


def word_hashes(words: Iterable[str]) -> numpy.ndarray:
    """The words' string hashes (the same in every vocabulary)."""
    strings = StringStore()
    return numpy.array(sorted({strings.add(w) for w in words}), dtype="uint64")


def positions_of(doc: Doc, hashes: numpy.ndarray, lower: bool = False) -> list[int]:
    """Indices of the tokens whose text (lowercased with ``lower``) is one of ``hashes``."""
    if not len(doc) or not len(hashes):
        return []
    values = doc.to_array(LOWER if lower else ORTH).astype("uint64")
    return [int(i) for i in numpy.flatnonzero(numpy.isin(values, hashes))]


def line_starts(doc: Doc, text: str) -> list[int]:
    """Indices of the first token of each line; ``text`` is ``doc.text``, which spaCy
    would rebuild from every token."""
    if not len(doc):
        return []
    chars = [0] + [m.end() for m in _NEWLINE.finditer(text)]
    offsets = doc.to_array(IDX).astype("int64")
    found = numpy.searchsorted(offsets, numpy.array(chars, dtype="int64"))
    return sorted({int(i) for i in found if i < len(doc)})
