"""The pure matching function: from an article's facts (and, for first-mention and
spike rules, counts from the store) to matches. No I/O, no clock: ``now`` is given.

A match is keyed by its rule and ``story_key``: the article cluster for mentions and
first mentions, the event cluster for events, the entities and day for spikes. The
writer (:mod:`alerts.hook`) never fires a key twice.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from alerts.facts import ArticleFacts, EntityHistory, EventFacts
from alerts.rules import Rule


@dataclass(frozen=True)
class Match:
    rule: Rule
    story_key: str
    why: str
    entities: tuple[str, ...]
    evidence: str
    event_type: str | None = None


def fresh(rule: Rule, facts: ArticleFacts, now: dt.datetime) -> bool:
    """The guards: stored after the rule first appeared, published within max_age_days."""
    if facts.stored_at < rule.first_seen_at:
        return False
    return facts.day >= (now - dt.timedelta(days=rule.max_age_days)).date()


def match_article(
    rules: Sequence[Rule],
    facts: ArticleFacts,
    history: Mapping[int, EntityHistory],
    now: dt.datetime,
    *,
    guards: bool = True,
) -> list[Match]:
    """Every match of ``rules`` on the article (``guards=False``: what `alerts test`
    shows, ignoring the rule's age and the article's)."""
    found: list[Match] = []
    for rule in rules:
        if guards and not fresh(rule, facts, now):
            continue
        matcher = _MATCHERS.get(rule.kind)
        if matcher is not None:
            found.extend(matcher(rule, facts, history))
    return found


def _entities_ok(rule: Rule, present: frozenset[str]) -> bool:
    return rule.all_of <= present and all(not ids.isdisjoint(present) for ids in rule.filters)


def _wanted(rule: Rule) -> frozenset[str]:
    return rule.all_of.union(*rule.filters)


def _mention(
    rule: Rule, facts: ArticleFacts, history: Mapping[int, EntityHistory]
) -> Iterator[Match]:
    present = frozenset(facts.counts)
    if not _entities_ok(rule, present):
        return
    matched = sorted(_wanted(rule) & present)
    if rule.in_title and not facts.in_title.intersection(matched):
        return
    if max(facts.counts[e] for e in matched) < rule.min_mentions:
        return
    names = ", ".join(facts.names.get(e, e) for e in matched)
    evidence = facts.evidence_for(matched)
    yield Match(rule, facts.story_key, f"mentions {names}", tuple(matched), evidence)


def _event_ok(rule: Rule, event: EventFacts) -> bool:
    if event.type not in rule.types:
        return False
    if rule.polarity != "any" and event.polarity != rule.polarity:
        return False
    return _entities_ok(rule, event.participants)


def _event(
    rule: Rule, facts: ArticleFacts, history: Mapping[int, EntityHistory]
) -> Iterator[Match]:
    seen: set[int] = set()
    for event in facts.events:
        if event.cluster_id in seen or not _event_ok(rule, event):
            continue
        seen.add(event.cluster_id)
        who = sorted(event.participants)
        names = ", ".join(facts.names.get(e, e) for e in who) or "no named participant"
        yield Match(
            rule,
            f"event:{event.cluster_id}",
            f"{event.polarity} {event.type} event ({event.trigger}): {names}",
            tuple(who),
            event.sentence,
            event.type,
        )


def _names_all(rule: Rule, facts: ArticleFacts) -> bool:
    return all(e in facts.counts for e in rule.entities)


def _first_mention(
    rule: Rule, facts: ArticleFacts, history: Mapping[int, EntityHistory]
) -> Iterator[Match]:
    if not _names_all(rule, facts) or history.get(rule.id, EntityHistory()).seen_before:
        return
    names = " with ".join(facts.names.get(e, e) for e in rule.entities)
    window = f" in {rule.days} days" if rule.days else ""
    key = f"first:{'+'.join(rule.entities)}:{facts.story_key}"
    evidence = facts.evidence_for(rule.entities)
    yield Match(rule, key, f"first mention of {names}{window}", rule.entities, evidence)


def is_spike(counts: Sequence[int], today: int, k: float, min_count: int) -> bool:
    """``today`` is a spike over ``counts`` (the previous days): at least ``min_count``
    and above their mean plus ``k`` population standard deviations."""
    if today < min_count:
        return False
    if not counts:
        return True
    mean = sum(counts) / len(counts)
    std = math.sqrt(sum((c - mean) ** 2 for c in counts) / len(counts))
    return today > mean + k * std


def _spike(
    rule: Rule, facts: ArticleFacts, history: Mapping[int, EntityHistory]
) -> Iterator[Match]:
    found = history.get(rule.id)
    if found is None or not _names_all(rule, facts):
        return
    if not is_spike(found.previous, found.today, rule.k, rule.min_count):
        return
    names = " with ".join(facts.names.get(e, e) for e in rule.entities)
    mean = sum(found.previous) / len(found.previous) if found.previous else 0.0
    why = f"spike: {found.today} stories on {facts.day} naming {names} (mean {mean:.1f})"
    key = f"spike:{'+'.join(rule.entities)}:{facts.day.isoformat()}"
    yield Match(rule, key, why, rule.entities, facts.evidence_for(rule.entities))


_MATCHERS = {
    "mention": _mention,
    "event": _event,
    "first-mention": _first_mention,
    "spike": _spike,
}
