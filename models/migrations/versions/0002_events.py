"""Events: event_clusters, events, event_participants, event_reviews.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _create_clusters() -> None:
    op.create_table(
        "event_clusters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("signature", sa.String(64), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_event_clusters"),
        sa.UniqueConstraint("signature", name="uq_event_clusters_signature"),
    )
    op.create_index("ix_event_clusters_type", "event_clusters", ["type"])


def _create_events() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("event_key", sa.String(64), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("trigger", sa.Text(), nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("polarity", sa.String(16), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("date_precision", sa.String(8), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=True),
        sa.Column("events_version", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_events_article_id_articles",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["event_clusters.id"],
            name="fk_events_cluster_id_event_clusters",
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("article_id", "event_key", name="uq_events_article_id_event_key"),
        sa.CheckConstraint('start >= 0 AND "end" >= start', name="ck_events_span"),
    )
    op.create_index("ix_events_type_event_date", "events", ["type", "event_date"])
    op.create_index("ix_events_cluster_id", "events", ["cluster_id"])


def _create_participants() -> None:
    op.create_table(
        "event_participants",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.String(255), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_event_participants"),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name="fk_event_participants_event_id_events",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name="fk_event_participants_entity_id_entities"
        ),
        sa.UniqueConstraint(
            "event_id", "entity_id", name="uq_event_participants_event_id_entity_id"
        ),
    )
    op.create_index(
        "ix_event_participants_entity_id_event_id",
        "event_participants",
        ["entity_id", "event_id"],
    )


def _create_reviews() -> None:
    op.create_table(
        "event_reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("event_key", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reviewer", sa.String(255), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("correction", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_event_reviews"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_event_reviews_article_id_articles",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "article_id", "event_key", name="uq_event_reviews_article_id_event_key"
        ),
    )


def upgrade() -> None:
    _create_clusters()
    _create_events()
    _create_participants()
    _create_reviews()


def downgrade() -> None:
    op.drop_table("event_reviews")
    op.drop_table("event_participants")
    op.drop_table("events")
    op.drop_table("event_clusters")
