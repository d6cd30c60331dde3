"""When a place name in the text is a place (issue 11, class 2).

- A name that is also a common word, a given name or another thing (Mobile, Reading,
  Nice, Victoria, Georgia, Santiago) is a place only with a place cue: a locative
  word before it ("in", "near", "from", "city of"), a comma and a place or country
  after it ("Victoria, British Columbia"), or "-based" after it. Datelines are found
  separately (``extractors.datelines``).
- No place name is a place inside a longer capitalized name ("Héctor Santiago Rivas",
  "Perth Mint") or as the subject of a speech verb ("Santiago said"): that is a person
  or an organization.
- The countries Jordan and Chad (also given names) follow the same longer-name rule.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from extractors.model_needs import CALENDAR_WORDS

_CUE_BEFORE = frozenset(
    ["in", "near", "at", "from", "outside", "to", "of", "around", "across", "en", "de", "desde"]
)
_SPEECH = frozenset(["said", "says", "told", "added", "noted", "explained", "stated", "dijo"])
# Capitalized words that may follow a place without making it part of another name.
_PLACE_FOLLOWERS = frozenset(
    """Province State Region Territory County City Basin Valley Desert Belt Mountains
    Range District Oblast Department Shire Area""".split()
)
NAME_LIKE_COUNTRIES = frozenset(["Jordan", "Chad", "Georgia"])


def place_ok(span: Span, ambiguous: bool) -> bool:
    if _inside_longer_name(span) or _speaker(span):
        return False
    return not ambiguous or _place_cue(span)


def country_ok(span: Span) -> bool:
    return span.text not in NAME_LIKE_COUNTRIES or not _inside_longer_name(span)


def _neighbour(span: Span, step: int) -> Token | None:
    index = span.start - 1 if step < 0 else span.end
    return span.doc[index] if 0 <= index < len(span.doc) else None


def _inside_longer_name(span: Span) -> bool:
    before, after = _neighbour(span, -1), _neighbour(span, 1)
    if (
        before is not None
        and _name_word(before)
        and not before.is_sent_start
        and "\n" not in before.whitespace_
    ):
        return True
    return (
        after is not None
        and _name_word(after)
        and after.text not in _PLACE_FOLLOWERS
        and "\n" not in span[-1].whitespace_
    )


def _name_word(token: Token) -> bool:
    return (
        token.is_alpha
        and token.is_title
        and not token.is_stop
        and token.lower_ not in CALENDAR_WORDS
    )


def _speaker(span: Span) -> bool:
    """ "Santiago said", but not "traders in Shanghai said"."""
    before, after = _neighbour(span, -1), _neighbour(span, 1)
    located = before is not None and before.lower_ in _CUE_BEFORE
    return after is not None and after.lower_ in _SPEECH and not located


def _place_cue(span: Span) -> bool:
    before, after = _neighbour(span, -1), _neighbour(span, 1)
    if before is not None and before.lower_ in _CUE_BEFORE:
        return True
    if after is None:
        return False
    if after.text == "-" and span.end + 1 < len(span.doc):
        return span.doc[span.end + 1].lower_ == "based"
    return after.text == "," and span.end + 1 < len(span.doc) and span.doc[span.end + 1].is_title
