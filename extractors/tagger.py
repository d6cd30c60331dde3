"""Entity tagging: ``Tagger.tag_article(article) -> TaggedArticle``.

Order of trust, from DESIGN.md: gazetteer rules and the blocklist first, then titled
officials found by pattern, then surnames of people already named, and only then the
statistical model for persons and organizations the rules do not know.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractors.annotate import Annotator, Scope
from extractors.candidates import Candidate, select_non_overlapping
from extractors.companies import company_candidates, ticker_spans
from extractors.context import ambiguous_mineral_ok, shouted
from extractors.datelines import dateline_candidates
from extractors.entities import build_entities
from extractors.event_lexicon import build_trigger_matcher, load_lexicon
from extractors.furniture import on_credit_or_byline
from extractors.gazetteer import Gazetteer, load_gazetteer, surname_parts
from extractors.implied import with_implied_countries
from extractors.mineral_rules import refine_minerals
from extractors.model_entities import hyphenated_end, model_candidates
from extractors.model_needs import NeedRules
from extractors.nlp import BLOCK, build_matchers, has_component, load_language, model_label
from extractors.officials import build_title_matcher, find_titled_names
from extractors.place_rules import country_ok, place_ok
from extractors.short_names import short_name_candidates
from extractors.sites import site_candidates
from pipeline.config import Config
from pipeline.records import Article, TaggedArticle

TAGGER_RULES_VERSION = 2
# A tagged article with its parsed doc: the events stage reads the parse, and the
# pipeline passes it along without touching spaCy.
TaggedDoc = tuple[TaggedArticle, Doc]


@dataclass(frozen=True)
class TaggerSettings:
    model: str
    batch_size: int = 16
    scope: Scope = "needed"  # where the statistical model runs: see extractors/annotate.py


class Tagger:
    def __init__(self, gazetteer: Gazetteer, settings: TaggerSettings, lexicon_dir: Path) -> None:
        self.gazetteer = gazetteer
        self.nlp: Language = load_language(settings.model)
        self.matchers = build_matchers(self.nlp, gazetteer)
        self.title_matcher = build_title_matcher(self.nlp)
        self.use_model = has_component(self.nlp, "ner")
        self.annotator = Annotator(
            self.nlp, settings.scope, self._need_rules(lexicon_dir), settings.batch_size
        )
        self.country_of = _aliases_of(gazetteer, "country")
        self.place_names = _aliases_of(gazetteer, "place")
        self.organization_names = _aliases_of(gazetteer, "organization")
        self.version = (
            f"minewatch-tagger/{TAGGER_RULES_VERSION}"
            f"+{model_label(self.nlp, settings.model)}+{self.annotator.scope}"
            f"+gazetteer-{gazetteer.fingerprint}"
        )

    @classmethod
    def from_config(cls, config: Config) -> Tagger:
        gazetteer = load_gazetteer(config.gazetteers.dir)
        settings = TaggerSettings(config.nlp.model, config.nlp.batch_size, config.nlp.scope)
        return cls(gazetteer, settings, config.gazetteers.dir)

    def _need_rules(self, lexicon_dir: Path) -> NeedRules:
        return NeedRules(
            gazetteer=(self.matchers.case_sensitive, self.matchers.case_insensitive),
            block_key=self.nlp.vocab.strings[BLOCK],
            ambiguous=self.gazetteer.ambiguous,
            titles=self.title_matcher,
            triggers=build_trigger_matcher(self.nlp, load_lexicon(lexicon_dir)),
        )

    def tag_article(self, article: Article) -> TaggedArticle:
        return self.tag_one_with_doc(article)[0]

    def tag_articles(self, articles: Iterable[Article]) -> Iterator[TaggedArticle]:
        """Batched tagging through ``nlp.pipe``; same results as one at a time."""
        for tagged, _ in self.tag_with_docs(articles):
            yield tagged

    def tag_with_docs(self, articles: Iterable[Article]) -> Iterator[TaggedDoc]:
        """Tagged articles with their parsed docs, for the events stage to read."""
        items = ((a.text, self._model_applies(a), a) for a in articles)
        for doc, article in self.annotator.pipe(items):
            yield self._tag_doc(article, doc), doc

    def tag_one_with_doc(self, article: Article) -> TaggedDoc:
        doc = self.annotator.one(article.text, self._model_applies(article))
        return self._tag_doc(article, doc), doc

    def _tag_doc(self, article: Article, doc: Doc) -> TaggedArticle:
        candidates = self._rule_candidates(doc, article.text)
        rules = _credited(select_non_overlapping(candidates), candidates)
        rules = _with_sites(rules, site_candidates(doc, rules))
        blocked = [c for c in rules if c.type == BLOCK]
        rules = [c for c in rules if c.type != BLOCK]
        rules = refine_minerals(doc, _with_sentence_country(doc, rules))
        rules = _with_hyphenated_names(doc, rules)
        rules += short_name_candidates(doc, rules)
        found = model_candidates(doc, rules + blocked) if self._model_applies(article) else []
        surnames = self._surname_candidates(doc, rules + found, covered=rules)
        found = [m for m in found if not any(m.overlaps(s) for s in surnames)]
        chosen = rules + surnames + found
        kept = [c for c in chosen if not _in_credit_or_byline(doc, c, article)]
        entities = build_entities(doc, kept, self.gazetteer, article.published)
        entities = with_implied_countries(entities, self.gazetteer)
        return TaggedArticle(article=article, entities=entities, tagger_version=self.version)

    def _model_applies(self, article: Article) -> bool:
        """The statistical model reads English; on other languages it finds noise."""
        return self.use_model and article.language in (None, self.nlp.lang)

    def _rule_candidates(self, doc: Doc, text: str) -> list[Candidate]:
        gazetteer = self._gazetteer_candidates(doc)
        titled = [
            Candidate(t.start, t.end, "", "person", "pattern", role=t.role)
            for t in find_titled_names(doc, self.title_matcher, self.country_of)
        ]
        datelines = dateline_candidates(doc, text, self.place_names)
        companies = [c.candidate for c in company_candidates(doc, self.organization_names)]
        tickers = [Candidate(s, e, BLOCK, BLOCK, "pattern") for s, e in ticker_spans(doc)]
        return gazetteer + titled + datelines + companies + tickers

    def _gazetteer_candidates(self, doc: Doc) -> list[Candidate]:
        found: list[Candidate] = []
        for matcher in (self.matchers.case_sensitive, self.matchers.case_insensitive):
            for match_id, start, end in matcher(doc):
                key = self.nlp.vocab.strings[match_id]
                if key == BLOCK:
                    found.append(Candidate(start, end, BLOCK, BLOCK, "gazetteer"))
                else:
                    found.append(
                        Candidate(start, end, key, self.gazetteer.entries[key].type, "gazetteer")
                    )
        return self._drop_out_of_context(doc, found)

    def _drop_out_of_context(self, doc: Doc, found: list[Candidate]) -> list[Candidate]:
        mineral_starts = {
            c.start
            for c in found
            if c.type == "mineral"
            and doc[c.start : c.end].text.lower() not in self.gazetteer.ambiguous
        }
        kept = []
        for candidate in found:
            span = doc[candidate.start : candidate.end]
            ambiguous = span.text.lower() in self.gazetteer.ambiguous
            if (
                candidate.type == "mineral"
                and ambiguous
                and not ambiguous_mineral_ok(span, mineral_starts)
            ):
                continue
            if candidate.type == "country" and _shouted_short(span):
                continue
            if candidate.type == "country" and not country_ok(span):
                continue
            if candidate.type == "place" and not place_ok(
                span, span.text in self.gazetteer.ambiguous_places
            ):
                continue
            kept.append(candidate)
        return kept

    def _surname_candidates(
        self, doc: Doc, named_by: list[Candidate], covered: list[Candidate]
    ) -> list[Candidate]:
        """A lone surname resolves to the person already named earlier in the article:
        by the rules or the model (``named_by``), outside the rule spans (``covered``)."""
        taken = {i for c in covered for i in range(c.start, c.end)}
        # a surname inside the full name ("Jordan Pelletier" opening a sentence) is no
        # mention of its own
        taken |= {i for c in named_by if c.type == "person" for i in range(c.start, c.end)}
        named: dict[str, str] = {}
        first_mention: dict[str, int] = {}
        for c in named_by:
            if c.type == "person":
                person_id, full_name = self._person_identity(doc, c)
                named.update(surname_parts(full_name, person_id))
                first_mention[person_id] = min(first_mention.get(person_id, c.start), c.start)
        found = []
        after = 0
        for token in doc:
            end = hyphenated_end(doc, token.i)
            match = named.get(doc[token.i : end].text) if end > token.i + 1 else None
            if match is None:
                end, match = token.i + 1, named.get(token.text)
            if match is None or token.i < after or token.i < first_mention[match]:
                continue
            if taken.isdisjoint(range(token.i, end)) and not _part_of_longer_name(doc, token.i):
                found.append(Candidate(token.i, end, match, "person", "surname"))
                after = end
        return found

    def _person_identity(self, doc: Doc, candidate: Candidate) -> tuple[str, str]:
        if candidate.entity_id:
            return candidate.entity_id, self.gazetteer.entries[candidate.entity_id].name
        name = doc[candidate.start : candidate.end].text
        return Candidate.person_id(name), name


def _credited(chosen: list[Candidate], candidates: list[Candidate]) -> list[Candidate]:
    """An agency the dateline credits keeps that credit when the gazetteer's entry for
    the same span was chosen."""
    credits = {(c.start, c.end) for c in candidates if c.attribution}
    return [replace(c, attribution=True) if (c.start, c.end) in credits else c for c in chosen]


def _aliases_of(gazetteer: Gazetteer, type_: str) -> dict[str, str]:
    prefix = f"{type_}:"
    return {a: eid for a, eid in gazetteer.case_sensitive.items() if eid.startswith(prefix)}


def _shouted_short(span: Span) -> bool:
    """ "LET US KNOW": a two- or three-letter country form inside words in capitals."""
    return span.text.isupper() and len(span.text) <= 3 and shouted(span)


def _with_sites(chosen: list[Candidate], sites: list[Candidate]) -> list[Candidate]:
    """A site found by pattern replaces what the rules read in its name."""
    kept = [c for c in chosen if not any(c.overlaps(s) for s in sites)]
    return sorted(kept + sites, key=lambda c: c.start)


def _with_sentence_country(doc: Doc, selected: list[Candidate]) -> list[Candidate]:
    """A titled official whose title names no country takes the sentence's only country."""
    result = []
    for candidate in selected:
        role = candidate.role
        if role is not None and role.country is None:
            sentence = doc[candidate.start].sent
            countries = {
                c.entity_id
                for c in selected
                if c.type == "country" and sentence.start <= c.start < sentence.end
            }
            if len(countries) == 1:
                candidate = replace(candidate, role=replace(role, country=countries.pop()))
        result.append(candidate)
    return result


def _with_hyphenated_names(doc: Doc, chosen: list[Candidate]) -> list[Candidate]:
    """A person found by the rules ends after a hyphenated surname ("Fenella Ashcombe-Reid"),
    which the title patterns stop short of."""
    starts = {c.start for c in chosen}
    result = []
    for candidate in chosen:
        end = hyphenated_end(doc, candidate.end - 1)
        if (
            candidate.type == "person"
            and end > candidate.end
            and starts.isdisjoint(range(candidate.end, end))
        ):
            candidate = replace(candidate, end=end)
        result.append(candidate)
    return result


def _part_of_longer_name(doc: Doc, index: int) -> bool:
    neighbours = [doc[i] for i in (index - 1, index + 1) if 0 <= i < len(doc)]
    return any(t.is_title and t.is_alpha and not t.is_sent_start for t in neighbours)


def _in_credit_or_byline(doc: Doc, candidate: Candidate, article: Article) -> bool:
    """``article.text`` is ``doc.text``, which spaCy would rebuild from every token on each
    call: reading it per candidate made tagging quadratic in the article's length."""
    span = doc[candidate.start : candidate.end]
    if candidate.type == "person" and any(span.text in author for author in article.authors):
        return True
    return on_credit_or_byline(article.text, span.start_char)
