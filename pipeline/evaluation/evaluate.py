"""``minewatch evaluate DIR``: precision and recall of ``analyze`` against gold annotations.

Entities are scored twice per type: by canonical id per article (did we find that the
article mentions lithium?) and by mention span (did we find every "lithium" and
nothing else?). Page checks (text start, furniture removed, metadata, officials) are
listed when they fail. DIR holds ``pages/`` and ``gold/``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.evaluation.events import EventReport, events_json, render_events, score_events
from pipeline.evaluation.gold import Gold, Span, gold_spans, load_gold, locate
from pipeline.evaluation.scores import HEADER, Counts
from pipeline.output import JsonObject, article_json
from pipeline.records import ENTITY_TYPES
from pipeline.stages import Analyzer

LEVELS = ("id", "span")
# Scored on the real-style pages only: implied countries, the document's countries
# (named and implied), and news agencies credited as the source.
EXTRA_ROWS = ("country implied", "country document", "attribution")


@dataclass
class Report:
    scores: dict[tuple[str, str], Counts] = field(default_factory=dict)  # (level, type)
    findings: list[str] = field(default_factory=list)  # misses and false hits
    failed_checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # broken gold or inputs
    pages: int = 0
    events: EventReport = field(default_factory=EventReport)
    event_pages: int = 0

    def counts(self, level: str, type_: str) -> Counts:
        return self.scores.setdefault((level, type_), Counts())


def evaluate_directory(directory: Path, analyzer: Analyzer, split: str | None = None) -> Report:
    """Score every gold file of ``directory`` (only those of ``split`` when given)."""
    golds = [load_gold(p) for p in sorted((directory / "gold").glob("*.json"))]
    golds = [g for g in golds if split is None or g.split == split]
    sources = [str(directory / "pages" / g.page) for g in golds]
    report = Report(pages=len(golds))
    for gold, outcome in zip(golds, analyzer.analyze(sources), strict=True):
        if gold.rejected:
            if outcome.failure is None:
                report.failed_checks.append(f"{gold.page}: expected extraction to reject it")
        elif outcome.failure is not None:
            report.problems.append(f"{gold.page}: {outcome.failure.one_line()}")
        else:
            assert outcome.analyzed is not None
            score_article(article_json(outcome.analyzed), gold, report)
    return report


def score_article(output: JsonObject, gold: Gold, report: Report) -> None:
    report.failed_checks.extend(page_checks(output, gold))
    if gold.entities is not None:
        score_entities(output, gold, report)
    if gold.events is not None:
        report.event_pages += 1
        score_events(gold.page, output, gold.events, report.events)


def score_entities(output: JsonObject, gold: Gold, report: Report) -> None:
    text = str(output["text"])
    expected, problems = gold_spans(gold, text)
    report.problems.extend(problems)
    found = predicted_spans(output)
    for type_ in gold.entity_types:
        gold_of = {s for s in expected if s[0].startswith(f"{type_}:")}
        found_of = {s for s in found if s[0].startswith(f"{type_}:")}
        report.counts("span", type_).add(gold_of, found_of)
        report.counts("id", type_).add({s[0] for s in gold_of}, {s[0] for s in found_of})
        report.findings.extend(_differences(gold.page, text, gold_of, found_of))
    if gold.split is not None:
        score_countries(output, gold, expected, report)


def score_countries(output: JsonObject, gold: Gold, expected: set[Span], report: Report) -> None:
    """Implied countries on their own row, and the document's countries named or implied;
    and the agencies credited as the story's source."""
    entities = _objects(output.get("entities"))
    implied = {str(e["id"]) for e in entities if e.get("implied") is True}
    named = {s[0] for s in predicted_spans(output) if s[0].startswith("country:")}
    gold_named = {s[0] for s in expected if s[0].startswith("country:")}
    report.counts("id", "country implied").add(set(gold.implied_countries), implied)
    both = gold_named | gold.implied_countries
    report.counts("id", "country document").add(both, named | implied)
    credited = {str(e["id"]) for e in entities if e.get("attribution") is True}
    report.counts("id", "attribution").add(set(gold.attribution), credited)
    for missing in sorted(gold.implied_countries - implied):
        report.findings.append(f"{gold.page}: miss implied {missing}")
    for extra in sorted(implied - gold.implied_countries):
        report.findings.append(f"{gold.page}: false implied {extra}")


