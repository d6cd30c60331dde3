"""Later mentions of a company or a site by a shorter name (issue 11).

Like a surname, a short name resolves to what was named in full before it, outside the
spans the rules chose:
- a company found by pattern: "Kestrel Copper Corp" then "Kestrel said"; "Kestrel
  Ridge Resources Ltd" then "Kestrel Ridge" (its first word, its name without the trade
  word and the legal suffix);
- a site found by pattern: "the Cerro Mariposa copper-gold project" then "drilling at
  Cerro Mariposa";
- any organization followed by an acronym in parentheses: "Ministry of Mines and Energy
  of Brazil (MME)" then "MME".
"""

from __future__ import annotations

from spacy.tokens import Doc

from extractors.candidates import Candidate, CandidateType
from extractors.companies import OPENING_WORDS, TRADE_WORDS, is_suffix
from extractors.token_index import positions_of, word_hashes

MAX_WORDS = 4
# short name words -> (entity id, type, the token after which it may be used)
Names = dict[tuple[str, ...], tuple[str, CandidateType, int]]


def short_name_candidates(doc: Doc, chosen: list[Candidate]) -> list[Candidate]:
    names = _short_names(doc, chosen)
    if not names:
        return []
    taken = {i for c in chosen for i in range(c.start, c.end)}
    first_words = word_hashes(key[0] for key in names)
    found: list[Candidate] = []
    after = 0
    for index in positions_of(doc, first_words):
        if index < after:
            continue
        match = _match_at(doc, index, names, taken)
        if match is not None:
            found.append(match)
            after = match.end
    return found


def _short_names(doc: Doc, chosen: list[Candidate]) -> Names:
    names: Names = {}
    for candidate in chosen:
        if candidate.source == "pattern" and candidate.type == "organization":
            _company_names(doc, candidate, names)
        elif candidate.source == "pattern" and candidate.type == "site":
            words = tuple(t.text for t in doc[candidate.start : candidate.end])
            names.setdefault(words, (candidate.entity_id, "site", candidate.end))
        if candidate.type == "organization":
            _acronym(doc, candidate, names)
    return names


def _company_names(doc: Doc, candidate: Candidate, names: Names) -> None:
    words = [t.text for t in doc[candidate.start : candidate.end]]
    while words and (is_suffix(words[-1]) or not words[-1].isalpha()):
        words = words[:-1]
    while len(words) > 1 and words[-1] in TRADE_WORDS:
        words = words[:-1]
    for size in range(1, min(len(words), MAX_WORDS) + 1):
        key = tuple(words[:size])
        if size == 1 and (len(key[0]) <= 3 or key[0] in OPENING_WORDS):
            continue
        names.setdefault(key, (candidate.entity_id, "organization", candidate.end))


def _acronym(doc: Doc, candidate: Candidate, names: Names) -> None:
    end = candidate.end
    if end + 2 < len(doc) and doc[end].text == "(" and doc[end + 2].text == ")":
        acronym = doc[end + 1]
        if acronym.is_upper and acronym.is_alpha and len(acronym) >= 2 and candidate.entity_id:
            names.setdefault((acronym.text,), (candidate.entity_id, "organization", end))


def _match_at(doc: Doc, index: int, names: Names, taken: set[int]) -> Candidate | None:
    for size in range(MAX_WORDS, 0, -1):
        end = index + size
        key = tuple(t.text for t in doc[index:end])
        known = names.get(key) if len(key) == size else None
        if known is None or index < known[2] or taken.intersection(range(index, end)):
            continue
        after = doc[end] if end < len(doc) else None
        if after is not None and after.is_title and after.is_alpha and not after.is_sent_start:
            continue
        return Candidate(index, end, known[0], known[1], "pattern")
    return None
