"""Persons and organizations from the statistical model, where the rules found nothing.

The small English model calls minerals persons and newsletters organizations
(DESIGN.md, Pitfalls), so a model entity is kept only when it overlaps no rule
entity and looks like a name: title-case words, no digits, not a law, list or plan.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

from extractors.candidates import Candidate

_NOT_ORG_ENDINGS = frozenset(
    [
        "act",
        "acts",
        "list",
        "lists",
        "order",
        "orders",
        "plan",
        "plans",
        "index",
        "report",
        "version",
        "newsletter",
        "ministerial",
        "agreement",
        "strategy",
        "program",
        "programme",
        "initiative",
        "law",
        "bill",
        "treaty",
        "summit",
        "conference",
        "day",
        "week",
        "month",
        "year",
    ]
)
# Generic capitalized words the model calls organizations on their own (issue 11, class 5).
_GENERIC_ORGS = frozenset(
    """company council congress trade planning board government ministry department
    commission committee parliament senate agency bureau office court union mining
    minerals metals resources energy fertilizer fertilizers exchange market""".split()
)
_LEADING_NOISE = frozenset(("the", "a", "an", "la", "el", "los", "las"))
_TRAILING_NOISE = frozenset(("’s", "'s", "’", "'"))


def model_candidates(doc: Doc, rules: list[Candidate]) -> list[Candidate]:
    occupied = {i for c in rules for i in range(c.start, c.end)}
    found = []
    for ent in doc.ents:
        if ent.label_ not in ("PERSON", "ORG"):
            continue
        span = _trim(ent)
        if span is not None and ent.label_ == "PERSON":
            span = _with_hyphenated_tail(span)
        if span is None or not occupied.isdisjoint(range(span.start, span.end)):
            continue
        if ent.label_ == "PERSON" and _looks_like_person(span):
            found.append(Candidate(span.start, span.end, "", "person", "model"))
        elif ent.label_ == "ORG" and _looks_like_organization(span):
            found.append(Candidate(span.start, span.end, "", "organization", "model"))
    return found


def _with_hyphenated_tail(span: Span) -> Span:
    """ "Siobhan Garraway-Pratt": the model often stops at the hyphen."""
    return span.doc[span.start : hyphenated_end(span.doc, span.end - 1)]


def hyphenated_end(doc: Doc, index: int) -> int:
    """The end of a hyphenated name written without spaces ("Ashcombe-Reid"), or index+1."""
    end = index + 1
    while (
        end + 1 < len(doc)
        and doc[end].text == "-"
        and not doc[end - 1].whitespace_
        and not doc[end].whitespace_
        and doc[end + 1].is_title
    ):
        end += 2
    return end


def _trim(span: Span) -> Span | None:
    start, end = span.start, span.end
    while start < end and span.doc[start].lower_ in _LEADING_NOISE:
        start += 1
    while end > start and span.doc[end - 1].text in _TRAILING_NOISE:
        end -= 1
    return span.doc[start:end] if end > start else None


def _title_words(span: Span) -> bool:
    words = [t for t in span if not t.is_punct]
    return bool(words) and all(t.is_title or t.is_upper for t in words if t.is_alpha)


def _clean(span: Span) -> bool:
    return "\n" not in span.text and not any(t.like_num or t.is_space for t in span)


def _looks_like_person(span: Span) -> bool:
    words = [t for t in span if t.is_alpha]
    return len(words) >= 2 and _clean(span) and all(t.is_title for t in words)


def _looks_like_organization(span: Span) -> bool:
    if not _clean(span) or not _title_words(span):
        return False
    if span[-1].lower_ in _NOT_ORG_ENDINGS:
        return False
    if len(span) == 1 and span[0].lower_ in _GENERIC_ORGS:
        return False
    if any(t.text in ("<", ">") for t in span):
        return False
    return len(span) > 1 or len(span.text) > 2
