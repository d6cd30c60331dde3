"""Spike and first-mention rules on a generated history with a known answer."""

from __future__ import annotations

import datetime as dt

from alerts.match import is_spike
from tests.alerts.helpers import TODAY, alerts_config, article, matches, store, with_rules
from tests.plugins.db import Db

COUNTER = iter(range(1_000_000))


def stories(db: Db, mineral: str, day: dt.date, count: int, extra: str = "") -> None:
    """``count`` distinct short stories (too short to cluster) published on ``day``."""
    for _ in range(count):
        n = next(COUNTER)
        text = f"Note {n}: {mineral} trade grew.{extra}"
        tags = {f"mineral:{mineral}": [mineral]}
        if extra:
            tags["person:ana-ruiz"] = ["Ana Ruiz"]
        store(db, article(text, tags, url=f"https://x.org/{n}", published=day))


def test_spike_fires_once_on_the_day_above_mean_plus_k_std(migrated: Db) -> None:
    rules = [
        {
            "name": "spike",
            "kind": "spike",
            "entities": [f"mineral:{m}"],
            "days": 7,
            "k": 2,
            "min_count": 3,
            "channels": ["desk"],
        }
        for m in ("gallium",)
    ] + [
        {
            "name": "calm",
            "kind": "spike",
            "entities": ["mineral:lithium"],
            "days": 7,
            "k": 2,
            "min_count": 3,
            "channels": ["desk"],
        }
    ]
    history = zip([1, 2, 1, 2, 1, 2, 1], [0, 0, 0, 6, 0, 0, 0], strict=True)
    for back, (gallium, lithium) in enumerate(history):  # stored before the rules
        day = TODAY - dt.timedelta(days=7 - back)
        stories(migrated, "gallium", day, gallium)
        stories(migrated, "lithium", day, lithium)
    with_rules(migrated, alerts_config(rules, max_age_days=30))
    stories(migrated, "gallium", TODAY, 2)
    assert matches(migrated) == []  # 2 is under min_count
    stories(migrated, "gallium", TODAY, 2)  # 3 > 1.43 + 2 * 0.49; the 4th joins the alert
    stories(migrated, "lithium", TODAY, 3)  # 3 < 0.86 + 2 * 2.10: no spike
    found = matches(migrated)
    assert [(rule, key) for rule, key, _ in found] == [
        ("spike", f"spike:mineral:gallium:{TODAY.isoformat()}")
    ]
    assert len(found[0][2]) == 2  # the third and fourth stories of the day


def test_is_spike_definition() -> None:
    assert is_spike([1, 2, 1, 2, 1, 2, 1], 3, 2.0, 3)
    assert not is_spike([0, 0, 0, 6, 0, 0, 0], 3, 2.0, 3)
    assert not is_spike([0] * 7, 2, 2.0, 3)
    assert is_spike([0] * 7, 3, 2.0, 3)


def test_first_mention_in_n_days_fires_once(migrated: Db) -> None:
    rule = {
        "name": "first",
        "kind": "first-mention",
        "days": 30,
        "entities": ["person:ana-ruiz", "mineral:cobalt"],
        "channels": ["desk"],
    }
    with_rules(migrated, alerts_config([rule], max_age_days=60))
    stories(migrated, "cobalt", TODAY - dt.timedelta(days=40), 1, " Ana Ruiz spoke.")
    assert len(matches(migrated)) == 1  # never named together before
    stories(migrated, "cobalt", TODAY - dt.timedelta(days=35), 1, " Ana Ruiz spoke.")
    stories(migrated, "lithium", TODAY, 1, " Ana Ruiz spoke.")  # not the pair
    assert len(matches(migrated)) == 1
    stories(migrated, "cobalt", TODAY, 1, " Ana Ruiz spoke.")  # 35 days since: first in 30
    stories(migrated, "cobalt", TODAY, 1, " Ana Ruiz spoke.")  # seen today already
    found = matches(migrated)
    assert len(found) == 2
    assert found[1][1].startswith("first:person:ana-ruiz+mineral:cobalt:article:")
