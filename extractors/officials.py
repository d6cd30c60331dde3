"""Titled officials that no gazetteer lists, found by token patterns.

Three shapes, English and Spanish:
- title then name:      "Minister of Finance X", "secretario de Economía X", "Mining Minister X"
- name then title:      "X, Mexico's economy minister", "X, the minister of mines"
The Matcher finds the title; the name is the run of capitalised words beside it.
The role carries the title as written and the country the title names ("Chile's
Mining Minister X", "Minister of Mines X of Bolivia"); the tagger fills in the
country of the sentence when the title names none.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

from pipeline.records import Role

HEADS = frozenset(
    [
        "minister",
        "secretary",
        "president",
        "director",
        "governor",
        "commissioner",
        "chancellor",
        "undersecretary",
        "premier",
        "administrator",
        "secretario",
        "secretaria",
        "ministro",
        "ministra",
        "presidente",
        "presidenta",
        "directora",
        "gobernador",
        "gobernadora",
        "subsecretario",
        "subsecretaria",
        "canciller",
        "titular",
    ]
)
DEPARTMENT_WORDS = frozenset(
    [
        "finance",
        "finances",
        "economy",
        "economic",
        "mines",
        "mining",
        "energy",
        "trade",
        "commerce",
        "industry",
        "foreign",
        "affairs",
        "interior",
        "environment",
        "environmental",
        "natural",
        "resources",
        "treasury",
        "defense",
        "defence",
        "state",
        "labor",
        "labour",
        "agriculture",
        "infrastructure",
        "transport",
        "development",
        "planning",
        "public",
        "credit",
        "mineral",
        "minerals",
        "petroleum",
        "oil",
        "gas",
        "prime",
        "deputy",
        "vice",
        "general",
        "international",
        "and",
        "hacienda",
        "economía",
        "minería",
        "energía",
        "comercio",
        "relaciones",
        "exteriores",
        "medio",
        "ambiente",
        "gobernación",
        "crédito",
        "público",
        "industria",
        "recursos",
        "naturales",
        "y",
    ]
)
_LINKS = ("of", "for", "de", "del")
_NAME_PARTICLES = frozenset(("de", "del", "la", "las", "los", "van", "von", "da", "di"))
_POSSESSIVE = ("’s", "'s")
MAX_NAME_TOKENS = 5


@dataclass(frozen=True)
class TitledName:
    start: int  # token index of the name
    end: int
    role: Role


def build_title_matcher(nlp: Language) -> Matcher:
    matcher = Matcher(nlp.vocab)
    head = {"LOWER": {"IN": sorted(HEADS)}}
    dept = {"LOWER": {"IN": sorted(DEPARTMENT_WORDS)}}
    matcher.add(
        "TITLE",
        [
            [
                head,
                {"LOWER": {"IN": list(_LINKS)}},
                {"LOWER": "the", "OP": "?"},
                dept,
                {**dept, "OP": "*"},
            ],
            [{**dept, "OP": "*"}, head],
        ],
        greedy="LONGEST",
    )
    return matcher


def find_titled_names(doc: Doc, matcher: Matcher, country_of: dict[str, str]) -> list[TitledName]:
    """``country_of`` maps a country alias or demonym to its id, to read "Mexico's"."""
    found: list[TitledName] = []
    for _, start, end in matcher(doc):
        title = doc[start:end]
        if not any(t.lower_ in HEADS for t in title):
            continue
        after = _name_after(doc, end)
        if after is not None:
            found.append(
                TitledName(
                    after[0], after[1], _role(title, _country_before(doc, start, country_of))
                )
            )
            continue
        before = _name_before_apposition(doc, start, country_of)
        if before is not None:
            name_start, name_end, country = before
            found.append(TitledName(name_start, name_end, _role(title, country)))
    return found


def _role(title: Span, country: str | None) -> Role:
    while len(title) > 1 and title[0].lower_ in ("and", "y"):
        title = title[1:]
    return Role(title=title.text, country=country)


def _is_name_token(token: Token) -> bool:
    return (
        token.is_title
        and token.is_alpha
        and token.lower_ not in HEADS
        and token.lower_ not in DEPARTMENT_WORDS
        and token.ent_type_ not in ("GPE", "DATE", "NORP")
    )


def _name_after(doc: Doc, index: int) -> tuple[int, int] | None:
    end = index
    while end < len(doc) and end - index < MAX_NAME_TOKENS:
        token = doc[end]
        if _is_name_token(token) or (
            token.lower_ in _NAME_PARTICLES and end + 1 < len(doc) and _is_name_token(doc[end + 1])
        ):
            end += 1
        else:
            break
    return (index, end) if end > index else None


def _name_before_apposition(
    doc: Doc, title_start: int, country_of: dict[str, str]
) -> tuple[int, int, str | None] | None:
    """ "X, Mexico's economy minister" / "X, the minister of mines"."""
    index = title_start - 1
    country = None
    if index >= 0 and doc[index].text in _POSSESSIVE:
        country = country_of.get(doc[index - 1].text) if index >= 1 else None
        if country is None:
            return None
        index -= 2
    elif index >= 0 and doc[index].lower_ == "the":
        index -= 1
    if index < 1 or doc[index].text != ",":
        return None
    end = index
    start = end
    while start > 0 and end - start < MAX_NAME_TOKENS and _is_name_token(doc[start - 1]):
        start -= 1
    return (start, end, country) if start < end else None


def _country_after(doc: Doc, name_end: int, country_of: dict[str, str]) -> str | None:
    """ "Minister of Mines X of Bolivia"."""
    if name_end + 1 < len(doc) and doc[name_end].lower_ in ("of", "de", "del"):
        return country_of.get(doc[name_end + 1].text)
    return None


def _country_before(doc: Doc, title_start: int, country_of: dict[str, str]) -> str | None:
    """ "Chile's Mining Minister X" or "Mexican Economy Minister X"."""
    index = title_start - 1
    if index >= 1 and doc[index].text in _POSSESSIVE:
        return country_of.get(doc[index - 1].text)
    return country_of.get(doc[index].text) if index >= 0 else None
