"""Candidate spans from every tagging source, and the rule that picks among overlaps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from pipeline.records import EntityType, Role, TagSource, slugify

CandidateType = EntityType | Literal["BLOCK"]
# At equal length, a blocklist phrase beats a gazetteer entry, which beats a pattern.
_PRIORITY: dict[str, int] = {"BLOCK": 0}
_SOURCE_PRIORITY: dict[TagSource, int] = {"gazetteer": 1, "pattern": 2, "surname": 3, "model": 4}


@dataclass(frozen=True)
class Candidate:
    """A token span ``[start, end)`` with its entity; ``entity_id`` is empty for a pattern
    or model find, whose id is made from its own text."""

    start: int
    end: int
    entity_id: str
    type: CandidateType
    source: TagSource
    role: Role | None = None
    trim_end: int = 0  # characters cut from the span's end ("Corp." -> "Corp")
    attribution: bool = False  # a news agency credited in the dateline

    @property
    def length(self) -> int:
        return self.end - self.start

    @staticmethod
    def person_id(name: str) -> str:
        return f"person:{slugify(name)}"

    def overlaps(self, other: Candidate) -> bool:
        return self.start < other.end and other.start < self.end


def select_non_overlapping(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Longest span first; at equal length the more trusted source; then leftmost."""
    ordered = sorted(
        candidates,
        key=lambda c: (-c.length, _PRIORITY.get(c.type, _SOURCE_PRIORITY[c.source]), c.start),
    )
    taken: list[Candidate] = []
    occupied: set[int] = set()
    for candidate in ordered:
        tokens = range(candidate.start, candidate.end)
        if occupied.isdisjoint(tokens):
            taken.append(candidate)
            occupied.update(tokens)
    return sorted(taken, key=lambda c: c.start)
