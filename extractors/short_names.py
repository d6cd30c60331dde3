"""Later mentions of a company by its short name: "Kestrel Copper Corp" then "Kestrel
said"; "Kestrel Ridge Resources Ltd" then "Kestrel Ridge". Like a surname, the short
name resolves to the company named before it, outside the spans the rules chose.
"""

from __future__ import annotations

from spacy.tokens import Doc

from extractors.candidates import Candidate
from extractors.companies import OPENING_WORDS, TRADE_WORDS
from extractors.token_index import positions_of, word_hashes

MAX_WORDS = 3


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


def _short_names(doc: Doc, chosen: list[Candidate]) -> dict[tuple[str, ...], tuple[str, int]]:
    """Short name words -> (organization id, end of its first full mention)."""
    names: dict[tuple[str, ...], tuple[str, int]] = {}
    for candidate in chosen:
        if candidate.type != "organization" or candidate.source != "pattern":
            continue
        words = [t.text for t in doc[candidate.start : candidate.end] if t.is_alpha]
        core = words[:-1] if len(words) > 1 else words
        while len(core) > 1 and core[-1] in TRADE_WORDS:
            core = core[:-1]
        for size in range(1, min(len(core), MAX_WORDS) + 1):
            key = tuple(core[:size])
            if size == 1 and (len(key[0]) <= 3 or key[0] in OPENING_WORDS):
                continue
            names.setdefault(key, (candidate.entity_id, candidate.end))
    return names


def _match_at(
    doc: Doc, index: int, names: dict[tuple[str, ...], tuple[str, int]], taken: set[int]
) -> Candidate | None:
    for size in range(MAX_WORDS, 0, -1):
        end = index + size
        key = tuple(t.text for t in doc[index:end])
        known = names.get(key) if len(key) == size else None
        if known is None or index < known[1] or taken.intersection(range(index, end)):
            continue
        after = doc[end] if end < len(doc) else None
        if after is not None and after.is_title and after.is_alpha and not after.is_sent_start:
            continue
        return Candidate(index, end, known[0], "organization", "pattern")
    return None
