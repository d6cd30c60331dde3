"""Matching inside the one store function: each rule and story fires once."""

from __future__ import annotations

import datetime as dt

from pipeline.records import Event
from tests.alerts.helpers import TODAY, alerts_config, article, matches, outbox, store, with_rules
from tests.plugins.db import Db

TEXT = (
    "China restricted gallium exports on Monday. Beijing said germanium and gallium "
    "shipments need licences from the commerce ministry, which will review each request "
    "within forty five days. Traders in Rotterdam said prices for the metals used in "
    "chips and solar panels rose sharply after the announcement, while buyers in Japan "
    "and South Korea sought other suppliers. Mexico's lithium output rose in 2026."
)
TAGS = {
    "mineral:gallium": ["gallium"],
    "mineral:germanium": ["germanium"],
    "country:CN": ["China"],
    "mineral:lithium": ["lithium"],
    "country:MX": ["Mexico"],
}
POLICY = Event(
    "policy",
    "restricted",
    "China restricted gallium exports on Monday.",
    0,
    43,
    minerals=("mineral:gallium",),
    countries=("country:CN",),
)
RULES = [
    {"name": "gallium", "kind": "mention", "minerals": ["gallium"], "channels": ["desk"]},
    {
        "name": "gallium-exports",
        "kind": "event",
        "types": ["policy"],
        "minerals": ["gallium", "germanium"],
        "channels": ["desk"],
    },
    {"name": "mx-copper", "kind": "mention", "all_of": ["mineral:copper"], "channels": ["desk"]},
]


def test_a_story_fires_each_rule_once_and_a_copy_updates_the_alert(migrated: Db) -> None:
    with_rules(migrated, alerts_config(RULES))
    assert store(migrated, article(TEXT, TAGS, events=[POLICY])) == ["new"]
    first = matches(migrated)
    assert [(rule, key.split(":")[0]) for rule, key, _ in first] == [
        ("gallium", "article"),
        ("gallium-exports", "event"),
    ]
    assert len(outbox(migrated)) == 2
    # the same page again, and a near copy on another site (one word changed)
    copy = TEXT.replace("Monday", "Monday morning")
    store(migrated, article(TEXT, TAGS, events=[POLICY]))
    syndicated = article(copy, TAGS, url="https://copy.example.org/b", events=[POLICY])
    assert store(migrated, syndicated) == ["new"]
    after = matches(migrated)
    assert [rule for rule, _, _ in after] == ["gallium", "gallium-exports"]
    assert all(linked == [1, 2] for _, _, linked in after)
    assert len(outbox(migrated)) == 2


def test_old_articles_and_articles_before_the_rule_never_fire(migrated: Db) -> None:
    old = TODAY - dt.timedelta(days=30)
    store(migrated, article(TEXT, TAGS, url="https://example.com/before"))
    with_rules(migrated, alerts_config(RULES, max_age_days=7))
    store(migrated, article(TEXT, TAGS, url="https://example.com/before"))  # stored before
    store(migrated, article(TEXT + " Old.", TAGS, url="https://example.com/old", published=old))
    assert matches(migrated) == []


def test_title_and_count_filters(migrated: Db) -> None:
    rules = [
        {
            "name": "title",
            "kind": "mention",
            "minerals": ["lithium"],
            "in_title": True,
            "channels": ["desk"],
        },
        {
            "name": "twice",
            "kind": "mention",
            "minerals": ["gallium"],
            "min_mentions": 2,
            "channels": ["desk"],
        },
        {
            "name": "thrice",
            "kind": "mention",
            "minerals": ["gallium"],
            "min_mentions": 3,
            "channels": ["desk"],
        },
    ]
    with_rules(migrated, alerts_config(rules))
    store(migrated, article(TEXT, TAGS, title="Gallium curbs"))
    assert [rule for rule, _, _ in matches(migrated)] == ["twice"]
