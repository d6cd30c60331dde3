"""Rules from config.yaml into the store, where the store hook reads them; run by
every command that stores or delivers (``run``, ``poll``, ``ingest``, ``reprocess``,
``alerts ...``)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from alerts.rules import definition
from models import alert_store
from models.crawl_store import write
from pipeline.alert_config import AlertsConfig


def rule_specs(config: AlertsConfig) -> list[alert_store.RuleSpec]:
    return [
        alert_store.RuleSpec(rule.name, rule.kind, definition(rule, config))
        for rule in config.rules
    ]


def sync_rules(sessions: sessionmaker[Session], config: AlertsConfig) -> None:
    """Store the configured rules: a new rule's first appearance is now."""
    specs = rule_specs(config)
    write(sessions, lambda session: alert_store.sync_rules(session, specs))
