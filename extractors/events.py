"""Event extraction: ``EventExtractor.extract(tagged, doc) -> AnalyzedArticle``.

One event is one sentence-level claim of a closed set of types (DESIGN.md, Events).
Triggers come from the lexicon (extractors/data/events.yaml); the dependency parse,
where there is one, decides which part of the sentence the trigger speaks about
(extractors.event_scope). A sentence that only refers back ("the meeting included
ministers from Australia...") adds its participants to the earlier event, and so does
one that goes on about it with a pronoun ("he engaged in discussions...").
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from extractors import event_scope as scope
from extractors.event_context import evidence_sentences, is_heading, minerals_before
from extractors.event_dates import EventDate, find_date
from extractors.event_filters import Found, kept_triggers, same_claim
from extractors.event_lexicon import (
    TriggerRule,
    build_trigger_matcher,
    has_figure,
    has_money,
    has_quantity,
    load_lexicon,
    phrase_tokens,
)
from extractors.pos import is_adposition, is_verb
from pipeline.records import AnalyzedArticle, EntityType, Event, EventType, TaggedArticle

EVENTS_RULES_VERSION = 2
_UNTAGGED_REACH = 2  # without tags, "la nueva huelga" at most
_PARTIES: frozenset[EntityType] = frozenset(("organization", "person", "country"))
# Who meets when no name is tagged: "a delegation", "the union", "officials".
_PARTY_WORDS = frozenset(
    "delegation delegations officials ministers minister counterpart counterparts union "
    "unions leaders representatives chamber committee executives comuneros dirigentes "
    "ministro representantes".split()
)
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
    rule: TriggerRule
    head_index: int  # the clause verb, or -1 without a parse
    participants: dict[str, EntityType] = field(default_factory=dict)


class EventExtractor:
    def __init__(self, nlp: Language, lexicon_dir: Path) -> None:
        self.rules = load_lexicon(lexicon_dir)
        self.matcher = build_trigger_matcher(nlp, self.rules)
        self.strings = nlp.vocab.strings
        self.version = f"minewatch-events/{EVENTS_RULES_VERSION}"

    def extract(self, tagged: TaggedArticle, doc: Doc) -> AnalyzedArticle:
        entities = _token_entities(tagged, doc)
        english = tagged.article.language in (None, "en")
        sentences = evidence_sentences(doc)
        by_sentence = self._trigger_spans(doc, entities, sentences)
        drafts: list[_Draft] = []
        for index, sentence in enumerate(sentences):
            spans = [] if is_heading(sentence) else by_sentence.get(sentence.start, [])
            found = self._triggers(sentence, spans, entities, english)
            _add_sentence(drafts, index, sentence, found, entities)
        drafts = [d for d in drafts if _with_inherited_minerals(d, sentences, entities)]
        events: dict[str, Event] = {}  # one event per key: type, sentence and trigger
        for draft in drafts:
            event = _freeze(draft, tagged)
            events.setdefault(event.key, event)
        return AnalyzedArticle(tagged, tuple(events.values()), self.version)

    def _trigger_spans(
        self, doc: Doc, entities: dict[int, tuple[str, EntityType]], sentences: list[Span]
    ) -> dict[int, list[Span]]:
        """Trigger spans by sentence start; a trigger inside an entity name is none."""
        starts = [s.start for s in sentences]
        spans = [Span(doc, start, end, label=key) for key, start, end in self.matcher(doc)]
        kept = {(s.start, s.end) for s in filter_spans(spans)}
        grouped: dict[int, list[Span]] = {}
        # A phrase may be the trigger of several types ("joint venture"): all of them.
        for span in sorted((s for s in spans if (s.start, s.end) in kept), key=lambda s: s.start):
            if not any(i in entities for i in range(span.start, span.end)):
                sentence_start = starts[bisect_right(starts, span.start) - 1]
                grouped.setdefault(sentence_start, []).append(span)
        return grouped

    def _triggers(
        self,
        sentence: Span,
        spans: list[Span],
        entities: dict[int, tuple[str, EntityType]],
        english: bool,
    ) -> list[Found]:
        parsed = english and scope.parsed(sentence)
        found = []
        for span in spans:
            rule = self.rules[self.strings[span.label]]
            if rule.ignore:
                continue
            root = span.root.head if span.root.dep_ in ("aux", "auxpass") else span.root
            head = scope.clause_head(root) if parsed else None
            if head is not None and (scope.in_background(span.root) or scope.hypothetical(head)):
                continue
            if _conditions_met(rule, span, sentence, entities, parsed):
                found.append(Found(rule, span, head))
        return kept_triggers(found)


def _add_sentence(
    drafts: list[_Draft],
    index: int,
    sentence: Span,
    found: list[Found],
    entities: dict[int, tuple[str, EntityType]],
) -> None:
    heads = [f.head for f in found if f.head is not None]
    triggers = [f.span.root for f in found]
    new_types = {
        f.rule.type for f in found if _latest(drafts, f.rule.type) is None or not _definite(f)
    }
    for item in found:
        earlier = _latest(drafts, item.rule.type)
        tokens = _clause(item, sentence, heads, triggers)
        if earlier is not None and _definite(item) and not _new_figure(tokens, sentence):
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
            negative=item.rule.negative or _negative(item),
            parsed=item.head is not None,
            rule=item.rule,
            head_index=item.head.i if item.head is not None else -1,
        )
        _merge(draft, tokens, entities)
        drafts.append(draft)


def _with_inherited_minerals(
    draft: _Draft, sentences: list[Span], entities: dict[int, tuple[str, EntityType]]
) -> bool:
    """Adds the minerals a mineral-less claim refers back to; False drops a price event
    that has none (extractors.event_context)."""
    if "mineral" in draft.participants.values():
        return True
    if draft.type == "price":
        for mineral in minerals_before(sentences, draft.sentence_index, entities):
            draft.participants.setdefault(mineral, "mineral")
    return draft.type != "price" or "mineral" in draft.participants.values()


def _new_figure(tokens: set[int], sentence: Span) -> bool:
    """ "The levy climbs to 4.5%": a reference that brings a new figure is a new claim."""
    words = [sentence.doc[i] for i in sorted(tokens)]
    return has_money(words) or has_quantity(words)


def _conditions_met(
    rule: TriggerRule,
    span: Span,
    sentence: Span,
    entities: dict[int, tuple[str, EntityType]],
    parsed: bool,
) -> bool:
    if rule.needs_in_sentence and not any(t.lower_ in rule.needs_in_sentence for t in sentence):
        return False
    before = span.doc[max(sentence.start, span.start - 4) : span.start]
    if rule.not_after and any(t.lower_ in rule.not_after for t in before):
        return False
    if parsed and rule.only_deps and span.root.dep_ not in rule.only_deps:
        return False
    if rule.subject_not and any(t.lower_ in rule.subject_not for t in _subject(span, parsed)):
        return False
    phrase = phrase_tokens(span.root, sentence.end, parsed)
    after = [t for t in phrase if t.i >= span.end] + _passive_subject(span, parsed)
    if rule.needs_object and not any(t.lower_ in rule.needs_object for t in after):
        return False
    if rule.unless_object and any(t.lower_ in rule.unless_object for t in after):
        return False
    kinds = {entities[t.i][1] for t in phrase if t.i in entities}
    if rule.needs == "mineral":
        return "mineral" in kinds or has_quantity(phrase)
    if rule.needs == "money_or_party":
        return bool(kinds & {"mineral", "organization"}) or has_money(phrase)
    if rule.needs == "figure":  # "is up 5.1%": the figure hangs on "up"
        own = [t for word in span for t in word.subtree] if parsed else []
        return has_figure(phrase + own)
    if rule.needs == "party":
        return bool(kinds & _PARTIES) or any(
            t.lower_ in _PARTY_WORDS or entities.get(t.i, ("", ""))[1] in _PARTIES for t in sentence
        )
    return True


def _passive_subject(span: Span, parsed: bool) -> list[Token]:
    """ "Licences of 38 companies were revoked": the object of a passive trigger is its
    subject; "The memorandum was signed in Riyadh" refers back, and is not."""
    if not parsed:
        return []
    subjects = [c for c in span.root.children if c.dep_ == "nsubjpass"]
    if any(d.dep_ == "det" and d.lower_ in _DETERMINERS for s in subjects for d in s.children):
        return []
    return [t for s in subjects for t in s.subtree]


def _subject(span: Span, parsed: bool) -> list[Token]:
    """The subject of the trigger's clause, or without a parse the words before it."""
    if not parsed:
        return list(span.doc[max(span.sent.start, span.start - 5) : span.start])
    head = scope.clause_head(span.root)
    return [t for c in head.children if c.dep_ in scope.SUBJECTS for t in c.subtree]


