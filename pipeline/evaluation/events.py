"""Event scores for ``minewatch evaluate``.

An extracted event matches a gold event when the type agrees and the evidence
sentence starts with the gold sentence; matching is one to one, preferring the same
polarity and then the larger participant overlap. Per type: precision, recall, F1.
Of the matched events: the share whose participant set is exactly right, and the
shares with the right polarity and date. ``render_events`` prints them, with a row for
all types together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.evaluation.gold import GoldEvent
from pipeline.evaluation.scores import HEADER, Counts
from pipeline.output import JsonObject
from pipeline.records import EVENT_TYPES

PARTICIPANT_KEYS = ("minerals", "countries", "organizations", "persons")


@dataclass
class EventReport:
    by_type: dict[str, Counts] = field(default_factory=dict)
    matched: int = 0
    exact_participants: int = 0
    right_polarity: int = 0
    right_date: int = 0
    findings: list[str] = field(default_factory=list)

    def counts(self, type_: str) -> Counts:
        return self.by_type.setdefault(type_, Counts())

    def share(self, value: int) -> float:
        return value / self.matched if self.matched else 1.0

    def total(self) -> Counts:
        """All types together."""
        counts = self.by_type.values()
        return Counts(
            tp=sum(c.tp for c in counts), fp=sum(c.fp for c in counts), fn=sum(c.fn for c in counts)
        )


def render_events(report: EventReport, pages: int) -> list[str]:
    """The event table: P/R/F1 per type and all together, then participant, polarity and
    date accuracy over the matched events."""
    lines = ["", f"events ({pages} pages with event gold)", f"events{HEADER[6:]}"]
    lines += [report.counts(t).row(t) for t in EVENT_TYPES if t in report.by_type]
    lines.append(report.total().row("all"))
    lines.append(
        f"matched {report.matched}: "
        + ", ".join(
            f"{label} {report.share(value):.3f} ({value}/{report.matched})"
            for label, value in (
                ("participants exact", report.exact_participants),
                ("polarity right", report.right_polarity),
                ("date right", report.right_date),
            )
        )
    )
    return lines


def events_json(report: EventReport, pages: int) -> JsonObject:
    return {
        "pages": pages,
        "by_type": {t: c.as_json() for t, c in sorted(report.by_type.items())},
        "all": report.total().as_json(),
        "matched": report.matched,
        "exact_participants": round(report.share(report.exact_participants), 4),
        "right_polarity": round(report.share(report.right_polarity), 4),
        "right_date": round(report.share(report.right_date), 4),
        "findings": report.findings,
    }


def score_events(
    page: str, output: JsonObject, gold: tuple[GoldEvent, ...], report: EventReport
) -> None:
    events = output.get("events")
    found = [e for e in events if isinstance(e, dict)] if isinstance(events, list) else []
    unmatched = list(found)
    for expected in gold:
        match = _best_match(expected, unmatched)
        if match is None:
            report.counts(expected.type).fn += 1
            report.findings.append(f"{page}: missed {expected.type} event {expected.sentence!r}")
            continue
        unmatched.remove(match)
        report.counts(expected.type).tp += 1
        _score_match(page, expected, match, report)
    for extra in unmatched:
        report.counts(str(extra["type"])).fp += 1
        report.findings.append(
            f"{page}: false {extra['type']} event {str(extra['sentence'])[:70]!r}"
        )


def participants(event: dict[str, object]) -> frozenset[str]:
    values = (event.get(key) for key in PARTICIPANT_KEYS)
    return frozenset(str(p) for value in values if isinstance(value, list) for p in value)


def _best_match(
    expected: GoldEvent, candidates: list[dict[str, object]]
) -> dict[str, object] | None:
    same = [
        c
        for c in candidates
        if c.get("type") == expected.type
        and str(c.get("sentence", "")).startswith(expected.sentence)
    ]
    if not same:
        return None
    return max(
        same,
        key=lambda c: (
            c.get("polarity") == expected.polarity,
            len(participants(c) & expected.participants),
        ),
    )


def _score_match(
    page: str, expected: GoldEvent, match: dict[str, object], report: EventReport
) -> None:
    report.matched += 1
    got = participants(match)
    if got == expected.participants:
        report.exact_participants += 1
    else:
        missing = ", ".join(sorted(expected.participants - got)) or "-"
        extra = ", ".join(sorted(got - expected.participants)) or "-"
        label = f"{page}: {expected.type} {expected.sentence[:40]!r}"
        report.findings.append(f"{label}: participants missing {missing}; extra {extra}")
    report.right_polarity += match.get("polarity") == expected.polarity
    report.right_date += match.get("date") == expected.date
