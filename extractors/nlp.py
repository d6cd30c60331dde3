"""Build the spaCy pipeline and the gazetteer matchers (spaCy is imported only in extractors/)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Literal

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex

from extractors.gazetteer import Gazetteer

BLANK_MODEL = "blank"
BLOCK: Literal["BLOCK"] = "BLOCK"
# Components the tagger never reads; excluding them saves time per document (the
# attribute ruler: see extractors/pos.py).
_UNUSED_COMPONENTS = ("lemmatizer", "attribute_ruler")
# "U.S.-Mexico" and "U.S.-sponsored": split the hyphen after an abbreviation's final dot.
_ABBREVIATION_HYPHEN = r"(?<=[A-Z]\.)-(?=[A-Za-z])"


@dataclass(frozen=True)
class Matchers:
    case_sensitive: PhraseMatcher
    case_insensitive: PhraseMatcher


def load_language(model: str) -> Language:
    """The statistical pipeline named by ``nlp.model``, or a blank English one."""
    if model == BLANK_MODEL:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("newline_sentences", before="sentencizer")
    else:
        nlp = spacy.load(Path(model) if Path(model).is_dir() else model, exclude=_UNUSED_COMPONENTS)
        if has_component(nlp, "parser"):
            nlp.add_pipe("newline_sentences", before="parser")
    _split_hyphen_after_abbreviation(nlp)
    return nlp


def model_label(nlp: Language, model: str) -> str:
    if model == BLANK_MODEL:
        return f"blank-en-spacy-{version('spacy')}"
    return f"{nlp.meta.get('name', model)}-{nlp.meta.get('version', '?')}"


def has_component(nlp: Language, name: str) -> bool:
    return name in nlp.pipe_names


def build_matchers(nlp: Language, gazetteer: Gazetteer) -> Matchers:
    sensitive = PhraseMatcher(nlp.vocab, attr="ORTH")
    insensitive = PhraseMatcher(nlp.vocab, attr="LOWER")
    _add_phrases(nlp, sensitive, _group(gazetteer.case_sensitive))
    _add_phrases(nlp, insensitive, _group(gazetteer.case_insensitive))
    sensitive.add(BLOCK, [nlp.make_doc(p) for p in gazetteer.block_case_sensitive])
    insensitive.add(BLOCK, [nlp.make_doc(p) for p in gazetteer.block_case_insensitive])
    return Matchers(case_sensitive=sensitive, case_insensitive=insensitive)


def _group(aliases: dict[str, str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for alias, entity_id in aliases.items():
        grouped.setdefault(entity_id, []).append(alias)
    return grouped


def _add_phrases(nlp: Language, matcher: PhraseMatcher, grouped: dict[str, list[str]]) -> None:
    tokenizer: Tokenizer = nlp.tokenizer
    special = set(tokenizer.rules or {})
    for entity_id, aliases in grouped.items():
        matcher.add(entity_id, [_phrase(nlp, a, special) for a in aliases])


def _phrase(nlp: Language, alias: str, special: set[str]) -> Doc:
    """A one-word alias as a one-token Doc, without the tokenizer: the tokenizer gives
    the same for letters only (no affixes, no infixes) unless a special case splits it.
    Most of the ~37,000 aliases (places) are one word; tokenizing them doubled start-up."""
    if alias.isalpha() and alias not in special:
        return Doc(nlp.vocab, words=[alias])
    return nlp.make_doc(alias)


def _split_hyphen_after_abbreviation(nlp: Language) -> None:
    infixes = [*(nlp.Defaults.infixes or ()), _ABBREVIATION_HYPHEN]
    tokenizer: Tokenizer = nlp.tokenizer
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


@Language.component("newline_sentences")
def newline_sentences(doc: Doc) -> Doc:
    """A line break ends a sentence: headings and paragraphs never run together."""
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].text or "\n" in doc[token.i - 1].whitespace_:
            token.is_sent_start = True
    return doc
