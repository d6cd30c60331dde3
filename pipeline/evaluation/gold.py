"""Gold annotations (fixtures/gold/*.json): what a careful reader says a page contains.

Each mention is a string. Plain, it names the one word-bounded occurrence of that
text in the article text; with ``[[...]]`` it gives context that occurs exactly once,
the bracketed part being the mention: ``"According to  [[Zamora]]"``.
See fixtures/README.md for the whole format.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputRejected
from pipeline.records import ENTITY_TYPES

Span = tuple[str, int, int]  # (entity id, start, end)


@dataclass(frozen=True)
class GoldEvent:
    """A gold event, named by its type and the start of its evidence sentence."""

    type: str
    sentence: str
    polarity: str = "positive"
    date: str | None = None
    participants: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Gold:
    path: Path
    page: str
    rejected: bool = False
    metadata: dict[str, object] = field(default_factory=dict)
    starts_with: str | None = None
    excludes: tuple[str, ...] = ()
    entities: dict[str, tuple[str, ...]] | None = None  # None: not scored for entities
    officials: dict[str, str] = field(default_factory=dict)
    not_mentions: tuple[str, ...] = ()
    events: tuple[GoldEvent, ...] | None = None  # None: the page has no event gold yet
    split: str | None = None  # "dev" or "test" for the real-style pages
    implied_countries: frozenset[str] = frozenset()
    attribution: frozenset[str] = frozenset()

    @property
    def entity_types(self) -> tuple[str, ...]:
        """The types the gold annotates exhaustively: the real-style pages (with a split)
        cover places and sites too; the older pages only the first four types."""
        return ENTITY_TYPES if self.split is not None else ENTITY_TYPES[:4]


def load_gold(path: Path) -> Gold:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputRejected(f"{path}: cannot read gold annotations ({exc})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("page"), str):
        raise InputRejected(f"{path}: a gold file is an object with a 'page' name")
    text = raw.get("text") or {}
    return Gold(
        path=path,
        page=raw["page"],
        rejected=bool(raw.get("rejected", False)),
        metadata=dict(raw.get("metadata") or {}),
        starts_with=text.get("starts_with"),
        excludes=tuple(text.get("excludes") or ()),
        entities=_entities(raw["entities"]) if "entities" in raw else None,
        split=str(raw["split"]) if "split" in raw else None,
        officials=dict(raw.get("officials") or {}),
        not_mentions=tuple(raw.get("not_mentions") or ()),
        events=_events(raw["events"]) if "events" in raw else None,
        implied_countries=frozenset(str(c) for c in raw.get("implied_countries") or ()),
        attribution=frozenset(str(c) for c in raw.get("attribution") or ()),
    )


def _entities(raw: object) -> dict[str, tuple[str, ...]]:
    items = raw if isinstance(raw, dict) else {}
    return {str(k): tuple(v) for k, v in items.items()}


def _events(raw: object) -> tuple[GoldEvent, ...]:
    items = raw if isinstance(raw, list) else []
    return tuple(
        GoldEvent(
            type=str(item["type"]),
            sentence=str(item["sentence"]),
            polarity=str(item.get("polarity", "positive")),
            date=item.get("date"),
            participants=frozenset(
                str(p)
                for key in ("minerals", "countries", "organizations", "persons")
                for p in item.get(key) or ()
            ),
        )
        for item in items
        if isinstance(item, dict)
    )


def gold_spans(gold: Gold, text: str) -> tuple[set[Span], list[str]]:
    """Resolve every gold mention to a span; problems name the mention and the fix."""
    spans: set[Span] = set()
    problems: list[str] = []
    for entity_id, mentions in (gold.entities or {}).items():
        for mention in mentions:
            located = locate(mention, text)
            if isinstance(located, str):
                problems.append(f"{gold.path.name}: {entity_id}: {mention!r} {located}")
            else:
                spans.add((entity_id, *located))
    return spans, problems


def locate(mention: str, text: str) -> tuple[int, int] | str:
    """The (start, end) a gold mention string names, or why it names none."""
    if "[[" in mention:
        before, _, rest = mention.partition("[[")
        inner, _, _after = rest.partition("]]")
        context = mention.replace("[[", "").replace("]]", "")
        hits = [m.start() for m in re.finditer(re.escape(context), text)]
        offset = len(before)
        target = inner
    else:
        hits = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(mention)}(?!\w)", text)]
        offset, target = 0, mention
    if len(hits) != 1:
        return f"occurs {len(hits)} times in the text; give context that occurs once, with [[...]]"
    start = hits[0] + offset
    return start, start + len(target)
