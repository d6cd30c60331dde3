"""Delivery to real receivers on loopback: retries with one idempotency key, dead rows
and retry, digests, rate limits, snooze, and two dispatchers at once."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update

from alerts.dispatch import PassReport, deliver
from alerts.send import KEY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from models.alert_outbox import retry
from models.alert_schema import AlertAttemptModel, AlertRuleModel
from models.crawl_store import read, write
from models.schema import utcnow
from pipeline.alert_config import AlertsConfig
from tests.alerts.helpers import alerts_config, article, outbox, store, with_rules
from tests.alerts.receivers import Webhook, webhook
from tests.plugins.db import Db

SECRET = "s3cret"


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def config(hook: Webhook, rules: int = 1, **channel: Any) -> AlertsConfig:
    delivery = {"backoff_seconds": 10, "timeout_seconds": 0.5, "max_attempts": 4}
    names = ["gallium", "lithium"][:rules]
    return alerts_config(
        [{"name": n, "kind": "mention", "minerals": [n], "channels": ["hook"]} for n in names],
        [{"name": "hook", "url": hook.url(), "secret": SECRET, **channel}],
        delivery=delivery,
    )


def stories(db: Db, count: int, mineral: str = "gallium") -> None:
    """``count`` distinct short stories (too short for near-duplicate clustering)."""
    for n in range(count):
        text = f"Bulletin {n}: {mineral} shipments rose."
        store(
            db, article(text, {f"mineral:{mineral}": [mineral]}, url=f"https://x.org/{mineral}/{n}")
        )


def attempts(db: Db) -> list[tuple[str, str]]:
    def work(session: Any) -> list[tuple[str, str]]:
        rows = session.scalars(select(AlertAttemptModel).order_by(AlertAttemptModel.id))
        return [(r.outcome, r.message_key) for r in rows]

    return read(db.sessions, work)


def run(db: Db, cfg: AlertsConfig, clock: Callable[[], dt.datetime]) -> PassReport:
    return deliver(db.sessions, cfg, clock=clock)


def test_500_timeout_refused_then_success_is_one_delivery_under_one_key(migrated: Db) -> None:
    with webhook(["500", "hang"]) as hook:
        cfg = config(hook)
        with_rules(migrated, cfg)
        stories(migrated, 1)
        clock = Clock()
        assert run(migrated, cfg, clock).failed == 1  # 500
        clock.advance(11)
        assert run(migrated, cfg, clock).failed == 1  # timeout
        hook.stop()
        clock.advance(21)
        report = run(migrated, cfg, clock)  # connection refused
        assert report.failed == 1, report.errors
        hook.start()
        clock.advance(41)
        assert run(migrated, cfg, clock).sent == 1
        assert run(migrated, cfg, clock).messages == 0
    logged = attempts(migrated)
    assert [outcome for outcome, _ in logged] == ["failed", "failed", "failed", "sent"]
    assert len({key for _, key in logged}) == 1
    assert len(hook.accepted) == 1
    assert len(hook.requests) == 3
    assert set(hook.keys()) == {logged[0][1]}
    seen = hook.accepted[0]
    stamp = seen.headers[TIMESTAMP_HEADER]
    expected = signature(SECRET, stamp, seen.headers[KEY_HEADER], seen.body["message"])
    assert seen.headers[SIGNATURE_HEADER] == expected
    assert "Bulletin 0: gallium shipments rose." in seen.body["message"]


def test_an_always_failing_receiver_ends_dead_and_retry_delivers_it(migrated: Db) -> None:
    with webhook(["500"] * 4) as hook:
        cfg = config(hook)
        with_rules(migrated, cfg)
        stories(migrated, 1)
        clock = Clock()
        for _ in range(4):
            run(migrated, cfg, clock)
            clock.advance(3600)
        assert [state for _, _, state in outbox(migrated)] == ["dead"]
        assert [o for o, _ in attempts(migrated)] == ["failed"] * 4
        assert run(migrated, cfg, clock).messages == 0
        assert write(migrated.sessions, lambda s: retry(s, 1, clock())) == "dead"
        assert run(migrated, cfg, clock).sent == 1
    assert len(hook.accepted) == 1
    assert len(set(hook.keys())) == 1
    assert [state for _, _, state in outbox(migrated)] == ["sent"]


def test_a_digest_groups_matches_by_rule_at_the_next_hour(migrated: Db) -> None:
    with webhook() as hook:
        cfg = config(hook, rules=2, frequency="hourly")
        with_rules(migrated, cfg)
        stories(migrated, 2, "gallium")
        stories(migrated, 1, "lithium")
        clock = Clock()
        assert run(migrated, cfg, clock).messages == 0
        clock.advance(3600)
        assert run(migrated, cfg, clock).messages == 1
    (seen,) = hook.accepted
    text = seen.body["message"]
    assert seen.body["title"] == "[minewatch] 3 alerts (hourly digest)"
    assert text.index("gallium (2 matches)") < text.index("lithium (1 match)")


def test_the_rate_limit_folds_the_excess_into_the_next_digest(migrated: Db) -> None:
    with webhook() as hook:
        cfg = config(hook, rate_limit={"count": 1, "per_minutes": 60})
        with_rules(migrated, cfg)
        stories(migrated, 3)
        clock = Clock()
        assert run(migrated, cfg, clock).messages == 1
        clock.advance(3600)
        assert run(migrated, cfg, clock).messages == 1
    _first, digest = hook.accepted
    assert digest.body["title"] == "[minewatch] 2 alerts (hourly digest)"
    assert [state for _, _, state in outbox(migrated)] == ["sent"] * 3


def test_snooze_holds_matches_until_its_time(migrated: Db) -> None:
    with webhook() as hook:
        cfg = config(hook)
        with_rules(migrated, cfg)
        until = utcnow() + dt.timedelta(hours=2)
        snooze = update(AlertRuleModel).values(snoozed_until=until, updated_at=utcnow())
        write(migrated.sessions, lambda s: s.execute(snooze))
        stories(migrated, 1)
        clock = Clock()
        assert run(migrated, cfg, clock).messages == 0
        clock.advance(2 * 3600 + 1)
        assert run(migrated, cfg, clock).sent == 1
    assert len(hook.accepted) == 1


def test_two_dispatchers_at_once_never_send_a_row_twice(postgres_url: str) -> None:
    from models.db import make_engine, session_factory, upgrade

    upgrade(postgres_url)
    engine = make_engine(postgres_url)
    db = Db(postgres_url, engine, session_factory(engine))
    try:
        with webhook() as hook:
            cfg = alerts_config(
                [
                    {
                        "name": "gallium",
                        "kind": "mention",
                        "minerals": ["gallium"],
                        "channels": ["h"],
                    }
                ],
                [{"name": "h", "url": hook.url()}],
                delivery={"batch_size": 5},
            )
            with_rules(db, cfg)
            stories(db, 60)
            reports: list[PassReport] = []
            threads = [
                threading.Thread(target=lambda: reports.append(deliver(db.sessions, cfg)))
                for _ in range(2)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        keys = Counter(hook.keys())
        assert len(keys) == 60
        assert set(keys.values()) == {1}
        assert sum(r.sent for r in reports) == 60
        assert all(r.sent > 0 for r in reports)
    finally:
        engine.dispose()
