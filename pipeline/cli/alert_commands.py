"""``minewatch alerts list|test|history|retry|snooze|deliver``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import TYPE_CHECKING

from alerts.dispatch import PassReport, deliver
from alerts.facts import article_facts
from alerts.match import match_article
from alerts.rules import definition, from_definition
from alerts.setup import sync_rules
from models import alert_outbox, alert_store
from models.crawl_store import read, write
from models.db import upgrade
from models.schema import utcnow
from pipeline.alert_config import AlertRule
from pipeline.cli.tables import FORMATS, write_records
from pipeline.errors import ConfigError, InputRejected
from pipeline.records import Analyzed

if TYPE_CHECKING:
    from pipeline.cli.commands import Context

HISTORY_COLUMNS = ("id", "rule", "channel", "state", "attempts", "created", "delivered", "title")
STATES = ("pending", "sent", "dead", "muted")


def add_alert_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    alerts = sub.add_parser("alerts", help="alert rules, their matches and deliveries")
    actions = alerts.add_subparsers(required=True, metavar="ACTION")
    p = actions.add_parser("list", help="the configured rules and their last match")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(handler=list_rules)
    p = actions.add_parser("test", help="what RULE would match on INPUTs; stores and sends nothing")
    p.add_argument("rule")
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p.set_defaults(handler=test_rule)
    p = actions.add_parser("history", help="deliveries, newest first")
    p.add_argument("--rule")
    p.add_argument("--state", choices=STATES)
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(handler=history)
    p = actions.add_parser("retry", help="send a dead delivery again (same idempotency key)")
    p.add_argument("id", type=int)
    p.set_defaults(handler=retry)
    p = actions.add_parser("snooze", help="hold (or --mute: drop) a rule's deliveries until T")
    p.add_argument("rule")
    p.add_argument("--until", type=_when, required=True, help="ISO time (UTC), or 'now' to lift")
    p.add_argument("--mute", action="store_true", help="drop deliveries instead of holding them")
    p.set_defaults(handler=snooze)
    p = actions.add_parser("deliver", help="one delivery pass: send everything due now")
    p.set_defaults(handler=deliver_command)


def _when(value: str) -> dt.datetime:
    if value == "now":
        return utcnow()
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO time: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def prepare(ctx: Context) -> None:
    """Upgrade the schema and store the configured rules (for every storing command)."""
    upgrade(ctx.config.database.url)
    sync_rules(ctx.sessions, ctx.config.alerts)


def list_rules(args: argparse.Namespace, ctx: Context) -> int:
    prepare(ctx)
    last = read(ctx.sessions, alert_store.last_matches)
    records: list[dict[str, object]] = []
    for rule in ctx.config.alerts.rules:
        when, count = last.get(rule.name, (None, 0))
        records.append(
            {
                "name": rule.name,
                "kind": rule.kind,
                "channels": ", ".join(rule.channels),
                "matches": count,
                "last_match": when.isoformat(timespec="seconds") if when else None,
            }
        )
    columns = ("name", "kind", "channels", "matches", "last_match")
    write_records(records, columns, args.format, ctx.out, f"{len(records)} alert rules")
    return 0


def _rule(ctx: Context, name: str) -> AlertRule:
    for rule in ctx.config.alerts.rules:
        if rule.name == name:
            return rule
    names = ", ".join(r.name for r in ctx.config.alerts.rules) or "(none)"
    raise ConfigError(f"unknown alert rule {name!r}; the rules are: {names}")


def test_rule(args: argparse.Namespace, ctx: Context) -> int:
    """Match one rule on inputs, ignoring its age and the articles' (no store, no send);
    first-mention and spike rules need the store's history, so they are shown as if
    the entity were new and the count unknown."""
    config = _rule(ctx, args.rule)
    rule = from_definition(0, config.name, config.kind, definition(config, ctx.config.alerts))
    failed = 0
    for outcome in ctx.analyzer.analyze(args.inputs):
        if not isinstance(outcome, Analyzed):
            failed += 1
            ctx.report(outcome.failure)
            continue
        analyzed = outcome.analyzed
        clusters = {e.key: n for n, e in enumerate(analyzed.events, 1)}
        facts = article_facts(analyzed, 0, None, utcnow(), clusters)
        for match in match_article([rule], facts, {}, utcnow(), guards=False):
            line = {
                "source": outcome.source,
                "rule": rule.name,
                "why": match.why,
                "entities": list(match.entities),
                "event_type": match.event_type,
                "evidence": match.evidence,
            }
            ctx.out.print(json.dumps(line, ensure_ascii=False), markup=False, highlight=False)
    return 1 if failed else 0


def history(args: argparse.Namespace, ctx: Context) -> int:
    upgrade(ctx.config.database.url)
    rows = read(ctx.sessions, lambda s: alert_outbox.history(s, args.rule, args.state, args.limit))
    records: list[dict[str, object]] = [
        {
            "id": r.outbox_id,
            "rule": r.rule,
            "channel": r.channel,
            "state": r.state + (f" ({r.last_error})" if r.last_error else ""),
            "attempts": r.attempts,
            "created": r.created_at.isoformat(timespec="seconds"),
            "delivered": r.delivered_at.isoformat(timespec="seconds") if r.delivered_at else None,
            "title": r.title,
        }
        for r in rows
    ]
    write_records(records, HISTORY_COLUMNS, args.format, ctx.out, f"{len(records)} deliveries")
    return 0


def retry(args: argparse.Namespace, ctx: Context) -> int:
    upgrade(ctx.config.database.url)
    previous = write(ctx.sessions, lambda s: alert_outbox.retry(s, args.id, utcnow()))
    if previous is None:
        raise InputRejected(f"no delivery {args.id}; see `minewatch alerts history`")
    if previous not in ("dead", "muted"):
        ctx.out.print(f"delivery {args.id} is {previous}; nothing to retry")
        return 0
    report = deliver_pass(ctx)
    return 0 if report.dead == 0 and report.failed == 0 else 1


def snooze(args: argparse.Namespace, ctx: Context) -> int:
    prepare(ctx)
    _rule(ctx, args.rule)
    until = None if args.until <= utcnow() else args.until
    write(ctx.sessions, lambda s: alert_store.snooze_rule(s, args.rule, until, args.mute))
    verb = "muted" if args.mute else "snoozed"
    ctx.out.print(f"{args.rule}: {verb} until {until.isoformat() if until else 'now (lifted)'}")
    return 0


def deliver_command(args: argparse.Namespace, ctx: Context) -> int:
    prepare(ctx)
    report = deliver_pass(ctx)
    return 0 if report.failed == 0 else 1


def deliver_pass(ctx: Context) -> PassReport:
    """One delivery pass with the configured channels; one line when anything was due
    (``minewatch run`` calls it after each poll)."""
    report = deliver(ctx.sessions, ctx.config.alerts)
    if report.messages:
        ctx.out.print(report.one_line(), markup=False, highlight=False)
    for error in report.errors:
        ctx.red(f"alert delivery failed: {error}")
    return report