def predicted_spans(output: JsonObject) -> set[Span]:
    spans: set[Span] = set()
    for entity in _objects(output.get("entities")):
        for mention in _objects(entity.get("mentions")):
            spans.add((str(entity["id"]), int(str(mention["start"])), int(str(mention["end"]))))
    return spans


def page_checks(output: JsonObject, gold: Gold) -> list[str]:
    text = str(output["text"])
    failed = []
    if gold.starts_with and not text.startswith(gold.starts_with):
        failed.append(f"{gold.page}: text starts {text[:60]!r}, not {gold.starts_with!r}")
    failed += [f"{gold.page}: text contains furniture {s!r}" for s in gold.excludes if s in text]
    for key, value in gold.metadata.items():
        if output.get(key) != value:
            failed.append(f"{gold.page}: {key} is {output.get(key)!r}, expected {value!r}")
    failed += _official_checks(output, gold)
    failed += _not_mention_checks(output, gold, text)
    return failed


def _official_checks(output: JsonObject, gold: Gold) -> list[str]:
    entities = {str(e["id"]): e for e in _objects(output.get("entities"))}
    failed = []
    for person_id, country in gold.officials.items():
        entity = entities.get(person_id)
        countries = (
            {str(r.get("country")) for r in _objects(entity.get("roles"))} if entity else set()
        )
        if entity is None or entity.get("official") is not True or country not in countries:
            failed.append(f"{gold.page}: {person_id} should be an official of {country}")
    return failed


def _not_mention_checks(output: JsonObject, gold: Gold, text: str) -> list[str]:
    """Only tags of the types the gold annotates: an older page's "places that are not
    countries" may be tagged as places."""
    types = tuple(f"{t}:" for t in gold.entity_types)
    spans = {s for s in predicted_spans(output) if s[0].startswith(types)}
    failed = []
    for phrase in gold.not_mentions:
        located = locate(phrase, text)
        if isinstance(located, str):
            continue  # absent (or repeated) phrases cannot be tagged as themselves
        start, end = located
        hits = [s for s in spans if start <= s[1] and s[2] <= end]
        if hits:
            failed.append(
                f"{gold.page}: {phrase!r} is tagged ({', '.join(sorted(h[0] for h in hits))})"
            )
    return failed


def _differences(page: str, text: str, gold: set[Span], found: set[Span]) -> Iterable[str]:
    for entity_id, start, end in sorted(gold - found, key=lambda s: s[1]):
        yield f"{page}: miss {entity_id} {text[start:end]!r} at {start}"
    for entity_id, start, end in sorted(found - gold, key=lambda s: s[1]):
        yield f"{page}: false hit {entity_id} {text[start:end]!r} at {start}"


def _objects(value: object) -> list[dict[str, object]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def report_json(report: Report) -> JsonObject:
    return {
        "pages": report.pages,
        "scores": {f"{lv}/{t}": c.as_json() for (lv, t), c in sorted(report.scores.items())},
        "events": events_json(report.events, report.event_pages),
        "findings": report.findings,
        "failed_checks": report.failed_checks,
        "problems": report.problems,
    }


def render_report(report: Report, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report_json(report), ensure_ascii=False, indent=2)
    lines = [f"pages: {report.pages}", "", f"entities{HEADER[8:]}"]
    for type_ in ENTITY_TYPES:
        for level in LEVELS:
            lines.append(report.counts(level, type_).row(f"{type_} {level}"))
    for row in EXTRA_ROWS:
        if ("id", row) in report.scores:
            lines.append(report.counts("id", row).row(row))
    lines += render_events(report.events, report.event_pages)
    for title, items in (
        ("misses and false hits", report.findings + report.events.findings),
        ("failed checks", report.failed_checks),
        ("problems", report.problems),
    ):
        lines += ["", f"{title}: {len(items)}", *(f"  {item}" for item in items)]
    return "\n".join(lines)
