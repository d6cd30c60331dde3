"""Near-duplicate detection: SimHash distances on real pages, banding recall, clusters."""

from __future__ import annotations

import random
from itertools import combinations
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from models import dedupe
from models.duplicates import exact_duplicate
from models.schema import ArticleModel
from models.store import ingest
from pipeline.stages import Analyzer
from tests.conftest import FIXTURES, PAGES, SEEDS
from tests.plugins.db import Db, build_tagged

SYNDICATED = FIXTURES / "syndicated" / "latam-wire-mexico-critical-minerals.html"
UNRELATED = ("hardcase-common-words", "hardcase-titled-officials", "spanish-article", SEEDS[0])


def _texts(analyzer: Analyzer, paths: list[Path]) -> dict[str, str]:
    texts = {}
    for outcome in analyzer.analyze([str(p) for p in paths]):
        assert outcome.analyzed is not None, outcome.failure
        texts[Path(outcome.source).stem] = outcome.analyzed.article.text
    return texts


def test_syndicated_variant_is_near_and_other_articles_are_far(blank_analyzer: Analyzer) -> None:
    paths = [PAGES / f"{name}.html" for name in (SEEDS[1], *UNRELATED)] + [SYNDICATED]
    texts = _texts(blank_analyzer, paths)
    hashes = {name: dedupe.simhash(text) for name, text in texts.items()}
    original, copy = hashes[SEEDS[1]], hashes[SYNDICATED.stem]
    assert texts[SEEDS[1]] != texts[SYNDICATED.stem]  # another intro and closing line
    assert dedupe.distance(original, copy) <= dedupe.MAX_DISTANCE
    for a, b in combinations(hashes, 2):
        if {a, b} != {SEEDS[1], SYNDICATED.stem}:
            assert dedupe.distance(hashes[a], hashes[b]) > 2 * dedupe.MAX_DISTANCE, (a, b)


def test_simhash_is_stable_and_ignores_case_and_spacing() -> None:
    text = "Mexico produces eight of the 60 critical minerals. " * 10
    assert dedupe.simhash(text) == dedupe.simhash(text.upper().replace(" ", "  \n"))
    assert dedupe.simhash(text) == 0x916483BE39904098  # stored hashes must stay comparable
    assert dedupe.fingerprint("too short to compare") is None


def test_signed_round_trip_and_bands() -> None:
    value = 0xFEDC_BA98_7654_3210
    assert dedupe.to_unsigned(dedupe.to_signed(value)) == value
    assert dedupe.to_signed(value) < 0
    assert dedupe.bands(value) == (0xFEDC, 0xBA98, 0x7654, 0x3210)


@given(
    st.integers(min_value=0, max_value=2**64 - 1),
    st.sets(st.integers(min_value=0, max_value=63), max_size=dedupe.MAX_DISTANCE),
)
def test_any_hash_within_max_distance_shares_a_probe(value: int, flipped: set[int]) -> None:
    other = value
    for bit in flipped:
        other ^= 1 << bit
    probes = dedupe.probes(value)
    assert any(band in probes[i] for i, band in enumerate(dedupe.bands(other)))


def test_probes_cover_a_small_share_of_random_hashes() -> None:
    rng = random.Random(7)
    value = rng.getrandbits(64)
    probes = [set(p) for p in dedupe.probes(value)]
    hits = sum(
        any(b in probes[i] for i, b in enumerate(dedupe.bands(rng.getrandbits(64))))
        for _ in range(20_000)
    )
    assert hits / 20_000 < 0.02  # ~0.84% expected: lookups stay O(candidates)


def test_near_duplicates_join_one_cluster_and_exact_copies_are_found(
    migrated: Db, blank_analyzer: Analyzer
) -> None:
    texts = _texts(
        blank_analyzer, [PAGES / f"{SEEDS[1]}.html", SYNDICATED, PAGES / f"{SEEDS[0]}.html"]
    )
    urls = ("https://a.example/mnd", "https://b.example/wire", "https://c.example/mbn")
    ids = [
        ingest(migrated.sessions, build_tagged(text, {}, url=url)).article_id
        for text, url in zip(texts.values(), urls, strict=True)
    ]
    with migrated.sessions() as session:
        rows = {r.id: r for r in session.scalars(select(ArticleModel))}
        assert rows[ids[0]].cluster_id is not None
        assert rows[ids[0]].cluster_id == rows[ids[1]].cluster_id
        assert rows[ids[2]].cluster_id is None
        assert rows[ids[0]].simhash is not None
        assert rows[ids[0]].simhash_band0 is not None
        mnd_hash = rows[ids[0]].content_hash
        assert exact_duplicate(session, mnd_hash, "https://d.example/copy") == ids[0]
        assert exact_duplicate(session, mnd_hash, urls[0]) is None
