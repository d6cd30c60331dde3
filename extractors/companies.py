"""Companies by pattern: a capitalized name with a legal suffix or a trade word.

- Legal suffixes come from cleanco's maintained list (Corp, Ltd, Inc, SpA, S.A., plc,
  AG, GmbH...): "Sigma Lithium Corp.", "Minera Quebrada Honda SpA". The span keeps the
  suffix but not a full stop after it ("[[Sigma Lithium Corp]].").
- Trade words close a capitalized name: "Pilbara Minerals", "Lundin Mining", "Jiangxi
  Copper", "Ivanhoe Electric". The name needs a word of its own before the trade word,
  and capitals: an all-caps headline ("LITHIUM MINERS TRIM OUTPUT") is no company.
- Spanish and Portuguese names open with a trade word: "Minera X", "Compañía Minera X".

The id is the name without its legal suffix ("organization:sigma-lithium"), or the
gazetteer's id when that name is a known alias. Once named, the company's first word
and its name without the trade word are short names of it ("Kestrel said").
"""

from __future__ import annotations

from dataclasses import dataclass

from cleanco import termdata
from spacy.tokens import Doc, Span, Token

from extractors.candidates import Candidate
from extractors.token_index import positions_of, word_hashes
from pipeline.records import slugify

TRADE_WORDS = frozenset(
    """Resources Mining Minerals Metals Lithium Gold Copper Energy Nickel Silver Materials
    Steel Uranium Cobalt Zinc Graphite Exploration Explorations Holdings Group Corporation
    Company Industries Electric Mines Minería Mineração Smelting Refining Alloys Rare
    Earths Chemical Chemicals Potash Phosphate Iron Platinum Tin Tungsten Vanadium Manganese
    Coal Aluminium Aluminum Ventures""".split()
)
OPENING_WORDS = frozenset(["Minera", "Compañía", "Mineração", "Grupo", "Companhia"])
GOVERNMENT_NOUNS = frozenset(
    """Ministry Department Secretariat Secretary Minister Institute Agency Office Bureau
    Commission Council Authority Ministerio Secretaría Ministério Instituto""".split()
)
# Words a known name may carry after it: "Lundin Mining Corporation" is "Lundin Mining".
_NAME_TAILS = frozenset(["Corporation", "Company", "Group", "Limited", "Holdings"])
_NOT_NAME = frozenset(
    """The A An And Of For In On At By To From With This That These Those Its Their Our
    Two Three Four Five Several Many Most Some All New Chinese Australian Canadian
    American Chilean Peruvian Global World Junior Juniors Base Battery Precious Critical
    Minor Major Other Big Top Largest""".split()
)
# Legal suffixes as one or more tokens, lowercased; "&"-forms and bare lowercase words
# ("as", "co") are left out: they are ordinary words in news text.
# News also prints forms the list writes with dots ("SpA" for S.p.A.) or lacks ("Tbk").
# "Company" and "Corporation" stay in the name ("Arab Potash Company"): they are trade
# words here, not suffixes to strip.
_EXTRA_SUFFIXES = frozenset([("spa",), ("tbk",)])
_SUFFIXES: frozenset[tuple[str, ...]] = _EXTRA_SUFFIXES | frozenset(
    tuple(term.split())
    for terms in (*termdata.terms_by_type.values(), *termdata.terms_by_country.values())
    for term in terms
    if "&" not in term and term not in ("company", "corporation")
)
_SHORT_TITLED = frozenset(["Ltd", "Inc", "Pty", "Plc", "Co", "Bhd", "Sdn", "Tbk", "Ltda"])
MAX_SUFFIX = max(len(s) for s in _SUFFIXES)
_ANCHOR_WORDS = word_hashes(TRADE_WORDS | OPENING_WORDS)
_COLON = word_hashes([":"])
_SUFFIX_STARTS = word_hashes(s[0] for s in _SUFFIXES)


@dataclass(frozen=True)
class Company:
    candidate: Candidate
    core: str  # the name without suffix, for the id and the short names


def company_candidates(doc: Doc, known: dict[str, str]) -> list[Company]:
    """``known``: gazetteer aliases (as written) of organizations, to reuse their ids."""
    found: list[Company] = []
    after = 0
    for anchor in _anchors(doc):
        for start in range(max(after, _leftmost(doc, anchor)), anchor + 1):
            company = _company_at(doc, start, known)
            if company is not None:
                found.append(company)
                after = company.candidate.end
                break
    return found


def _anchors(doc: Doc) -> list[int]:
    """Where a company name can end or open: trade words, suffixes, opening words."""
    words = positions_of(doc, _ANCHOR_WORDS)
    suffixes = positions_of(doc, _SUFFIX_STARTS, lower=True)
    return sorted(set(words) | set(suffixes))


