"""Mineral senses the gazetteer alone cannot tell apart (issue 11, classes 6 and 7).

- "iron" is iron ore by default (the seeds' "processes related to iron, steel"), and
  the metal ``mineral:iron`` when the words around it name the metal: "clean iron
  units", "pig iron", "direct reduced iron", "iron metallics".
- "iron and steel" / "iron, steel" names one industry: the steel there is not a
  second commodity mention.
- "steel" inside a company name ("United States Steel", "Nippon Steel") is the
  company: the organization span is longer and wins.
"""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc

from extractors.candidates import Candidate

IRON_ORE = "mineral:iron-ore"
IRON = "mineral:iron"
STEEL = "mineral:steel"
_METAL_AFTER = frozenset(["units", "unit", "metallics", "metal", "powder", "castings", "scrap"])
_METAL_BEFORE = frozenset(["pig", "reduced", "briquetted", "cast", "wrought", "sponge"])


def refine_minerals(doc: Doc, candidates: list[Candidate]) -> list[Candidate]:
    result = []
    for candidate in candidates:
        if candidate.entity_id == IRON_ORE and _iron_metal(doc, candidate):
            candidate = replace(candidate, entity_id=IRON)
        if candidate.entity_id == STEEL and _after_iron(doc, candidate):
            continue
        result.append(candidate)
    return result


def _iron_metal(doc: Doc, candidate: Candidate) -> bool:
    if doc[candidate.start : candidate.end].text.lower() != "iron":
        return False
    after = doc[candidate.end].lower_ if candidate.end < len(doc) else ""
    before = doc[candidate.start - 1].lower_ if candidate.start > 0 else ""
    return after in _METAL_AFTER or before in _METAL_BEFORE


def _after_iron(doc: Doc, candidate: Candidate) -> bool:
    words = [t.lower_ for t in doc[max(0, candidate.start - 2) : candidate.start]]
    return len(words) == 2 and words[0] == "iron" and words[1] in (",", "and", "&")
