"""Entities for the review app: the type-ahead search over names and aliases."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models.schema import EntityAliasModel, EntityModel


@dataclass(frozen=True)
class EntityHit:
    id: str
    type: str
    name: str


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_entities(
    session: Session, query: str, *, type_: str | None = None, limit: int = 20
) -> list[EntityHit]:
    """Entities whose id, name or an alias starts with ``query`` (any case), names first."""
    text = query.strip().lower()
    if not text:
        return []
    prefix = _like_escape(text) + "%"
    by_alias = select(EntityAliasModel.entity_id).where(
        func.lower(EntityAliasModel.alias).like(prefix, escape="\\")
    )
    found = select(EntityModel.id, EntityModel.type, EntityModel.name).where(
        or_(
            func.lower(EntityModel.name).like(prefix, escape="\\"),
            func.lower(EntityModel.id).like(prefix, escape="\\"),
            EntityModel.id.in_(by_alias),
        )
    )
    if type_:
        found = found.where(EntityModel.type == type_)
    found = found.order_by(func.length(EntityModel.name), EntityModel.name).limit(limit)
    return [EntityHit(*row) for row in session.execute(found).all()]
