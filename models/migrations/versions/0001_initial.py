"""Initial schema: articles, entities, entity_aliases, mentions.

Revision ID: 0001
Revises:
Create Date: 2026-01-01

Hand-written to run on SQLite and PostgreSQL alike; constraint names follow
``models.schema.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _create_articles() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(2048), nullable=False),
        sa.Column("url", sa.String(2048), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("sitename", sa.String(512), nullable=True),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("raw_html", sa.LargeBinary(), nullable=True),
        sa.Column("extractor_version", sa.String(255), nullable=False),
        sa.Column("tagger_version", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
        sa.UniqueConstraint("key", name="uq_articles_key"),
    )
    op.create_index("ix_articles_published", "articles", ["published"])
    op.create_index("ix_articles_content_hash", "articles", ["content_hash"])


def _create_entities() -> None:
    op.create_table(
        "entities",
        sa.Column("id", sa.String(255), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("official", sa.Boolean(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_entities"),
    )
    op.create_index("ix_entities_type", "entities", ["type"])
    op.create_table(
        "entity_aliases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity_id", sa.String(255), nullable=False),
        sa.Column("alias", sa.String(512), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_entity_aliases"),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name="fk_entity_aliases_entity_id_entities",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("entity_id", "alias", name="uq_entity_aliases_entity_id_alias"),
    )
    op.create_index("ix_entity_aliases_alias", "entity_aliases", ["alias"])


def _create_mentions() -> None:
    op.create_table(
        "mentions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.String(255), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_mentions"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_mentions_article_id_articles",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name="fk_mentions_entity_id_entities"
        ),
        sa.UniqueConstraint(
            "article_id",
            "start",
            "end",
            "entity_id",
            name="uq_mentions_article_id_start_end_entity_id",
        ),
        sa.CheckConstraint('start >= 0 AND "end" >= start', name="ck_mentions_span"),
    )
    op.create_index("ix_mentions_entity_id_article_id", "mentions", ["entity_id", "article_id"])


def upgrade() -> None:
    _create_articles()
    _create_entities()
    _create_mentions()


def downgrade() -> None:
    op.drop_table("mentions")
    op.drop_table("entity_aliases")
    op.drop_table("entities")
    op.drop_table("articles")
