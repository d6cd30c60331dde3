"""Duplicates at storage time: the same text under another key, and near-duplicate
clusters found through the SimHash bands (:mod:`models.dedupe`).

Functions take an open :class:`Session` and leave the commit to the caller.
"""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from models import dedupe
from models.schema import ArticleClusterModel, ArticleModel, utcnow

MAX_CANDIDATES = 200


def exact_duplicate(session: Session, content_hash: str, key: str) -> int | None:
    """The id of a stored article with the same text hash under another key, if any."""
    return session.scalars(
        select(ArticleModel.id)
        .where(ArticleModel.content_hash == content_hash, ArticleModel.key != key)
        .order_by(ArticleModel.id)
        .limit(1)
    ).first()


def assign_cluster(session: Session, row: ArticleModel) -> None:
    """Fingerprint ``row`` and join the cluster of its nearest near duplicate, if any."""
    fingerprint = dedupe.fingerprint(row.text)
    if fingerprint is None:
        row.simhash = row.simhash_band0 = row.simhash_band1 = None
        row.simhash_band2 = row.simhash_band3 = row.cluster_id = None
        return
    row.simhash = fingerprint.signed
    row.simhash_band0, row.simhash_band1, row.simhash_band2, row.simhash_band3 = fingerprint.bands
    session.flush()
    nearest = _nearest(session, row.id, fingerprint)
    if nearest is None:
        row.cluster_id = None
        return
    other_id, cluster_id = nearest
    if cluster_id is None:
        cluster = ArticleClusterModel(created_at=utcnow())
        session.add(cluster)
        session.flush()
        cluster_id = cluster.id
        session.execute(
            update(ArticleModel).where(ArticleModel.id == other_id).values(cluster_id=cluster_id)
        )
    row.cluster_id = cluster_id
    session.flush()


def _nearest(
    session: Session, article_id: int, fingerprint: dedupe.Fingerprint
) -> tuple[int, int | None] | None:
    """(id, cluster_id) of the closest stored near duplicate, found through the bands.

    At most :data:`MAX_CANDIDATES` candidates, the newest, are compared, so a story
    republished thousands of times costs no more to store than one republished once.
    """
    columns = (
        ArticleModel.simhash_band0,
        ArticleModel.simhash_band1,
        ArticleModel.simhash_band2,
        ArticleModel.simhash_band3,
    )
    probes = fingerprint.probes
    query = (
        select(ArticleModel.id, ArticleModel.simhash, ArticleModel.cluster_id)
        .where(
            ArticleModel.id != article_id,
            or_(*(column.in_(values) for column, values in zip(columns, probes, strict=True))),
        )
        .order_by(ArticleModel.id.desc())
        .limit(MAX_CANDIDATES)
    )
    best: tuple[int, int, int | None] | None = None
    for other_id, other_hash, cluster_id in session.execute(query):
        if other_hash is None:
            continue
        distance = dedupe.distance(fingerprint.simhash, dedupe.to_unsigned(other_hash))
        if distance <= dedupe.MAX_DISTANCE and (best is None or (distance, other_id) < best[:2]):
            best = (distance, other_id, cluster_id)
    return None if best is None else (best[1], best[2])
