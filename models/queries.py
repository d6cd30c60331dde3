"""Queries for analysts and for the rest of the program.

:func:`find_mentions` answers "which minerals, countries, organizations, persons,
places and sites are mentioned where": the FIRST given filter among mineral, country,
organization, person, place and site (in that order) selects the mentions listed;
every other given filter restricts the articles (the article must also mention that
entity); ``since`` and ``until`` bound the publication date (inclusive; articles
without a date are left out when either is given).

A filter value is a full id (``mineral:lithium``), a name or slug (``Lithium``,
``rare earth elements``), for a country an ISO alpha-2 code in any case (``mx``),
or any alias stored from earlier mentions (``aluminium`` -> ``mineral:aluminum``).
A country filter also finds the pages that only imply the country through a place or
site: those are stored as mentions of the country with source "implied".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from models.schema import ArticleModel, EntityAliasModel, EntityModel, MentionModel
from pipeline.records import EntityType, slugify

CONTEXT_CHARS = 60


@dataclass(frozen=True)
class MentionRow:
    published: dt.date | None
    article_title: str | None
    article_url: str | None
    entity_id: str
    entity_name: str
    entity_type: str
    mention_text: str
    context: str
    start: int
    end: int


def normalize_entity_id(type_: EntityType, value: str) -> str:
    """The canonical id a filter value stands for, before any alias lookup."""
    value = value.strip()
    prefix, sep, rest = value.partition(":")
    if sep and prefix.lower() == type_:
        value = rest.strip()
    if type_ == "country" and len(value) == 2 and value.isalpha():
        return f"country:{value.upper()}"
    return f"{type_}:{slugify(value)}"


def resolve_entity(session: Session, type_: EntityType, value: str) -> list[str]:
    """The stored entity ids a filter value names: the normalized id or alias matches.

    Returns ``[normalized id]`` when nothing matches, so a query on it finds nothing.
    """
    candidate = normalize_entity_id(type_, value)
    if session.get(EntityModel, candidate) is not None:
        return [candidate]
    wanted = {value.strip().lower(), value.strip().partition(":")[2].strip().lower()} - {""}
    ids = session.scalars(
        select(EntityAliasModel.entity_id)
        .join(EntityModel, EntityModel.id == EntityAliasModel.entity_id)
        .where(EntityModel.type == type_, func.lower(EntityAliasModel.alias).in_(wanted))
        .distinct()
        .order_by(EntityAliasModel.entity_id)
    ).all()
    return list(ids) or [candidate]


def _filters(given: list[tuple[EntityType, str | None]]) -> list[tuple[EntityType, str]]:
    return [(type_, value) for type_, value in given if value is not None and value.strip()]


def _context_column() -> ColumnElement[str]:
    """Up to CONTEXT_CHARS characters either side of the mention, cut in SQL (1-based)."""
    first = case(
        (MentionModel.start > CONTEXT_CHARS, MentionModel.start - CONTEXT_CHARS + 1),
        else_=1,
    )
    length = MentionModel.end + CONTEXT_CHARS + 1 - first
    return func.substr(ArticleModel.text, first, length)


_ROW_COLUMNS = (
    ArticleModel.published,
    ArticleModel.title,
    ArticleModel.url,
    EntityModel.id,
    EntityModel.name,
    EntityModel.type,
    MentionModel.text,
    _context_column(),
    MentionModel.start,
    MentionModel.end,
)


def _also_mentions(entity_ids: list[str] | None) -> ColumnElement[bool]:
    """The article mentions one of ``entity_ids`` (any entity when None)."""
    other = aliased(MentionModel)
    found = exists().where(other.article_id == ArticleModel.id)
    return found if entity_ids is None else found.where(other.entity_id.in_(entity_ids))


def _first_articles(
    selected: list[list[str]], since: dt.date | None, until: dt.date | None, limit: int
) -> Select[Any]:
    """The ids of the first ``limit`` articles (in listing order) with listed mentions.

    The first ``limit`` mention rows come from at most ``limit`` articles, so the
    listing is cut to these before its mentions are joined and sorted: the database
    walks the articles newest first (an index) and stops early, instead of sorting
    every matching mention of a popular entity.
    """
    required: list[list[str] | None] = [*selected] or [None]
    query = select(ArticleModel.id).where(*(_also_mentions(ids) for ids in required))
    if since is not None:
        query = query.where(ArticleModel.published >= since)
    if until is not None:
        query = query.where(ArticleModel.published <= until)
    return query.order_by(ArticleModel.published.desc().nulls_last(), ArticleModel.id).limit(limit)


def find_mentions(
    session: Session,
    *,
    mineral: str | None = None,
    country: str | None = None,
    organization: str | None = None,
    person: str | None = None,
    place: str | None = None,
    site: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = 1000,
) -> list[MentionRow]:
    """Mentions matching the filters, newest articles first (see the module doc)."""
    given: list[tuple[EntityType, str | None]] = [
        ("mineral", mineral),
        ("country", country),
        ("organization", organization),
        ("person", person),
        ("place", place),
        ("site", site),
    ]
    selected = [resolve_entity(session, type_, value) for type_, value in _filters(given)]
    query = (
        select(*_ROW_COLUMNS)
        .select_from(MentionModel)
        .join(ArticleModel, ArticleModel.id == MentionModel.article_id)
        .join(EntityModel, EntityModel.id == MentionModel.entity_id)
        .where(MentionModel.article_id.in_(_first_articles(selected, since, until, limit)))
    )
    if selected:
        query = query.where(MentionModel.entity_id.in_(selected[0]))
    query = query.order_by(
        ArticleModel.published.desc().nulls_last(),
        ArticleModel.id,
        MentionModel.start,
        MentionModel.end,
        MentionModel.entity_id,
    ).limit(limit)
    return [_row(found) for found in session.execute(query).all()]


def _row(values: Sequence[Any]) -> MentionRow:
    published, title, url, entity_id, name, type_, text, context, start, end = values
    return MentionRow(
        published=published,
        article_title=title,
        article_url=url,
        entity_id=entity_id,
        entity_name=name,
        entity_type=type_,
        mention_text=text,
        context=" ".join((context or "").split()),
        start=start,
        end=end,
    )


def count_articles(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ArticleModel)) or 0


def count_mentions(session: Session, article_id: int | None = None) -> int:
    query = select(func.count()).select_from(MentionModel)
    if article_id is not None:
        query = query.where(MentionModel.article_id == article_id)
    return session.scalar(query) or 0


def get_article_by_key(session: Session, key: str) -> ArticleModel | None:
    """The stored article with that key (canonical URL or ``sha256:<hash>``), or None."""
    return session.scalars(select(ArticleModel).where(ArticleModel.key == key)).one_or_none()
