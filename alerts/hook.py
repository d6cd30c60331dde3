"""The one call from :func:`pipeline.stages.store_page`: match a stored, analyzed
article against the active rules and write each new match with its outbox rows, in
the caller's transaction.

Rules come from the store (``alert_rules``, synced from config.yaml by the commands
that store), cached per database while the rules revision is unchanged, so matching
costs a few lookups for an article no rule wants.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from alerts.facts import ArticleFacts, EntityHistory, article_facts
from alerts.match import Match, fresh, match_article
from alerts.rules import Rule, RuleIndex, from_definition
from models import alert_store as store
from models.schema import ArticleModel, utcnow
from pipeline.records import AnalyzedArticle

DEFAULT_SPIKE_DAYS = 14
_CACHE: dict[tuple[str, int, dt.datetime | None], RuleIndex] = {}


def record_matches(session: Session, article_id: int, analyzed: AnalyzedArticle) -> int:
    """Match the stored article; write new matches and outbox rows. The number written."""
    index = rule_index(session)
    if not index.rules:
        return 0
    named = {e.id for e in analyzed.tagged.entities if e.mentions}
    candidates = index.candidates(named, {e.type for e in analyzed.events})
    if not candidates:
        return 0
    row = session.get(ArticleModel, article_id)
    if row is None:
        return 0
    clusters = store.event_clusters(session, article_id) if analyzed.events else {}
    stored_at = _aware(row.created_at)
    facts = article_facts(analyzed, article_id, row.cluster_id, stored_at, clusters)
    now = utcnow()
    candidates = [rule for rule in candidates if fresh(rule, facts, now)]
    if not candidates:
        return 0
    story = store.story_articles(session, article_id, row.cluster_id)
    history = {rule.id: _history(session, rule, facts, story) for rule in candidates}
    matches = match_article(candidates, facts, history, now, guards=False)
    return sum(_write(session, match, facts, story, now) for match in matches)


def rule_index(session: Session) -> RuleIndex:
    revision = store.rules_revision(session)
    if revision[0] == 0:
        return RuleIndex()
    key = (str(session.get_bind().engine.url), *revision)
    index = _CACHE.get(key)
    if index is None:
        _CACHE.clear()
        index = _CACHE[key] = RuleIndex.build(stored_rules(session))
    return index


def stored_rules(session: Session) -> list[Rule]:
    return [
        from_definition(
            row.id,
            row.name,
            row.kind,
            row.definition,
            first_seen_at=_aware(row.first_seen_at),
            snoozed_until=_aware(row.snoozed_until) if row.snoozed_until else None,
            muted_until=_aware(row.muted_until) if row.muted_until else None,
        )
        for row in store.active_rules(session)
    ]


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite gives naive datetimes back: they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _history(
    session: Session, rule: Rule, facts: ArticleFacts, story: Sequence[int]
) -> EntityHistory:
    day = facts.day
    if rule.kind == "first-mention" and all(e in facts.counts for e in rule.entities):
        since = day - dt.timedelta(days=rule.days) if rule.days else None
        return EntityHistory(
            seen_before=store.named_elsewhere(session, rule.entities, story, since, day)
        )
    if rule.kind == "spike" and all(e in facts.counts for e in rule.entities):
        days = rule.days or DEFAULT_SPIKE_DAYS
        first = day - dt.timedelta(days=days)
        found = store.stories_per_day(session, rule.entities, first, day)
        previous = tuple(len(found.get(first + dt.timedelta(days=n), ())) for n in range(days))
        return EntityHistory(previous=previous, today=len(found.get(day, ())))
    return EntityHistory()


def details(match: Match, facts: ArticleFacts) -> dict[str, object]:
    """What the message says about the match (kept with it in ``alert_matches``)."""
    return {
        "rule": match.rule.name,
        "kind": match.rule.kind,
        "why": match.why,
        "entities": [facts.names.get(e, e) for e in match.entities],
        "entity_ids": list(match.entities),
        "event_type": match.event_type,
        "evidence": match.evidence,
        "title": facts.title,
        "url": facts.url,
        "sitename": facts.sitename,
        "published": facts.published.isoformat() if facts.published else None,
        "found_at": _aware(facts.stored_at).isoformat(timespec="seconds"),
    }


def _write(
    session: Session, match: Match, facts: ArticleFacts, story: Sequence[int], now: dt.datetime
) -> int:
    rule = match.rule
    found = store.existing_match(session, rule.id, match.story_key, story, match.event_type)
    if found is not None:
        store.link_article(session, found, facts.article_id)
        return 0
    snoozed = rule.snoozed_until is not None and rule.snoozed_until > now
    new = store.NewMatch(
        rule_id=rule.id,
        story_key=match.story_key,
        article_id=facts.article_id,
        details=details(match, facts),
        channels=rule.channels,
        frequency=rule.frequency or "channel",
        due_at=rule.snoozed_until if snoozed and rule.snoozed_until else now,
        muted=rule.muted_until is not None and rule.muted_until > now,
    )
    return 0 if store.insert_match(session, new) is None else 1
