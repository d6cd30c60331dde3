"""Store one tagged article: the article row, its entities, aliases and mentions.

:func:`store_tagged` does all of one article's work inside a savepoint of the
caller's session (the caller commits); :func:`ingest` opens a session, stores one
article and commits, so either everything for that article is stored or nothing.

Re-storing the same input never duplicates a row. The outcome tells what happened:

=============  ==========================================================================
``new``        no article with that key: inserted with entities, aliases and mentions
``unchanged``  same text, extractor and tagger versions: nothing written at all
``retagged``   same text and extractor version, another tagger version: mentions replaced
``updated``    the text (or the extractor version) changed: columns updated, mentions
               replaced
=============  ==========================================================================

"Same text" means identical text, not only an equal content hash: the hash ignores
whitespace, but the mention offsets index into the exact text.

A new or changed text also gets its near-duplicate fingerprint (SimHash and bands)
and joins the cluster of its nearest near duplicate, in the same transaction
(:func:`models.duplicates.assign_cluster`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from models.db import WRITE_OPTION, storage_error
from models.duplicates import assign_cluster
from models.event_store import insert_events, store_events
from models.schema import (
    ArticleModel,
    EntityAliasModel,
    EntityModel,
    MentionModel,
    utcnow,
)
from models.upsert import dialect_insert
from pipeline.records import (
    AnalyzedArticle,
    Article,
    Entity,
    Role,
    TaggedArticle,
)

StoreStatus = Literal["new", "unchanged", "retagged", "updated"]


@dataclass(frozen=True)
class StoreOutcome:
    article_id: int
    status: StoreStatus
    mentions: int


def article_key(article: Article) -> str:
    """The identity of an article: its canonical URL, else ``sha256:<content hash>``."""
    return article.url or f"sha256:{article.content_hash}"


def store_tagged(session: Session, tagged: TaggedArticle) -> StoreOutcome:
    """Store ``tagged`` inside a savepoint of ``session``; the caller commits.

    On error the savepoint is rolled back (the session stays usable) and the
    SQLAlchemy error propagates.
    """
    with session.begin_nested():
        return _store(session, tagged)


def ingest(factory: sessionmaker[Session], item: TaggedArticle | AnalyzedArticle) -> StoreOutcome:
    """Store one article in its own transaction and commit; StorageError on any failure."""
    session = factory()
    try:
        with session.begin():
            session.connection(execution_options={WRITE_OPTION: True})
            return store_analyzed(session, item)
    except SQLAlchemyError as exc:
        raise storage_error(_url_of(session), exc) from exc
    finally:
        session.close()


def store_analyzed(session: Session, item: TaggedArticle | AnalyzedArticle) -> StoreOutcome:
    """Store the article, its tags and (for an analyzed one) its events in ``session``'s
    transaction, without a savepoint of its own; the caller commits or rolls back."""
    tagged = item.tagged if isinstance(item, AnalyzedArticle) else item
    outcome = _store(session, tagged)
    if not isinstance(item, AnalyzedArticle):
        return outcome
    if outcome.status == "new":  # no stored events to match: insert them in bulk
        insert_events(session, outcome.article_id, item.events, item.events_version)
        return outcome
    force = outcome.status != "unchanged"
    if store_events(session, outcome.article_id, item, force) and not force:
        outcome = replace(outcome, status="retagged")
    return outcome


def _url_of(session: Session) -> str:
    bind = session.get_bind()
    return bind.engine.url.render_as_string(hide_password=True)


def _store(session: Session, tagged: TaggedArticle) -> StoreOutcome:
    article = tagged.article
    row = session.scalars(
        select(ArticleModel).where(ArticleModel.key == article_key(article))
    ).one_or_none()
    if row is None:
        row = _insert_article(session, tagged)
        assign_cluster(session, row)
        return StoreOutcome(row.id, "new", _write_tags(session, row.id, tagged))
    status = _change_of(row, tagged)
    if status == "unchanged":
        return StoreOutcome(row.id, status, _count_mentions(tagged))
    if status == "updated":
        _copy_article(row, tagged)
    if status == "updated" or row.simhash is None:
        assign_cluster(session, row)
    row.tagger_version = tagged.tagger_version
    row.updated_at = utcnow()
    session.flush()
    session.execute(delete(MentionModel).where(MentionModel.article_id == row.id))
    return StoreOutcome(row.id, status, _write_tags(session, row.id, tagged))


def _change_of(row: ArticleModel, tagged: TaggedArticle) -> StoreStatus:
    article = tagged.article
    same_text = row.content_hash == article.content_hash and row.text == article.text
    if not same_text or row.extractor_version != article.extractor_version:
        return "updated"
    if row.tagger_version != tagged.tagger_version:
        return "retagged"
    return "unchanged"


def _insert_article(session: Session, tagged: TaggedArticle) -> ArticleModel:
    now = utcnow()
    row = ArticleModel(key=article_key(tagged.article), created_at=now, updated_at=now)
    _copy_article(row, tagged)
    row.tagger_version = tagged.tagger_version
    session.add(row)
    session.flush()
    return row


def _copy_article(row: ArticleModel, tagged: TaggedArticle) -> None:
    article = tagged.article
    row.url = article.url
    row.source = article.source
    row.title = article.title
    row.authors = list(article.authors)
    row.published = article.published
    row.sitename = article.sitename
    row.language = article.language
    row.text = article.text
    row.content_hash = article.content_hash
    row.raw_html = article.raw_html
    row.extractor_version = article.extractor_version


def _write_tags(session: Session, article_id: int, tagged: TaggedArticle) -> int:
    entities = _unique_entities(tagged.entities)
    _upsert_entities(session, entities)
    _add_aliases(session, entities)
    return _insert_mentions(session, article_id, tagged.entities)


def _unique_entities(entities: Iterable[Entity]) -> list[Entity]:
    by_id: dict[str, Entity] = {}
    for entity in entities:
        by_id[entity.id] = entity
    return [by_id[key] for key in sorted(by_id)]


def _role_json(role: Role) -> dict[str, str | None]:
    return {
        "title": role.title,
        "country": role.country,
        "organization": role.organization,
        "start": role.start.isoformat() if role.start else None,
        "end": role.end.isoformat() if role.end else None,
    }


def _entity_values(entity: Entity) -> dict[str, Any]:
    return {
        "id": entity.id,
        "type": entity.type,
        "name": entity.name,
        "official": entity.official,
        "attributes": _attributes(entity),
    }


def _attributes(entity: Entity) -> dict[str, Any]:
    attributes: dict[str, Any] = {"roles": [_role_json(role) for role in entity.roles]}
    if entity.country is not None:
        attributes["country"] = entity.country
    if entity.type == "site":
        attributes["operator"] = entity.operator
        attributes["commodities"] = list(entity.commodities)
    return attributes


_UPSERTED = ("type", "name", "official", "attributes")


def _upsert_entities(session: Session, entities: Sequence[Entity]) -> None:
    """Insert new entities; update type, name, official and attributes of known ones."""
    if not entities:
        return
    stmt = dialect_insert(session, EntityModel)
    changed = {name: stmt.excluded[name] for name in _UPSERTED}
    upsert = stmt.on_conflict_do_update(index_elements=["id"], set_=changed)
    session.connection().execute(upsert, [_entity_values(e) for e in entities])


def _alias_values(entities: Iterable[Entity]) -> list[dict[str, str]]:
    pairs = {(e.id, alias) for e in entities for alias in (e.name, *(m.text for m in e.mentions))}
    return [{"entity_id": eid, "alias": alias} for eid, alias in sorted(pairs) if alias.strip()]


def _add_aliases(session: Session, entities: Sequence[Entity]) -> None:
    """Record the entity name and every distinct mention text as aliases (no duplicates)."""
    values = _alias_values(entities)
    if values:
        stmt = dialect_insert(session, EntityAliasModel).on_conflict_do_nothing()
        session.connection().execute(stmt, values)


def _mention_values(article_id: int, entities: Iterable[Entity]) -> list[dict[str, Any]]:
    """Every mention; and for a country the page only implies, a mention of it at each
    span of the places and sites that imply it (source "implied"), so filters by
    country find the page."""
    entities = list(entities)
    by_id = {e.id: e for e in entities}
    rows: dict[tuple[int, int, str], dict[str, Any]] = {}
    for entity in entities:
        spans = [(m, entity.source) for m in entity.mentions]
        for implying in entity.implied_by:
            spans += [(m, "implied") for m in by_id[implying].mentions] if implying in by_id else []
        for mention, source in spans:
            rows[(mention.start, mention.end, entity.id)] = {
                "article_id": article_id,
                "entity_id": entity.id,
                "start": mention.start,
                "end": mention.end,
                "text": mention.text,
                "source": source,
                "form": mention.form,
            }
    return [rows[key] for key in sorted(rows)]


def _count_mentions(tagged: TaggedArticle) -> int:
    return len(_mention_values(0, tagged.entities))


def _insert_mentions(session: Session, article_id: int, entities: Iterable[Entity]) -> int:
    values = _mention_values(article_id, entities)
    if values:
        session.connection().execute(insert(MentionModel), values)
    return len(values)
