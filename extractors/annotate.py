"""Run the spaCy pipeline over articles: on every sentence, or only where it is needed.

``nlp.scope`` chooses:
- ``document``: the whole pipeline over the whole text, as spaCy runs it;
- ``needed`` (the default): every text is tokenized and split into sentences (the
  pipeline's sentence recognizer, or spaCy's rule sentencizer); then the parser runs
  only on the sentences :mod:`extractors.model_needs` names for it, and the entity
  recognizer only on the token ranges it names for entities. Ranges that touch are
  processed as one piece, so a sentence keeps its neighbours as context when they are
  chosen too. The pieces' parses and entities are copied back into the article's Doc.
  In an article with any parse, a sentence the parser skipped gets a flat tree (its
  first token the root, the others attached to it with the label ``dep``) and no tags,
  so ``doc.sents`` still yields it whole; an article with none keeps the recognizer's
  sentence starts and no parse at all. A token the entity recognizer skipped has no
  entity annotation (not even "O").

Both give one Doc per text, in order. Non-English text gets no model at all in the
``needed`` scope: the rules never read an English model's guesses about it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Literal, TypeVar, cast

import numpy
from spacy.attrs import DEP, HEAD, TAG
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc, Span
from thinc.types import Ints2d

from extractors.model_needs import ModelNeeds, NeedRules, TokenRange, find_needs
from extractors.nlp import has_component, newline_sentences

Scope = Literal["needed", "document"]
_SEGMENTERS = frozenset(("senter", "sentencizer", "newline_sentences"))
_FLAT_DEP = "dep"
C = TypeVar("C")
# One article to annotate: its text, whether the statistical model may read it, and
# what the caller wants back beside its Doc (as ``nlp.pipe(..., as_tuples=True)``).
Item = tuple[str, bool, C]
Pipe = Callable[[list[Doc]], list[Doc]]


@dataclass(frozen=True)
class _Piece:
    """A token range ``[start, end)`` of one article for one model part: whole
    sentences for the parser, sentences or name windows for the recognizer."""

    article: int
    start: int
    end: int


class Annotator:
    def __init__(self, nlp: Language, scope: Scope, rules: NeedRules, batch_size: int) -> None:
        self.nlp = nlp
        self.batch_size = batch_size
        self.rules = rules
        statistical = has_component(nlp, "parser") and has_component(nlp, "ner")
        self.scope: Scope = scope if statistical else "document"
        self._segment = _segmenter(nlp, batch_size)
        self._parse = _pipe_of(nlp, _parse_components(nlp))
        self._recognize = _pipe_of(nlp, _entity_components(nlp))

    def pipe(self, items: Iterable[Item[C]]) -> Iterator[tuple[Doc, C]]:
        """One (Doc, context) per item, in order, in batches of ``batch_size``."""
        if self.scope == "document":
            pairs = ((text, context) for text, _, context in items)
            yield from self.nlp.pipe(pairs, as_tuples=True, batch_size=self.batch_size)
            return
        iterator = iter(items)
        while batch := list(islice(iterator, self.batch_size)):
            docs = self._annotate(batch)
            yield from zip(docs, (context for _, _, context in batch), strict=True)

    def one(self, text: str, model_applies: bool) -> Doc:
        return next(self.pipe([(text, model_applies, None)]))[0]

    def _annotate(self, batch: list[Item[C]]) -> list[Doc]:
        docs = self._segment([self.nlp.make_doc(text) for text, _, _ in batch])
        sentences = [list(doc.sents) for doc in docs]
        needs = [
            find_needs(doc, sents, self.rules) if model else ModelNeeds()
            for doc, sents, (_, model, _) in zip(docs, sentences, batch, strict=True)
        ]
        parse_pieces = _pieces([n.parse for n in needs])
        entity_pieces = _pieces([n.entities for n in needs])
        parsed = self._parse([_piece_doc(docs, p) for p in parse_pieces])
        recognized = self._recognize([_piece_doc(docs, p) for p in entity_pieces])
        for number, doc in enumerate(docs):
            if parses := _of(number, parse_pieces, parsed):
                _copy_parses(doc, sentences[number], parses)
            _copy_entities(doc, _of(number, entity_pieces, recognized))
        return docs


def _segmenter(nlp: Language, batch_size: int) -> Pipe:
    """The pipeline's sentence recognizer (even if disabled), or the rule sentencizer;
    then a line break ends a sentence whatever the recognizer thought."""
    recognizer = nlp.get_pipe("senter") if "senter" in nlp.component_names else Sentencizer()

    def segment(docs: list[Doc]) -> list[Doc]:
        return [newline_sentences(doc) for doc in _run(recognizer, docs, batch_size)]

    return segment


def _parse_components(nlp: Language) -> list[str]:
    """Everything but the segmenters, the recognizer and embeddings only it listens to."""
    return [
        name
        for name in nlp.pipe_names
        if name not in _SEGMENTERS and name != "ner" and _listeners(nlp, name) != {"ner"}
    ]


def _entity_components(nlp: Language) -> list[str]:
    """The recognizer and the shared embedding layers it listens to, if any."""
    return [name for name in nlp.pipe_names if name == "ner" or "ner" in _listeners(nlp, name)]


def _listeners(nlp: Language, name: str) -> set[str]:
    return set(getattr(nlp.get_pipe(name), "listening_components", ()))


def _pipe_of(nlp: Language, names: list[str]) -> Pipe:
    """The components in order, each over all the pieces of a batch of articles as one
    minibatch: in minibatches of 16, the short pieces cost the recognizer 40% more."""
    components = [nlp.get_pipe(name) for name in names]

    def run_all(docs: list[Doc]) -> list[Doc]:
        for component in components:
            docs = _run(component, docs, max(len(docs), 1))
        return docs

    return run_all


def _run(component: Callable[[Doc], Doc], docs: list[Doc], batch_size: int) -> list[Doc]:
    pipe = getattr(component, "pipe", None)
    if pipe is None:
        return [component(doc) for doc in docs]
    piped: list[Doc] = list(pipe(docs, batch_size=batch_size))
    return piped


def _pieces(ranges: list[tuple[TokenRange, ...]]) -> list[_Piece]:
    return [
        _Piece(article, start, end)
        for article, chosen in enumerate(ranges)
        for start, end in chosen
    ]


def _piece_doc(docs: list[Doc], piece: _Piece) -> Doc:
    tokens = docs[piece.article][piece.start : piece.end]
    return Doc(
        tokens.doc.vocab,
        words=[t.text for t in tokens],
        spaces=[bool(t.whitespace_) for t in tokens],
        sent_starts=[True if t.is_sent_start else None for t in tokens],
    )


def _of(article: int, pieces: list[_Piece], docs: list[Doc]) -> list[tuple[int, Doc]]:
    return [(p.start, d) for p, d in zip(pieces, docs, strict=True) if p.article == article]


def _copy_parses(doc: Doc, sentences: list[Span], parsed: list[tuple[int, Doc]]) -> None:
    heads = numpy.zeros(len(doc), dtype="int64")
    deps = numpy.full(len(doc), doc.vocab.strings.add(_FLAT_DEP), dtype="uint64")
    tags = numpy.zeros(len(doc), dtype="uint64")
    for sentence in sentences:
        heads[sentence.start : sentence.end] = sentence.start - numpy.arange(
            sentence.start, sentence.end
        )
        deps[sentence.start] = doc.vocab.strings.add("ROOT")
    for offset, piece in parsed:
        values = piece.to_array([HEAD, DEP, TAG])
        end = offset + len(piece)
        heads[offset:end] = values[:, 0].astype("int64")
        deps[offset:end] = values[:, 1]
        tags[offset:end] = values[:, 2]
    values = numpy.stack([heads.astype("uint64"), deps, tags], axis=1)
    doc.from_array([HEAD, DEP, TAG], cast(Ints2d, values))


def _copy_entities(doc: Doc, recognized: list[tuple[int, Doc]]) -> None:
    """The pieces' entities, and "O" for the other tokens they read."""
    entities: list[Span] = []
    outside: list[Span] = []
    for offset, piece in recognized:
        entities.extend(Span(doc, offset + e.start, offset + e.end, e.label) for e in piece.ents)
        outside.extend(
            Span(doc, offset + t.i, offset + t.i + 1) for t in piece if t.ent_iob_ == "O"
        )
    doc.set_ents(entities, outside=outside, default="unmodified")
