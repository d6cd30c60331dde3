"""Event extraction: ``EventExtractor.extract(tagged, doc) -> AnalyzedArticle``.

One event is one sentence-level claim of a closed set of types (DESIGN.md, Events).
Triggers come from the lexicon (extractors/data/events.yaml); the dependency parse,
where there is one, decides which part of the sentence the trigger speaks about
(extractors.event_scope). A sentence that only refers back ("the meeting included
ministers from Australia...") adds its participants to the earlier event, and so does
one that goes on about it with a pronoun ("he engaged in discussions...").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from extractors import event_scope as scope
from extractors.event_dates import find_date
from extractors.event_lexicon import (
    TriggerRule,
    build_trigger_matcher,
    has_money,
    has_quantity,
    load_lexicon,
    phrase_tokens,
)
from extractors.pos import is_adposition, is_verb
from pipeline.records import AnalyzedArticle, EntityType, Event, EventType, TaggedArticle

EVENTS_RULES_VERSION = 1
_DETERMINERS = frozenset("the this that these those el la los las este esta estos estas".split())
_FUTURE = frozenset("will next upcoming scheduled planned próxima próximo celebrará".split())
# "the next meeting" is another meeting, not a reference to the last one.
_ANOTHER = frozenset(
    "next upcoming following previous another new próxima próximo nueva nuevo".split()
)


@dataclass
class _Draft:
    type: EventType
    trigger: Token
    trigger_text: str
    sentence: Span
    sentence_index: int
    negative: bool
    parsed: bool
    participants: dict[str, EntityType] = field(default_factory=dict)


@dataclass(frozen=True)
class _Found:
    rule: TriggerRule
    span: Span
    head: Token | None  # the clause verb, with a parse


class EventExtractor:
    def __init__(self, nlp: Language, lexicon_dir: Path) -> None:
        self.rules = load_lexicon(lexicon_dir)
        self.matcher = build_trigger_matcher(nlp, self.rules)
        self.strings = nlp.vocab.strings
        self.version = f"minewatch-events/{EVENTS_RULES_VERSION}"

    def extract(self, tagged: TaggedArticle, doc: Doc) -> AnalyzedArticle:
        entities = _token_entities(tagged, doc)
        english = tagged.article.language in (None, "en")
        by_sentence = self._trigger_spans(doc, entities)
        drafts: list[_Draft] = []
        for index, sentence in enumerate(doc.sents):
            spans = by_sentence.get(sentence.start, [])
            found = self._triggers(sentence, spans, entities, english)
            _add_sentence(drafts, index, sentence, found, entities)
        events: dict[str, Event] = {}  # one event per key: type, sentence and trigger
        for draft in drafts:
            event = _freeze(draft, tagged)
            events.setdefault(event.key, event)
        return AnalyzedArticle(tagged, tuple(events.values()), self.version)

    def _trigger_spans(
        self, doc: Doc, entities: dict[int, tuple[str, EntityType]]
    ) -> dict[int, list[Span]]:
        """Trigger spans by sentence start; a trigger inside an entity name is none."""
        spans = [Span(doc, start, end, label=key) for key, start, end in self.matcher(doc)]
        grouped: dict[int, list[Span]] = {}
        for span in sorted(filter_spans(spans), key=lambda s: s.start):
            if not any(i in entities for i in range(span.start, span.end)):
                grouped.setdefault(span.sent.start, []).append(span)
        return grouped

    def _triggers(
        self,
        sentence: Span,
        spans: list[Span],
        entities: dict[int, tuple[str, EntityType]],
        english: bool,
    ) -> list[_Found]:
        parsed = english and scope.parsed(sentence)
        found = []
        for span in spans:
            rule = self.rules[self.strings[span.label]]
            if rule.ignore:
                continue
            head = scope.clause_head(span.root) if parsed else None
            if head is not None and (scope.in_background(span.root) or scope.hypothetical(head)):
                continue
            if _conditions_met(rule, span, sentence, entities, parsed):
                found.append(_Found(rule, span, head))
        return found


def _add_sentence(
    drafts: list[_Draft],
    index: int,
    sentence: Span,
    found: list[_Found],
    entities: dict[int, tuple[str, EntityType]],
) -> None:
    heads = [f.head for f in found if f.head is not None]
    triggers = [f.span.root for f in found]
    new_types = {
        f.rule.type for f in found if _latest(drafts, f.rule.type) is None or not _definite(f.span)
    }
    for item in found:
        earlier = _latest(drafts, item.rule.type)
        tokens = _clause(item, sentence, heads, triggers)
        if earlier is not None and _definite(item.span):
            if item.rule.type not in new_types and not scope.after_preposition(
                item.span.root, _determiner_index(item.span)
            ):
                _merge(earlier, tokens, entities)
            continue
        if earlier is not None and earlier.sentence_index == index - 1 and _continues(item):
            _merge(earlier, tokens, entities)
            continue
        same_clause = next(
            (
                d
                for d in drafts
                if d.sentence_index == index and d.type == item.rule.type and _same_clause(d, item)
            ),
            None,
        )
        if same_clause is not None:
            _merge(same_clause, tokens, entities)
            continue
        draft = _Draft(
            type=item.rule.type,
            trigger=item.span.root,
            trigger_text=item.span.text,
            sentence=sentence,
            sentence_index=index,
            negative=_negative(item),
            parsed=item.head is not None,
        )
        _merge(draft, tokens, entities)
        drafts.append(draft)


def _conditions_met(
    rule: TriggerRule,
    span: Span,
    sentence: Span,
    entities: dict[int, tuple[str, EntityType]],
    parsed: bool,
) -> bool:
    if rule.needs_in_sentence and not any(t.lower_ in rule.needs_in_sentence for t in sentence):
        return False
    phrase = phrase_tokens(span.root, sentence.end, parsed)
    if rule.needs_object and not any(
        t.lower_ in rule.needs_object for t in phrase if t.i >= span.end
    ):
        return False
    kinds = {entities[t.i][1] for t in phrase if t.i in entities}
    if rule.needs == "mineral":
        return "mineral" in kinds or has_quantity(phrase)
    if rule.needs == "money_or_party":
        return bool(kinds & {"mineral", "organization"}) or has_money(phrase)
    return True


def _clause(item: _Found, sentence: Span, heads: list[Token], triggers: list[Token]) -> set[int]:
    if item.head is None:
        return scope.segment_tokens(sentence, item.span.root, triggers)
    return scope.clause_tokens(item.span.root, item.head, heads)


def _same_clause(draft: _Draft, item: _Found) -> bool:
    if item.head is None or not draft.parsed:
        return True
    return scope.clause_head(draft.trigger).i == item.head.i


def _continues(item: _Found) -> bool:
    """ "he engaged in discussions": a pronoun subject goes on about the last event."""
    return item.head is not None and scope.has_pronoun_subject(item.head)


def _negative(item: _Found) -> bool:
    if item.head is not None:
        return scope.negated(item.span.root, item.head)
    doc = item.span.doc
    window = doc[max(item.span.sent.start, item.span.start - 4) : item.span.start]
    return any(t.lower_ in ("not", "no", "never", "sin") for t in window)


def _definite(span: Span) -> bool:
    index = _determiner_index(span)
    between = span.doc[index + 1 : span.start] if index >= 0 else span.doc[0:0]
    return index >= 0 and not any(t.lower_ in _ANOTHER for t in between)


def _determiner_index(span: Span) -> int:
    """Index of "the" in "the (U.S.-Mexico) action plan", or -1 for an indefinite trigger."""
    doc = span.doc
    for index in range(span.start - 1, max(span.sent.start, span.start - 5) - 1, -1):
        token = doc[index]
        if token.lower_ in _DETERMINERS:
            return index
        if (token.is_punct and token.text != "-") or is_verb(token) or is_adposition(token):
            return -1
    return -1


def _latest(drafts: list[_Draft], type_: EventType) -> _Draft | None:
    return next((d for d in reversed(drafts) if d.type == type_), None)


def _merge(draft: _Draft, tokens: set[int], entities: dict[int, tuple[str, EntityType]]) -> None:
    for index in sorted(tokens):
        if index in entities:
            entity_id, type_ = entities[index]
            draft.participants.setdefault(entity_id, type_)


def _token_entities(tagged: TaggedArticle, doc: Doc) -> dict[int, tuple[str, EntityType]]:
    tokens: dict[int, tuple[str, EntityType]] = {}
    for entity in tagged.entities:
        if entity.type in ("place", "site"):
            continue  # not event participants (fixtures/README.md, Event participants)
        for mention in entity.mentions:
            span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
            if span is not None:
                tokens.update({i: (entity.id, entity.type) for i in range(span.start, span.end)})
    return tokens


def _freeze(draft: _Draft, tagged: TaggedArticle) -> Event:
    sentence = draft.sentence
    text = sentence.text.rstrip()
    future = any(t.lower_ in _FUTURE for t in sentence)
    date = find_date(text, tagged.article.published, future=future)
    by_type = {
        t: tuple(i for i, k in draft.participants.items() if k == t)
        for t in ("mineral", "country", "organization", "person")
    }
    return Event(
        type=draft.type,
        trigger=draft.trigger_text,
        sentence=text,
        start=sentence.start_char,
        end=sentence.start_char + len(text),
        polarity="negative" if draft.negative else "positive",
        date=date.date if date else None,
        date_precision=date.precision if date else None,
        confidence=_confidence(draft, date is not None),
        minerals=by_type["mineral"],
        countries=by_type["country"],
        organizations=by_type["organization"],
        persons=by_type["person"],
    )


def _confidence(draft: _Draft, dated: bool) -> float:
    """A ranking heuristic, not a calibrated probability: parsed, with participants and a
    date ranks higher."""
    kinds = set(draft.participants.values())
    score = 0.5 + 0.15 * draft.parsed + 0.1 * ("mineral" in kinds) + 0.1 * bool(kinds - {"mineral"})
    return round(min(0.95, score + 0.05 * dated), 2)
