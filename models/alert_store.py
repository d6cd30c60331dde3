"""Alert queries of the store side: rules synced from config, the lookups matching
needs (event clusters, history counts), and writing matches with their outbox rows.

Functions take an open :class:`Session` and leave the commit to the caller; the store
hook runs them inside the transaction that stores the article.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models.alert_schema import (
    AlertMatchArticleModel,
    AlertMatchModel,
    AlertOutboxModel,
    AlertRuleModel,
)
from models.schema import ArticleModel, EventModel, MentionModel, utcnow
from models.upsert import dialect_insert


@dataclass(frozen=True)
class RuleSpec:
    name: str
    kind: str
    definition: dict[str, Any]


def sync_rules(session: Session, specs: Sequence[RuleSpec]) -> None:
    """Make the stored rules those of config: new ones get ``first_seen_at`` now, changed
    ones their new definition (keeping ``first_seen_at``), absent ones become inactive."""
    now = utcnow()
    stored = {row.name: row for row in session.scalars(select(AlertRuleModel))}
    for spec in specs:
        row = stored.pop(spec.name, None)
        if row is None:
            session.add(
                AlertRuleModel(
                    name=spec.name,
                    kind=spec.kind,
                    definition=spec.definition,
                    active=True,
                    first_seen_at=now,
                    updated_at=now,
                )
            )
        elif row.definition != spec.definition or row.kind != spec.kind or not row.active:
            row.definition, row.kind, row.active, row.updated_at = (
                spec.definition,
                spec.kind,
                True,
                now,
            )
    for row in stored.values():
        if row.active:
            row.active, row.updated_at = False, now
    session.flush()


def rules_revision(session: Session) -> tuple[int, dt.datetime | None]:
    """Changes whenever a rule is added, changed, snoozed or muted (for caching)."""
    count, latest = session.execute(
        select(func.count(AlertRuleModel.id), func.max(AlertRuleModel.updated_at))
    ).one()
    return int(count), latest


def active_rules(session: Session) -> list[AlertRuleModel]:
    return list(
        session.scalars(
            select(AlertRuleModel).where(AlertRuleModel.active).order_by(AlertRuleModel.id)
        )
    )


def event_clusters(session: Session, article_id: int) -> dict[str, int]:
    rows = session.execute(
        select(EventModel.event_key, EventModel.cluster_id).where(
            EventModel.article_id == article_id
        )
    )
    return {key: cluster or 0 for key, cluster in rows}


def story_articles(session: Session, article_id: int, cluster_id: int | None) -> list[int]:
    """The articles of the story: the cluster's members, or the article alone."""
    if cluster_id is None:
        return [article_id]
    query = select(ArticleModel.id).where(ArticleModel.cluster_id == cluster_id)
    return sorted({article_id, *session.scalars(query)})


def _with_all(entities: Sequence[str]) -> Any:
    return (
        select(MentionModel.article_id)
        .where(MentionModel.entity_id.in_(entities))
        .group_by(MentionModel.article_id)
        .having(func.count(func.distinct(MentionModel.entity_id)) == len(set(entities)))
    )


def _day(published: dt.date | None, created: dt.datetime) -> dt.date:
    return published or created.date()


def stories_per_day(
    session: Session, entities: Sequence[str], first: dt.date, last: dt.date
) -> dict[dt.date, set[int]]:
    """Distinct stories (article cluster, else article) naming all ``entities`` per
    day from ``first`` to ``last``, a day being the publication date (else the day found)."""
    since = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    query = select(
        ArticleModel.id, ArticleModel.cluster_id, ArticleModel.published, ArticleModel.created_at
    ).where(
        ArticleModel.id.in_(_with_all(entities)),
        ((ArticleModel.published >= first) & (ArticleModel.published <= last))
        | (ArticleModel.published.is_(None) & (ArticleModel.created_at >= since)),
    )
    days: dict[dt.date, set[int]] = {}
    for article_id, cluster_id, published, created in session.execute(query):
        day = _day(published, created)
        if first <= day <= last:
            days.setdefault(day, set()).add(-article_id if cluster_id is None else cluster_id)
    return days


