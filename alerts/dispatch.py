"""The dispatcher: claim due outbox rows, send each message once through its channel,
record every attempt, retry with exponential backoff, and mark a row dead after
``alerts.delivery.max_attempts``.

A claim is one write transaction: due rows are locked (PostgreSQL ``FOR UPDATE SKIP
LOCKED``; SQLite takes the write lock) and leased to this dispatcher for
``lease_seconds``; sending happens outside any transaction; the outcome is written in
another. A dispatcher killed after its claim leaves a lease that runs out, and the
rows go out again with the same idempotency key: delivery is at least once, and a
receiver that keeps the keys it has seen sees each message once.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from alerts.render import render
from alerts.send import Sender, SendResult, apprise_send
from models import alert_outbox as outbox
from models.alert_schema import AlertOutboxModel
from models.crawl_store import write
from models.schema import utcnow
from pipeline.alert_config import AlertChannel, AlertsConfig, DeliveryConfig

Clock = Callable[[], dt.datetime]
RECORD_EVERY = 100  # outcomes written per transaction


@dataclass(frozen=True)
class Outgoing:
    """One message: the rows it carries, with their match details."""

    channel: str
    key: str
    frequency: str
    row_ids: tuple[int, ...]
    items: tuple[dict[str, Any], ...]


@dataclass
class PassReport:
    messages: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)

    def one_line(self) -> str:
        return (
            f"alerts: {self.sent} sent, {self.failed} failed (will retry), {self.dead} dead "
            f"in {self.messages} messages"
        )


def aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def digest_due(created: dt.datetime, frequency: str) -> dt.datetime:
    """When a digest holding a match found at ``created`` goes out (UTC boundaries:
    the next full hour, midnight, or Monday midnight)."""
    created = aware(created)
    if frequency == "hourly":
        return created.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    midnight = created.replace(hour=0, minute=0, second=0, microsecond=0)
    if frequency == "daily":
        return midnight + dt.timedelta(days=1)
    return midnight + dt.timedelta(days=7 - created.weekday())


def backoff(delivery: DeliveryConfig, attempts: int) -> dt.timedelta:
    seconds = delivery.backoff_seconds * 2 ** max(0, attempts - 1)
    return dt.timedelta(seconds=min(seconds, delivery.max_backoff_seconds))


def deliver(
    sessions: sessionmaker[Session],
    config: AlertsConfig,
    *,
    sender: Sender = apprise_send,
    clock: Clock = utcnow,
    owner: str | None = None,
) -> PassReport:
    """One pass: send everything due now (retries that fall due during the pass too),
    ``delivery.workers`` messages at a time; each outcome is written as it arrives."""
    owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    channels = {c.name: c for c in config.channels}
    report = PassReport()
    while True:
        claimed = write(sessions, lambda s: claim(s, config, owner, clock()))
        if not claimed:
            return report
        with ThreadPoolExecutor(config.delivery.workers, "minewatch-alerts") as pool:
            sending = {
                pool.submit(_send, channels[m.channel], m, config.delivery, sender, clock): m
                for m in claimed
            }
            done: list[tuple[Outgoing, SendResult, dt.datetime]] = []
            for future in as_completed(sending):
                result, at = future.result()
                done.append((sending[future], result, at))
                _count(report, sending[future], result)
                if len(done) >= RECORD_EVERY:
                    write(sessions, partial(record_all, config=config, done=done))
                    done = []
            write(sessions, partial(record_all, config=config, done=done))


def _send(
    channel: AlertChannel, message: Outgoing, delivery: DeliveryConfig, sender: Sender, clock: Clock
) -> tuple[SendResult, dt.datetime]:
    try:
        rendered = render(channel, message.key, message.items, message.frequency)
        result = sender(channel, rendered, delivery.timeout_seconds)
    except Exception as exc:  # a template or sender bug is this message's failure
        result = SendResult(False, f"{type(exc).__name__}: {exc}")
    return result, clock()


def _count(report: PassReport, message: Outgoing, result: SendResult) -> None:
    report.messages += 1
    if result.ok:
        report.sent += len(message.row_ids)
    else:
        report.failed += len(message.row_ids)
        report.errors.append(f"{message.channel}: {result.error}")


def claim(session: Session, config: AlertsConfig, owner: str, now: dt.datetime) -> list[Outgoing]:
    """Lease the due rows and group them into messages (see the module doc)."""
    channels = {c.name: c for c in config.channels}
    ready: list[tuple[AlertOutboxModel, str]] = []
    for row in outbox.due_rows(session, now, config.delivery.batch_size):
        channel = channels.get(row.channel)
        if channel is None:
            row.state, row.last_error = "dead", f"channel {row.channel!r} is not configured"
            outbox.record_attempt(session, row, now, "dead", row.last_error)
            continue
        frequency = channel.frequency if row.frequency == "channel" else row.frequency
        if frequency != "immediate" and row.message_key is None:
            due = digest_due(row.created_at, frequency)
            if due > now:
                row.due_at = due
                continue
        ready.append((row, frequency))
    ready = _fold_over_limit(session, ready, channels, now)
    messages = _group(ready)
    until = now + dt.timedelta(seconds=config.delivery.lease_seconds)
    for row, _ in ready:
        row.lease_owner, row.lease_until = owner, until
    session.flush()
    return _with_details(session, messages)


def _fold_over_limit(
    session: Session,
    ready: list[tuple[AlertOutboxModel, str]],
    channels: dict[str, AlertChannel],
    now: dt.datetime,
) -> list[tuple[AlertOutboxModel, str]]:
    """Immediate messages over a channel's rate limit go into its next hourly digest."""
    left: dict[str, int] = {}
    kept: list[tuple[AlertOutboxModel, str]] = []
    for row, frequency in ready:
        limit = channels[row.channel].rate_limit
        if limit is None or frequency != "immediate" or row.message_key is not None:
            kept.append((row, frequency))
            continue
        if row.channel not in left:
            since = now - dt.timedelta(minutes=limit.per_minutes)
            left[row.channel] = limit.count - outbox.sent_messages(session, row.channel, since)
        if left[row.channel] > 0:
            left[row.channel] -= 1
            kept.append((row, frequency))
        else:
            row.frequency, row.due_at = "hourly", digest_due(now, "hourly")
    return kept


