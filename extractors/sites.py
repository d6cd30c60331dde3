"""Mines, projects, deposits, smelters and refineries found by pattern.

"the Cerro Alhué copper mine", "the Jadar lithium project", "Kettle Narrows copper-zinc
project", "its Pilgangoora operation", Spanish "la mina Las Bambas", "el proyecto
Pozuelos Norte": a run of capitalized words right before a site word (after the
mineral words that describe it), or right after a Spanish one. The span is the name
alone. A bare back-reference ("the mine") is no mention.

A run that the gazetteer read as a place, a person or nothing becomes the site: in
"the Santa Cruz copper project" Santa Cruz is the project, not the province.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from extractors.candidates import Candidate
from extractors.token_index import positions_of, word_hashes

SITES_FILE = "sites.yaml"
SITE_WORDS = frozenset(
    [
        "mine",
        "mines",
        "project",
        "projects",
        "deposit",
        "deposits",
        "smelter",
        "refinery",
        "operation",
        "operations",
        "concentrator",
        "prospect",
        "discovery",
        "complex",
        "pit",
        "mill",
    ]
)
SPANISH_SITE_WORDS = frozenset(["mina", "proyecto", "yacimiento", "fundición", "refinería"])
_SITE_HASHES = word_hashes(SITE_WORDS | SPANISH_SITE_WORDS)
MAX_NAME = 4
# Words that may sit between the name and the site word: "copper", "copper-gold",
# "open-pit", "underground" (minerals are read from the candidates).
_DESCRIBERS = frozenset(
    """open pit underground flagship - rare earths earth gold silver copper zinc lead nickel
    lithium cobalt iron ore uranium tin tungsten platinum palladium graphite potash
    phosphate coal""".split()
)
_NOT_NAMES = frozenset(
    ["The", "A", "An", "Its", "Their", "This", "That", "Our", "El", "La", "Las", "Los"]
)
# An organization before "mine" owns it ("the Codelco mine"); these convert to a site.
_CONVERTIBLE = frozenset(["place", "person"])


def site_candidates(doc: Doc, chosen: list[Candidate]) -> list[Candidate]:
    """Site spans by pattern; ``chosen`` are the rule candidates already selected."""
    minerals = {i for c in chosen if c.type == "mineral" for i in range(c.start, c.end)}
    found = []
    for index in positions_of(doc, _SITE_HASHES, lower=True):
        token = doc[index]
        if token.lower_ in SITE_WORDS:
            end = _skip_describers(doc, token.i, minerals)
            span = _name_before(doc, end)
        elif token.lower_ in SPANISH_SITE_WORDS and not token.is_title:
            span = _name_after(doc, token.i + 1)
        else:
            continue
        if span is not None:
            found.append(Candidate(span[0], span[1], "", "site", "pattern"))
    return [c for c in found if _convertible(c, chosen)]


def _skip_describers(doc: Doc, index: int, minerals: set[int]) -> int:
    """The end of the name: walk left over mineral words and describers."""
    end = index
    while end > 0 and (end - 1 in minerals or doc[end - 1].lower_ in _DESCRIBERS):
        end -= 1
    return end


def _name_before(doc: Doc, end: int) -> tuple[int, int] | None:
    start = end
    while start > 0 and end - start < MAX_NAME and _name_word(doc[start - 1]):
        start -= 1
    while start < end and (doc[start].text in _NOT_NAMES or doc[start].text == "-"):
        start += 1
    return (start, end) if start < end and doc[start].is_title else None


def _name_after(doc: Doc, start: int) -> tuple[int, int] | None:
    end = start
    while end < len(doc) and end - start < MAX_NAME and _name_word(doc[end]):
        end += 1
    while end > start and doc[end - 1].text == "-":
        end -= 1
    return (start, end) if start < end and doc[start].is_title else None


def _name_word(token: Token) -> bool:
    if token.text == "-":
        return True
    if "\n" in token.whitespace_ or not token.is_alpha:
        return False
    if token.text in ("de", "del"):
        return True
    return token.is_title and not (token.is_sent_start and token.is_stop)


def _convertible(site: Candidate, chosen: list[Candidate]) -> bool:
    """The name overlaps nothing, or exactly one place, person or site read by the rules."""
    overlapping = [c for c in chosen if c.overlaps(site)]
    return all(
        c.type in _CONVERTIBLE and (c.start, c.end) == (site.start, site.end) for c in overlapping
    )
