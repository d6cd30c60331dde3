"""Alerts: rules as synced from config.yaml, matches, the outbox and delivery attempts.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29

See :mod:`models.alert_schema` for what each column means.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alert_rules",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("first_seen_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.Column("snoozed_until", _TIME, nullable=True),
        sa.Column("muted_until", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_alert_rules"),
        sa.UniqueConstraint("name", name="uq_alert_rules_name"),
    )
    op.create_table(
        "alert_matches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("story_key", sa.String(255), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["alert_rules.id"],
            name="fk_alert_matches_rule_id_alert_rules",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_alert_matches_article_id_articles",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_alert_matches"),
        sa.UniqueConstraint("rule_id", "story_key", name="uq_alert_matches_rule_id_story_key"),
    )
    op.create_index("ix_alert_matches_article_id", "alert_matches", ["article_id"])
    op.create_table(
        "alert_match_articles",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("added_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["alert_matches.id"],
            name="fk_alert_match_articles_match_id_alert_matches",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_alert_match_articles_article_id_articles",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_alert_match_articles"),
        sa.UniqueConstraint(
            "match_id", "article_id", name="uq_alert_match_articles_match_id_article_id"
        ),
    )
    op.create_index("ix_alert_match_articles_article_id", "alert_match_articles", ["article_id"])
    op.create_table(
        "alert_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(100), nullable=False),
        sa.Column("frequency", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("due_at", _TIME, nullable=False),
        sa.Column("message_key", sa.String(64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_until", _TIME, nullable=True),
        sa.Column("delivered_at", _TIME, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["alert_matches.id"],
            name="fk_alert_outbox_match_id_alert_matches",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_alert_outbox"),
        sa.UniqueConstraint("match_id", "channel", name="uq_alert_outbox_match_id_channel"),
    )
    op.create_index("ix_alert_outbox_state_due_at", "alert_outbox", ["state", "due_at"])
    op.create_index("ix_alert_outbox_message_key", "alert_outbox", ["message_key"])
    op.create_table(
        "alert_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(100), nullable=False),
        sa.Column("message_key", sa.String(64), nullable=False),
        sa.Column("at", _TIME, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["alert_outbox.id"],
            name="fk_alert_attempts_outbox_id_alert_outbox",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_alert_attempts"),
    )
    op.create_index("ix_alert_attempts_outbox_id", "alert_attempts", ["outbox_id"])
    op.create_index("ix_alert_attempts_at", "alert_attempts", ["at"])


def downgrade() -> None:
    for table in ("alert_attempts", "alert_outbox", "alert_match_articles", "alert_matches"):
        op.drop_table(table)
    op.drop_table("alert_rules")