def _group(ready: list[tuple[AlertOutboxModel, str]]) -> dict[str, list[AlertOutboxModel]]:
    """Rows by message key: a key already given stays (a retry is the same message);
    an immediate row gets its own, a channel's due digest rows share one."""
    messages: dict[str, list[AlertOutboxModel]] = {}
    digests: dict[tuple[str, str], str] = {}
    for row, frequency in ready:
        if row.message_key is None:
            if frequency == "immediate":
                row.message_key = uuid.uuid4().hex
            else:
                group = (row.channel, frequency)
                row.message_key = digests.setdefault(group, uuid.uuid4().hex)
            row.frequency = frequency
        messages.setdefault(row.message_key, []).append(row)
    return messages


def _with_details(session: Session, messages: dict[str, list[AlertOutboxModel]]) -> list[Outgoing]:
    match_ids = sorted({row.match_id for rows in messages.values() for row in rows})
    details = outbox.match_details(session, match_ids)
    outlets = outbox.outlets(session, match_ids)
    return [
        Outgoing(
            rows[0].channel,
            key,
            rows[0].frequency,
            tuple(row.id for row in rows),
            tuple({**details[r.match_id], "outlets": outlets.get(r.match_id, [])} for r in rows),
        )
        for key, rows in messages.items()
    ]


def record_all(
    session: Session,
    config: AlertsConfig,
    done: list[tuple[Outgoing, SendResult, dt.datetime]],
) -> None:
    for message, result, at in done:
        record(session, config, message, result, at)


def record(
    session: Session,
    config: AlertsConfig,
    message: Outgoing,
    result: SendResult,
    now: dt.datetime,
) -> None:
    """Write the attempt of every row of the message and its new state."""
    delivery = config.delivery
    for row in outbox.rows_by_id(session, message.row_ids):
        row.attempts += 1
        row.lease_owner = row.lease_until = None
        if result.ok:
            row.state, row.delivered_at, row.last_error = "sent", now, None
            outbox.record_attempt(session, row, now, "sent", None)
            continue
        row.last_error = result.error
        if row.attempts >= delivery.max_attempts:
            row.state = "dead"
        else:
            row.due_at = now + backoff(delivery, row.attempts)
        outbox.record_attempt(session, row, now, "failed", result.error)
