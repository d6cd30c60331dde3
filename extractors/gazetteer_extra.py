"""Sites and places into the gazetteer's alias tables (issue 11).

Sites (``data/sites.yaml``) are curated: their names match as written, and a clash with
another entry is an error to fix in the data. Places come mostly from data packages
(see :mod:`extractors.places`): a place name never takes an alias another entry
already has, and the first place to claim a name keeps it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from extractors.gazetteer_base import GazetteerBuilder, GazetteerEntry, load_yaml
from extractors.places import PlaceData
from pipeline.errors import ConfigError

# All-caps wire copy ("COPPER HITS RECORD AS CHILE MINE STRIKE DRAGS ON"): countries
# and places also match in capitals when the name has at least this many letters, so
# "US" and "UK" in a shouted "LET US KNOW" stay out.
MIN_CAPITALS = 4


def load_sites(builder: GazetteerBuilder, path: Path) -> None:
    for item in _site_records(path):
        entry = GazetteerEntry(
            id=str(item["id"]),
            type="site",
            name=str(item["name"]),
            country=f"country:{item['country']}",
            operator=item.get("operator"),
            commodities=tuple(f"mineral:{c}" for c in item.get("commodities") or ()),
        )
        builder.add_entry(entry, str(path))
        for alias in [entry.name, *(item.get("aliases") or ())]:
            builder.add_alias(str(alias), entry.id, case_sensitive=True, source=str(path))


def _site_records(path: Path) -> list[dict[str, Any]]:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the sites gazetteer ({exc})") from None
    if not isinstance(data, list) or not all(isinstance(i, dict) for i in data):
        raise ConfigError(f"{path}: expected a list of sites")
    for index, item in enumerate(data):
        if not {"id", "name", "country"} <= item.keys():
            raise ConfigError(f"{path}: site {index} lacks 'id', 'name' or 'country'")
    return data


def add_places(builder: GazetteerBuilder, data: PlaceData) -> None:
    for place in data.places:
        names = [n for n in (place.name, *place.aliases) if not builder.taken(n)]
        if not names and place.id not in builder.entries:
            continue
        if place.id not in builder.entries:
            entry = GazetteerEntry(place.id, "place", place.name, country=place.country)
            builder.entries[place.id] = entry
        for name in names:
            builder.cs[" ".join(name.split())] = place.id
        if place.capitals:
            _add_capitals(builder, names, place.id)


def add_capitals(builder: GazetteerBuilder) -> None:
    """Country names in capitals, for all-caps headlines ("CHILE MINE STRIKE")."""
    countries = [(a, e) for a, e in builder.cs.items() if e.startswith("country:")]
    for alias, entity_id in countries:
        _add_capitals(builder, [alias], entity_id)


def _add_capitals(builder: GazetteerBuilder, names: list[str], entity_id: str) -> None:
    for name in names:
        capitals = " ".join(name.split()).upper()
        letters = sum(ch.isalpha() for ch in name)
        if letters >= MIN_CAPITALS and not builder.taken(capitals):
            builder.cs[capitals] = entity_id
