"""The one table of :mod:`bench.run`: rows of (section, measurement, result)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bench.endtoend import Cycle, Ingest
from bench.stages import STAGES, StageTimes


@dataclass
class Table:
    rows: list[tuple[str, str, str]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def add(self, section: str, measurement: str, result: str) -> None:
        self.rows.append((section, measurement, result))

    def check(self, name: str, passed: bool, detail: str) -> None:
        self.add("done when", name, f"{'PASS' if passed else 'FAIL'}: {detail}")

    def render(self) -> str:
        lines = ["| section | measurement | result |", "|---|---|---|"]
        lines += [f"| {s} | {m} | {r} |" for s, m, r in self.rows]
        return "\n".join(lines)


def stage_rows(table: Table, times: StageTimes) -> None:
    what = f"median ms/doc over {times.documents} docs ({times.words:.0f} words median)"
    for stage in STAGES:
        table.add(
            "per stage",
            f"{stage} ({what})" if stage == "extraction" else stage,
            f"{times.median_ms[stage]:.1f} ms",
        )
    table.add("per stage", "extraction + tagging + events", f"{times.analyze_ms:.1f} ms")
    ratio = times.document_scope_ms / times.median_ms["tagging"]
    same = times.agreement
    table.add(
        "per stage",
        "tagging with the model on every sentence (`nlp.scope: document`), same documents",
        f"{times.document_scope_ms:.1f} ms = {ratio:.2f}x the default. Found by both: "
        f"{same.mentions_shared:,} mentions of {same.mentions_document:,} (document) and "
        f"{same.mentions_needed:,} (default); {same.events_shared:,} events of "
        f"{same.events_document:,} and {same.events_needed:,}",
    )


def ingest_rows(table: Table, run: Ingest, variant: str = "") -> None:
    table.add(
        "end to end",
        f"`minewatch poll`, {run.pages:,} articles" + (f", {variant}" if variant else ""),
        f"{run.per_second:.2f} articles/s, {run.ms_per_article:.0f} ms/article "
        f"(poll cycle {run.result.run_seconds:.1f} s; process {run.process.seconds:.1f} s "
        f"with start-up = {run.wall_per_second:.2f}/s); peak RSS {run.process.peak_rss_mb:.0f} MB"
        f"; stored {run.result.articles:,}" + ("" if run.ok else " **BROKEN**"),
    )


def peer_rows(
    table: Table, peers: dict[str, Any], minewatch_rate: float, rules_only_rate: float
) -> None:
    for peer in peers["peers"]:
        rate = float(peer["per_second"])
        table.add(
            "peers",
            f"{peer['name']}, {peer['documents']} pages",
            f"{rate:.2f} docs/s, {peer['median_ms']:.1f} ms/doc; "
            f"minewatch end to end / peer = {minewatch_rate / rate:.2f}x "
            f"(rules only: {rules_only_rate / rate:.2f}x)",
        )
    attempts = ", ".join(peers["network_attempts"]) or "none"
    table.add("peers", "attempts to leave loopback (refused)", attempts)


def cycle_rows(table: Table, cycle: Cycle) -> None:
    table.add(
        "304 cycle",
        f"{cycle.feeds:,} unchanged feeds, one `minewatch poll`",
        f"{cycle.result.run_seconds:.2f} s per cycle "
        f"({1000 * cycle.result.run_seconds / cycle.feeds:.1f} ms/feed; process "
        f"{cycle.process.seconds:.1f} s); peak RSS {cycle.process.peak_rss_mb:.0f} MB"
        + ("" if cycle.ok else " **BROKEN**"),
    )
