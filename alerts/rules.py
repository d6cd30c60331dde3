"""A rule as matching uses it, built from config (:class:`pipeline.alert_config.AlertRule`)
or from the JSON the store keeps, and the index that picks an article's candidates."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.alert_config import AlertRule, AlertsConfig

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Rule:
    """One rule: ``filters`` are any-of lists per entity type (every list given must be
    met), ``all_of`` ids that must all be named; ``entities`` the one or two ids a
    first-mention or spike rule follows."""

    id: int
    name: str
    kind: str
    channels: tuple[str, ...]
    frequency: str | None = None
    filters: tuple[frozenset[str], ...] = ()
    all_of: frozenset[str] = frozenset()
    in_title: bool = False
    min_mentions: int = 1
    types: frozenset[str] = frozenset()
    polarity: str = "positive"
    entities: tuple[str, ...] = ()
    days: int | None = None
    k: float = 3.0
    min_count: int = 3
    sources: tuple[str, ...] = ()
    failures: int = 3
    max_age_days: int = 7
    first_seen_at: dt.datetime = EPOCH
    snoozed_until: dt.datetime | None = None
    muted_until: dt.datetime | None = None

    def required(self) -> frozenset[str]:
        """Ids of which an article must name at least one for the rule to match."""
        if self.entities:
            return frozenset(self.entities[:1])
        if self.all_of:
            return frozenset(sorted(self.all_of)[:1])
        if self.filters:
            return min(self.filters, key=len)
        return frozenset()


def definition(rule: AlertRule, config: AlertsConfig) -> dict[str, Any]:
    """The JSON the store keeps for ``rule`` (what the store hook matches with)."""
    return {
        "channels": list(rule.channels),
        "frequency": rule.frequency,
        "filters": [list(ids) for ids in rule.filters().values()],
        "all_of": sorted(rule.all_of),
        "in_title": rule.in_title,
        "min_mentions": rule.min_mentions,
        "types": sorted(rule.types),
        "polarity": rule.polarity,
        "entities": list(rule.entities),
        "days": rule.days,
        "k": rule.k,
        "min_count": rule.min_count,
        "sources": list(rule.sources),
        "failures": rule.failures,
        "max_age_days": config.max_age_days,
    }


def from_definition(
    rule_id: int, name: str, kind: str, data: Mapping[str, Any], **state: Any
) -> Rule:
    return Rule(
        id=rule_id,
        name=name,
        kind=kind,
        channels=tuple(data["channels"]),
        frequency=data.get("frequency"),
        filters=tuple(frozenset(ids) for ids in data.get("filters", [])),
        all_of=frozenset(data.get("all_of", [])),
        in_title=bool(data.get("in_title", False)),
        min_mentions=int(data.get("min_mentions", 1)),
        types=frozenset(data.get("types", [])),
        polarity=str(data.get("polarity", "positive")),
        entities=tuple(data.get("entities", [])),
        days=data.get("days"),
        k=float(data.get("k", 3.0)),
        min_count=int(data.get("min_count", 3)),
        sources=tuple(data.get("sources", [])),
        failures=int(data.get("failures", 3)),
        max_age_days=int(data.get("max_age_days", 7)),
        **state,
    )


@dataclass(frozen=True)
class RuleIndex:
    """Rules by the ids (or event types) an article must carry for them to match."""

    by_entity: Mapping[str, tuple[Rule, ...]] = field(default_factory=dict)
    by_event_type: Mapping[str, tuple[Rule, ...]] = field(default_factory=dict)
    unindexed: tuple[Rule, ...] = ()
    rules: tuple[Rule, ...] = ()

    @classmethod
    def build(cls, rules: Iterable[Rule]) -> RuleIndex:
        by_entity: dict[str, list[Rule]] = defaultdict(list)
        by_type: dict[str, list[Rule]] = defaultdict(list)
        unindexed: list[Rule] = []
        every = tuple(r for r in rules if r.kind != "source-health")
        for rule in every:
            required = rule.required()
            if rule.kind == "event" and not required:
                for type_ in rule.types:
                    by_type[type_].append(rule)
            elif required:
                for entity_id in required:
                    by_entity[entity_id].append(rule)
            else:
                unindexed.append(rule)
        return cls(
            {k: tuple(v) for k, v in by_entity.items()},
            {k: tuple(v) for k, v in by_type.items()},
            tuple(unindexed),
            every,
        )

    def candidates(self, entity_ids: Iterable[str], event_types: Iterable[str]) -> list[Rule]:
        """The rules that may match an article naming these ids and event types."""
        seen: dict[int, Rule] = {r.id: r for r in self.unindexed}
        for entity_id in entity_ids:
            for rule in self.by_entity.get(entity_id, ()):
                seen[rule.id] = rule
        for type_ in event_types:
            for rule in self.by_event_type.get(type_, ()):
                seen[rule.id] = rule
        return [seen[key] for key in sorted(seen)]