def _leftmost(doc: Doc, anchor: int) -> int:
    """The first token of the capitalized run that ends at ``anchor``."""
    start = anchor
    while (
        start > 0
        and anchor - start < 6
        and _name_word(doc[start - 1])
        and "\n" not in doc[start - 1].whitespace_
    ):
        start -= 1
    return start


def _company_at(doc: Doc, start: int, known: dict[str, str]) -> Company | None:
    if not _name_word(doc[start]) or doc[start].text in _NOT_NAME or _inside_phrase(doc, start):
        return None
    end = start
    while end < len(doc) and end - start < 6 and _name_word(doc[end]):
        if _suffix_end(doc, end) is not None and end > start:
            break
        end += 1
        if "\n" in doc[end - 1].whitespace_:
            break
    suffix_end = _suffix_end(doc, end)
    if suffix_end is not None and end > start:
        return _company(doc, doc[start:end], suffix_end, known)
    words = doc[start:end]
    if _trade_named(words):
        return _company(doc, words, end, known)
    return None


def _inside_phrase(doc: Doc, start: int) -> bool:
    """ "Ministry of Energy and Mineral Resources": no company starts inside the name of a
    government body ("Ministry of ...", "Department of ... and ...")."""
    if start < 2 or doc[start - 1].text not in ("of", "and", "&", "de", "y"):
        return False
    window = doc[max(0, start - 6) : start - 1]
    return any(t.text in GOVERNMENT_NOUNS for t in window)


def _trade_named(words: Span) -> bool:
    """A name word, then a trade word closing the capitalized run; or an opening word."""
    if len(words) < 2:
        return False
    if words[0].text in OPENING_WORDS:
        return True
    return words[-1].text in TRADE_WORDS and _has_own_word(words[:-1])


def _has_own_word(span: Span) -> bool:
    return any(t.text not in TRADE_WORDS and t.text not in OPENING_WORDS for t in span)


def _suffix_end(doc: Doc, end: int) -> int | None:
    """The end of the legal suffix at ``end``: "Ltd", "S.A. de C.V.", "Co., Ltd"."""
    for size in range(MAX_SUFFIX, 0, -1):
        words = tuple(t.lower_ for t in doc[end : end + size])
        if len(words) == size and words in _SUFFIXES and _written_as_suffix(doc[end]):
            after = end + size
            if after + 1 < len(doc) and doc[after].text == ",":
                return _suffix_end(doc, after + 1) or after
            return after
    return None


def _written_as_suffix(token: Token) -> bool:
    """Capitalized as a suffix is: "Ltd", "SpA", "AG", "S.A."; not "As" or "and"."""
    text = token.text
    if text == "plc":
        return True
    if not text[0].isupper():
        return False
    if "." in text or len(text) > 3:
        return True
    return text in _SHORT_TITLED or not token.is_title


def _company(doc: Doc, core: Span, end: int, known: dict[str, str]) -> Company:
    core_text = core.text
    entity_id = _known_id(core, doc[core.start : end].text, known)
    if not entity_id:
        entity_id = f"organization:{slugify(core_text)}"
    trim = 1 if doc[end - 1].text.endswith(".") else 0
    candidate = Candidate(core.start, end, entity_id, "organization", "pattern", trim_end=trim)
    return Company(candidate, core_text)


def _known_id(core: Span, full: str, known: dict[str, str]) -> str:
    """The gazetteer id of the name, with or without its suffix and trailing tails."""
    words = [t.text for t in core]
    while words:
        found = known.get(" ".join(words))
        if found:
            return found
        if words[-1] not in _NAME_TAILS:
            break
        words = words[:-1]
    return known.get(full, "")


def _name_word(token: Token) -> bool:
    return (token.is_title and token.is_alpha) or (token.is_upper and 1 < len(token) <= 5)


def is_suffix(word: str) -> bool:
    """A one-word legal suffix as written: "Ltd", "Inc", "SpA", "plc"."""
    return (word.lower(),) in _SUFFIXES and (word[:1].isupper() or word == "plc")


def ticker_spans(doc: Doc) -> list[tuple[int, int]]:
    """Exchange codes in parentheses, "(ASX: KRR)", "(TSX: TBM / OTCQX: TBMMF)": not
    entities (fixtures README); the tokens between the parentheses."""
    spans = []
    for colon in positions_of(doc, _COLON):
        if colon < 2 or doc[colon - 2].text != "(" or not doc[colon - 1].is_upper:
            continue
        end = colon
        while end < len(doc) and end - colon < 12 and doc[end].text != ")":
            end += 1
        if end < len(doc) and doc[end].text == ")":
            spans.append((colon - 1, end))
    return spans
