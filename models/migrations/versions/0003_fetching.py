"""Fetching: sources, page_states, runs, fetch_log, failures, article clusters.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

Adds the polling state of sources and URLs, the audit of runs, requests and
failures, and near-duplicate clustering of articles (SimHash with four indexed
16-bit bands, and a cluster id). Existing articles get no SimHash; they are
fingerprinted when next stored (``minewatch reprocess``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BANDS = ("simhash_band0", "simhash_band1", "simhash_band2", "simhash_band3")


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _create_clusters() -> None:
    op.create_table(
        "article_clusters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_article_clusters"),
    )
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("simhash", sa.BigInteger(), nullable=True))
        for band in _BANDS:
            batch.add_column(sa.Column(band, sa.Integer(), nullable=True))
        batch.add_column(sa.Column("cluster_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_articles_cluster_id_article_clusters",
            "article_clusters",
            ["cluster_id"],
            ["id"],
            ondelete="SET NULL",
        )
        for column in (*_BANDS, "cluster_id"):
            batch.create_index(f"ix_articles_{column}", [column])


def _create_sources() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("etag", sa.String(1024), nullable=True),
        sa.Column("last_modified", sa.String(128), nullable=True),
        sa.Column("last_polled_at", _tz(), nullable=True),
        sa.Column("last_success_at", _tz(), nullable=True),
        sa.Column("last_new_article_at", _tz(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("next_poll_at", _tz(), nullable=True),
        sa.Column("backoff_until", _tz(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
        sa.UniqueConstraint("name", name="uq_sources_name"),
    )


def _create_page_states() -> None:
    op.create_table(
        "page_states",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("etag", sa.String(1024), nullable=True),
        sa.Column("last_modified", sa.String(128), nullable=True),
        sa.Column("last_fetched_at", _tz(), nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_page_states"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_page_states_article_id_articles",
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("url", name="uq_page_states_url"),
    )
    op.create_index("ix_page_states_source", "page_states", ["source"])
    op.create_index("ix_page_states_article_id", "page_states", ["article_id"])


_COUNTS = (
    "sources",
    "links",
    "skipped",
    "fetched",
    "new",
    "updated",
    "unchanged",
    "duplicates",
    "failed",
)


def _create_runs() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", _tz(), nullable=False),
        sa.Column("finished_at", _tz(), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _COUNTS),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_index("ix_runs_status", "runs", ["status"])


def _run_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["run_id"], ["runs.id"], name=f"fk_{table}_run_id_runs", ondelete="SET NULL"
    )


def _create_fetch_log() -> None:
    op.create_table(
        "fetch_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(255), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("elapsed_ms", sa.Float(), nullable=False),
        sa.Column("outcome", sa.String(64), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("at", _tz(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_fetch_log"),
        _run_fk("fetch_log"),
    )
    op.create_index("ix_fetch_log_at", "fetch_log", ["at"])
    op.create_index("ix_fetch_log_run_id", "fetch_log", ["run_id"])


def _create_failures() -> None:
    op.create_table(
        "failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("source", sa.String(255), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("error_class", sa.String(64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("transient", sa.Boolean(), nullable=False),
        sa.Column("at", _tz(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_failures"),
        _run_fk("failures"),
    )
    op.create_index("ix_failures_at", "failures", ["at"])
    op.create_index("ix_failures_run_id", "failures", ["run_id"])


def upgrade() -> None:
    _create_clusters()
    _create_sources()
    _create_page_states()
    _create_runs()
    _create_fetch_log()
    _create_failures()


def downgrade() -> None:
    for table in ("failures", "fetch_log", "runs", "page_states", "sources"):
        op.drop_table(table)
    with op.batch_alter_table("articles") as batch:
        for column in (*_BANDS, "cluster_id"):
            batch.drop_index(f"ix_articles_{column}")
        batch.drop_constraint("fk_articles_cluster_id_article_clusters", type_="foreignkey")
        for column in ("cluster_id", *_BANDS, "simhash"):
            batch.drop_column(column)
    op.drop_table("article_clusters")
