"""Mentions keep the traded form of a mineral they name (issue 11).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29

- ``mentions.form``: the commodity form as written ("lithium carbonate", "APT",
  "hot-rolled coil") when the mention names its mineral through a traded form; NULL
  otherwise. Places and sites need no column: their type is the entity's ``type``,
  and their country, operator and commodities go in ``entities.attributes``.
  A country implied by a place or site is stored as mentions of that country at the
  place's or site's spans, with ``source`` "implied".
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mentions") as batch:
        batch.add_column(sa.Column("form", sa.String(255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mentions") as batch:
        batch.drop_column("form")
