"""The article text cut into pieces for the event page: each piece is plain text,
maybe inside one entity mention, maybe inside the evidence sentence. The template
escapes every piece; nothing here produces HTML."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from models.review_events import MentionSpan


@dataclass(frozen=True)
class Piece:
    text: str
    mention: MentionSpan | None
    evidence: bool


def _non_overlapping(mentions: tuple[MentionSpan, ...], size: int) -> list[MentionSpan]:
    """Mentions left to right; of overlapping ones the earlier (then longer) wins."""
    kept: list[MentionSpan] = []
    end = 0
    for mention in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if mention.start >= end and 0 <= mention.start < mention.end <= size:
            kept.append(mention)
            end = mention.end
    return kept


def pieces(text: str, mentions: tuple[MentionSpan, ...], start: int, end: int) -> list[Piece]:
    """``text`` as pieces, cut at every mention edge and at the evidence ``start``/``end``."""
    kept = _non_overlapping(mentions, len(text))
    cuts = {0, len(text), max(0, min(start, len(text))), max(0, min(end, len(text)))}
    for mention in kept:
        cuts.update((mention.start, mention.end))
    edges = sorted(cuts)
    by_start = {m.start: m for m in kept}
    result: list[Piece] = []
    current: MentionSpan | None = None
    for left, right in itertools.pairwise(edges):
        if current is not None and left >= current.end:
            current = None
        current = by_start.get(left, current)
        result.append(Piece(text[left:right], current, start <= left < end))
    return result