def _clause(item: Found, sentence: Span, heads: list[Token], triggers: list[Token]) -> set[int]:
    if item.head is None:
        return scope.segment_tokens(sentence, item.span.root, triggers)
    return scope.clause_tokens(item.span.root, item.head, heads)


def _same_clause(draft: _Draft, item: Found) -> bool:
    if item.head is None or not draft.parsed:
        return True
    return same_claim(item.head, draft.head_index)


def _continues(item: Found) -> bool:
    """ "he engaged in discussions": a pronoun subject goes on about the last event."""
    return item.head is not None and scope.has_pronoun_subject(item.head)


def _negative(item: Found) -> bool:
    if item.head is not None:
        return scope.negated(item.span.root, item.head)
    doc = item.span.doc
    window = doc[max(item.span.sent.start, item.span.start - 4) : item.span.start]
    return any(t.lower_ in ("not", "no", "never", "sin") for t in window)


def _definite(item: Found) -> bool:
    """ "the meeting", "the ban": a noun trigger with a definite article. Without a
    parse, the article must be close: "La empresa declaró fuerza mayor" is no reference."""
    span = item.span
    if item.head is not None and not span.root.tag_.startswith("NN"):
        return False
    index = _determiner_index(span)
    if item.head is None and span.start - index > _UNTAGGED_REACH:
        return False
    between = span.doc[index + 1 : span.start] if index >= 0 else span.doc[0:0]
    return index >= 0 and not any(t.lower_ in _ANOTHER for t in between)


