"""Datelines: where a wire story was filed, and the agency credited there.

"SANTIAGO, March 4 (Reuters) -", "KINSHASA —", "PERTH, March 6 -", "GENEVA, (Agency /
2nd Apr, 2025)": at the start of a line, a place name in capitals or title case,
followed by a comma, a parenthesis or a dash. The name is a place mention (looked up
in the gazetteer's places, in title case); an agency in the parenthesis that follows
("(Reuters)", "(AP)") is an organization mention credited as the story's source.
"""

from __future__ import annotations

from spacy.tokens import Doc

from extractors.candidates import Candidate
from extractors.token_index import line_starts

AGENCIES = {
    "Reuters": "organization:reuters",
    "AP": "organization:associated-press",
    "AFP": "organization:afp",
    "Bloomberg": "organization:bloomberg",
    "dpa": "organization:dpa",
    "Xinhua": "organization:xinhua",
    "EFE": "organization:efe",
}
MAX_WORDS = 4
_AFTER = frozenset([",", "(", "-", "—", "–"])


def dateline_candidates(doc: Doc, text: str, places: dict[str, str]) -> list[Candidate]:
    """``text`` is ``doc.text``; ``places``: place names as written -> place id."""
    found: list[Candidate] = []
    for index in line_starts(doc, text):
        token = doc[index]
        if not token.is_alpha:
            continue
        end = token.i
        while end < len(doc) and end - token.i < MAX_WORDS and doc[end].is_alpha:
            end += 1
        if end == token.i or end >= len(doc) or doc[end].text not in _AFTER:
            continue
        place = places.get(_title(doc[token.i : end].text))
        if place is None:
            continue
        found.append(Candidate(token.i, end, place, "place", "pattern"))
        found.extend(_agency(doc, end))
    return found


def _title(text: str) -> str:
    return text if not text.isupper() else text.title()


def _agency(doc: Doc, end: int) -> list[Candidate]:
    """The agency in the first parenthesis within a few tokens of the place."""
    for index in range(end, min(end + 6, len(doc) - 2)):
        if doc[index].text == "(":
            agency = AGENCIES.get(doc[index + 1].text)
            if agency is None or doc[index + 2].text not in (")", "/"):
                return []
            return [
                Candidate(index + 1, index + 2, agency, "organization", "pattern", attribution=True)
            ]
        if "\n" in doc[index].whitespace_:
            return []
    return []