def named_elsewhere(
    session: Session,
    entities: Sequence[str],
    story: Iterable[int],
    since: dt.date | None,
    until: dt.date,
) -> bool:
    """Whether an article outside ``story`` named all ``entities`` on a day in
    [``since``, ``until``] (``since`` None: ever, up to ``until``)."""
    query = select(ArticleModel.published, ArticleModel.created_at).where(
        ArticleModel.id.in_(_with_all(entities)), ArticleModel.id.not_in(list(story))
    )
    if since is not None:
        start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
        query = query.where(
            (ArticleModel.published >= since)
            | (ArticleModel.published.is_(None) & (ArticleModel.created_at >= start))
        )
    for published, created in session.execute(query.limit(200)):
        day = _day(published, created)
        if day <= until and (since is None or day >= since):
            return True
    return False


def existing_match(
    session: Session, rule_id: int, story_key: str, articles: Sequence[int], event_type: str | None
) -> int | None:
    """The match of ``rule_id`` for this story: same key, or already linked to one of the
    story's articles (with the same event type, for events)."""
    found = session.scalars(
        select(AlertMatchModel.id).where(
            AlertMatchModel.rule_id == rule_id, AlertMatchModel.story_key == story_key
        )
    ).first()
    if found is not None or story_key.startswith("spike:"):
        return found
    query = (
        select(AlertMatchModel.id, AlertMatchModel.details)
        .join(AlertMatchArticleModel, AlertMatchArticleModel.match_id == AlertMatchModel.id)
        .where(AlertMatchModel.rule_id == rule_id, AlertMatchArticleModel.article_id.in_(articles))
        .order_by(AlertMatchModel.id)
    )
    for match_id, details in session.execute(query):
        if details.get("event_type") == event_type:
            return int(match_id)
    return None


def link_article(session: Session, match_id: int, article_id: int) -> None:
    """The article carried the matched story too ("also reported by")."""
    stmt = dialect_insert(session, AlertMatchArticleModel).on_conflict_do_nothing()
    values = {"match_id": match_id, "article_id": article_id, "added_at": utcnow()}
    session.connection().execute(stmt, [values])
    session.execute(
        update(AlertMatchModel).where(AlertMatchModel.id == match_id).values(updated_at=utcnow())
    )


@dataclass(frozen=True)
class NewMatch:
    rule_id: int
    story_key: str
    article_id: int | None
    details: dict[str, Any]
    channels: tuple[str, ...]
    frequency: str
    due_at: dt.datetime
    muted: bool


def insert_match(session: Session, new: NewMatch) -> int | None:
    """Insert the match with one outbox row per channel; None if the key exists already
    (another writer got there first)."""
    now = utcnow()
    stmt = (
        dialect_insert(session, AlertMatchModel)
        .values(
            rule_id=new.rule_id,
            story_key=new.story_key,
            article_id=new.article_id,
            details=new.details,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing()
        .returning(AlertMatchModel.id)
    )
    match_id = session.connection().execute(stmt).scalar()
    if match_id is None:
        return None
    if new.article_id is not None:
        link_article(session, match_id, new.article_id)
    state = "muted" if new.muted else "pending"
    session.add_all(
        AlertOutboxModel(
            match_id=match_id,
            channel=channel,
            frequency=new.frequency,
            state=state,
            due_at=new.due_at,
            attempts=0,
            created_at=now,
        )
        for channel in new.channels
    )
    session.flush()
    return int(match_id)


def snooze_rule(session: Session, name: str, until: dt.datetime | None, mute: bool) -> bool:
    """Snooze (hold deliveries) or mute (drop them) the rule until ``until`` (None:
    lift it). False if no rule has that name."""
    row = session.scalars(select(AlertRuleModel).where(AlertRuleModel.name == name)).first()
    if row is None:
        return False
    if mute:
        row.muted_until = until
    else:
        row.snoozed_until = until
    row.updated_at = utcnow()
    return True


def last_matches(session: Session) -> dict[str, tuple[dt.datetime, int]]:
    """Per rule name: the time of its last match and its number of matches."""
    query = (
        select(AlertRuleModel.name, func.max(AlertMatchModel.created_at), func.count())
        .join(AlertMatchModel, AlertMatchModel.rule_id == AlertRuleModel.id)
        .group_by(AlertRuleModel.name)
    )
    return {name: (latest, int(count)) for name, latest, count in session.execute(query)}
