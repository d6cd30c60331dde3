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

from pipeline.gold import Gold, Span, gold_spans, load_gold, locate
from pipeline.output import JsonObject, article_json
from pipeline.records import ENTITY_TYPES
from pipeline.stages import Analyzer

LEVELS = ("id", "span")


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: set[Span] | set[str], found: set[Span] | set[str]) -> None:
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


@dataclass
class Report:
    scores: dict[tuple[str, str], Counts] = field(default_factory=dict)  # (level, type)
    findings: list[str] = field(default_factory=list)  # misses and false hits
    failed_checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # broken gold or inputs
    pages: int = 0

    def counts(self, level: str, type_: str) -> Counts:
        return self.scores.setdefault((level, type_), Counts())


def evaluate_directory(directory: Path, analyzer: Analyzer) -> Report:
    golds = [load_gold(p) for p in sorted((directory / "gold").glob("*.json"))]
    sources = [str(directory / "pages" / g.page) for g in golds]
    report = Report(pages=len(golds))
    for gold, outcome in zip(golds, analyzer.analyze(sources), strict=True):
        if gold.rejected:
            if outcome.failure is None:
                report.failed_checks.append(f"{gold.page}: expected extraction to reject it")
        elif outcome.failure is not None:
            report.problems.append(f"{gold.page}: {outcome.failure.one_line()}")
        else:
            assert outcome.tagged is not None
            score_article(article_json(outcome.tagged), gold, report)
    return report


def score_article(output: JsonObject, gold: Gold, report: Report) -> None:
    text = str(output["text"])
    expected, problems = gold_spans(gold, text)
    report.problems.extend(problems)
    found = predicted_spans(output)
    for type_ in ENTITY_TYPES:
        gold_of = {s for s in expected if s[0].startswith(f"{type_}:")}
        found_of = {s for s in found if s[0].startswith(f"{type_}:")}
        report.counts("span", type_).add(gold_of, found_of)
        report.counts("id", type_).add({s[0] for s in gold_of}, {s[0] for s in found_of})
        report.findings.extend(_differences(gold.page, text, gold_of, found_of))
    report.failed_checks.extend(page_checks(output, gold))


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
    spans = predicted_spans(output)
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
    scores = {
        f"{level}/{type_}": {
            "precision": round(c.precision, 4),
            "recall": round(c.recall, 4),
            "f1": round(c.f1, 4),
            "tp": c.tp,
            "fp": c.fp,
            "fn": c.fn,
        }
        for (level, type_), c in sorted(report.scores.items())
    }
    return {
        "pages": report.pages,
        "scores": scores,
        "findings": report.findings,
        "failed_checks": report.failed_checks,
        "problems": report.problems,
    }


def render_report(report: Report, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report_json(report), ensure_ascii=False, indent=2)
    lines = [
        f"pages: {report.pages}",
        "",
        f"{'type':<14}{'level':<6}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>5}{'fn':>5}",
    ]
    for type_ in ENTITY_TYPES:
        for level in LEVELS:
            c = report.counts(level, type_)
            lines.append(
                f"{type_:<14}{level:<6}{c.precision:>7.3f}{c.recall:>7.3f}{c.f1:>7.3f}{c.tp:>6}{c.fp:>5}{c.fn:>5}"
            )
    for title, items in (
        ("misses and false hits", report.findings),
        ("failed checks", report.failed_checks),
        ("problems", report.problems),
    ):
        lines += ["", f"{title}: {len(items)}", *(f"  {item}" for item in items)]
    return "\n".join(lines)
