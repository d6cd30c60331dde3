"""Indexes for analysts' queries on a large archive.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

- ``ix_articles_published_id`` on ``articles (published DESC NULLS LAST, id)``: the
  listing order of ``minewatch mentions``. The query walks it newest first and stops
  once it has a page of articles, instead of sorting every mention of a popular
  entity. SQLite has no NULLS LAST in an index, but already sorts NULLs last in a
  descending one, so it gets ``(published DESC, id)``: the same order.
- ``ix_entity_aliases_lower_alias`` on ``lower(alias)``: resolving a filter value
  through the aliases (``aluminium`` -> ``mineral:aluminum``) without a full scan.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NULLS_LAST = {"sqlite": "published DESC", "postgresql": "published DESC NULLS LAST"}


def upgrade() -> None:
    published = NULLS_LAST.get(op.get_bind().dialect.name, NULLS_LAST["postgresql"])
    op.create_index("ix_articles_published_id", "articles", [sa.text(published), "id"])
    op.create_index("ix_entity_aliases_lower_alias", "entity_aliases", [sa.text("lower(alias)")])


def downgrade() -> None:
    op.drop_index("ix_entity_aliases_lower_alias", table_name="entity_aliases")
    op.drop_index("ix_articles_published_id", table_name="articles")