def _determiner_index(span: Span) -> int:
    """Index of "the" in "the (U.S.-Mexico) action plan", or -1 for an indefinite trigger."""
    doc = span.doc
    for index in range(span.start - 1, max(span.sent.start, span.start - 5) - 1, -1):
        token = doc[index]
        if token.lower_ in _DETERMINERS:
            return index
        if token.tag_ == "POS":  # "the world's largest producers": the world's
            return -1
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
    date = find_date(text, tagged.article.published, future=future) or _trading_day(draft, tagged)
    by_type = {
        t: tuple(i for i, k in draft.participants.items() if k == t)
        for t in ("mineral", "country", "organization", "person")
    }
    by_type["country"] = _with_site_countries(by_type["country"], draft, tagged)
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


def _trading_day(draft: _Draft, tagged: TaggedArticle) -> EventDate | None:
    """ "Nickel fell 1.2% to $16,480": a market move told in the past tense, with no
    date of its own, is the trading day the article reports (its publication date)."""
    published = tagged.article.published
    if draft.type != "price" or published is None or draft.trigger.tag_ != "VBD":
        return None
    return EventDate(published, "day")


def _with_site_countries(
    countries: tuple[str, ...], draft: _Draft, tagged: TaggedArticle
) -> tuple[str, ...]:
    """ "A strike at the Escondida mine" is about Chile: a place or site in the claim
    brings its country (fixtures/README.md, Event participants)."""
    located = {e.id: e.country for e in tagged.entities if e.type in ("place", "site")}
    found = list(countries)
    for participant in draft.participants:
        country = located.get(participant)
        if country is not None and country not in found:
            found.append(country)
    return tuple(found)


def _confidence(draft: _Draft, dated: bool) -> float:
    """A ranking heuristic, not a calibrated probability: parsed, with participants and a
    date ranks higher."""
    kinds = set(draft.participants.values())
    score = 0.5 + 0.15 * draft.parsed + 0.1 * ("mineral" in kinds) + 0.1 * bool(kinds - {"mineral"})
    return round(min(0.95, score + 0.05 * dated), 2)
