"""Precision, recall and F1 from true positives, false positives and false negatives."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: Set[object], found: Set[object]) -> None:
        self.tp += len(gold & found)
        self.fp += len(found - gold)
        self.fn += len(gold - found)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_json(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }

    def row(self, label: str) -> str:
        """One line of a score table: label, P, R, F1, tp, fp, fn."""
        return (
            f"{label:<20}{self.precision:>7.3f}{self.recall:>7.3f}{self.f1:>7.3f}"
            f"{self.tp:>6}{self.fp:>5}{self.fn:>5}"
        )


HEADER = f"{'':<20}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>5}{'fn':>5}"
