"""Countries implied by places and sites (issue 11, class 2).

A story about a mine near Kalgoorlie that never names Australia is still about
Australia: the country is added as an entity without mentions of its own, with the
places and sites that imply it (``implied_by``), so filters and alerts by country find
the story, and analysts can tell a named country from an implied one.
"""

from __future__ import annotations

from extractors.gazetteer import Gazetteer
from pipeline.records import Entity


def with_implied_countries(
    entities: tuple[Entity, ...], gazetteer: Gazetteer
) -> tuple[Entity, ...]:
    named = {e.id for e in entities if e.type == "country"}
    implied: dict[str, list[str]] = {}
    for entity in entities:
        if entity.type in ("place", "site") and entity.country and entity.country not in named:
            implied.setdefault(entity.country, []).append(entity.id)
    added = tuple(_implied(country, by, gazetteer) for country, by in sorted(implied.items()))
    return entities + added


def _implied(country: str, implied_by: list[str], gazetteer: Gazetteer) -> Entity:
    entry = gazetteer.entries.get(country)
    return Entity(
        id=country,
        type="country",
        name=entry.name if entry else country.partition(":")[2],
        mentions=(),
        source="implied",
        implied_by=tuple(sorted(set(implied_by))),
    )
