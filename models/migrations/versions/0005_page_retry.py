"""Page failures steer refetching: a failed page waits for its retry time.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

- ``page_states.failures``: failed fetches or analyses of the URL in a row (0 after a
  success).
- ``page_states.retry_at``: the earliest time a failed URL is fetched again. A transient
  failure is retried on the next poll; a terminal one (404, 410, a refused address,
  no article text) after a day, then after a week. A URL whose ``retry_at`` lies in the
  future counts as known, so a dead link in a feed is not requested on every change.
- ``page_states.last_error``: the last failure's one-line reason.
- ``failures.hint``: what to do about the failure, as the CLI printed it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("page_states") as batch:
        batch.add_column(sa.Column("failures", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=True))
    op.create_index("ix_page_states_retry_at", "page_states", ["retry_at"])
    with op.batch_alter_table("failures") as batch:
        batch.add_column(sa.Column("hint", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("failures") as batch:
        batch.drop_column("hint")
    op.drop_index("ix_page_states_retry_at", table_name="page_states")
    with op.batch_alter_table("page_states") as batch:
        batch.drop_column("last_error")
        batch.drop_column("retry_at")
        batch.drop_column("failures")
