"""Load the curated gazetteers (extractors/data/*.yaml) plus pycountry into one Gazetteer.

Matching rules the data files rely on:
- mineral aliases match case-insensitively; their ``ambiguous`` aliases (lead, tin,
  gold...) are accepted only in a mineral context (see ``extractors.context``);
- country, organization and official aliases match case-sensitively, so the pronoun
  "us" is never the country "US";
- a blocklist phrase removes every entity overlapping it ("New Mexico", "gold standard").
"""

from __future__ import annotations

import datetime as dt
import gettext
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pycountry
import yaml

from extractors.gazetteer_base import GazetteerBuilder as _Builder
from extractors.gazetteer_base import GazetteerEntry as GazetteerEntry
from extractors.gazetteer_base import load_yaml
from extractors.gazetteer_extra import add_capitals, add_places, load_sites
from extractors.places import PLACES_FILE, load_places
from extractors.sites import SITES_FILE
from pipeline.config import GAZETTEER_FILES
from pipeline.errors import ConfigError
from pipeline.records import EntityType, Role


@dataclass(frozen=True)
class Gazetteer:
    entries: dict[str, GazetteerEntry]
    case_insensitive: dict[str, str]  # lowercased alias -> entity id
    case_sensitive: dict[str, str]  # alias as written -> entity id
    ambiguous: frozenset[str]  # lowercased mineral aliases that are also common words
    block_case_sensitive: tuple[str, ...] = ()
    block_case_insensitive: tuple[str, ...] = ()
    fingerprint: str = ""
    surnames: dict[str, str] = field(default_factory=dict)  # name part -> person id
    ambiguous_places: frozenset[str] = frozenset()  # place names that need a place cue
    forms: frozenset[str] = frozenset()  # lowercased mineral aliases that are traded forms


def load_gazetteer(directory: Path) -> Gazetteer:
    builder = _Builder()
    _load_minerals(builder, directory / "minerals.yaml")
    _load_countries(builder, directory / "countries.yaml")
    _load_named(builder, directory / "organizations.yaml", "organization")
    _load_named(builder, directory / "officials.yaml", "person")
    load_sites(builder, directory / SITES_FILE)
    add_capitals(builder)
    places = load_places(directory)
    add_places(builder, places)
    blocklist = _mapping(_read(directory / "blocklist.yaml"), directory / "blocklist.yaml")
    return Gazetteer(
        entries=builder.entries,
        case_insensitive=builder.ci,
        case_sensitive=builder.cs,
        ambiguous=frozenset(builder.ambiguous),
        block_case_sensitive=tuple(str(p) for p in blocklist.get("case_sensitive") or ()),
        block_case_insensitive=tuple(str(p) for p in blocklist.get("case_insensitive") or ()),
        fingerprint=_fingerprint(directory),
        surnames=_surnames(builder.entries),
        ambiguous_places=places.ambiguous,
        forms=frozenset(builder.forms),
    )


def _load_minerals(builder: _Builder, path: Path) -> None:
    for item in _records(path):
        entry = GazetteerEntry(
            id=str(item["id"]),
            type="mineral",
            name=str(item["name"]),
            members=tuple(str(m) for m in item.get("members") or ()),
        )
        builder.add_entry(entry, str(path))
        for alias in [entry.name, *(item.get("aliases") or ())]:
            builder.add_alias(str(alias), entry.id, case_sensitive=False, source=str(path))
        builder.ambiguous.update(str(a).lower() for a in item.get("ambiguous") or ())
        for form in item.get("forms") or ():
            # an acronym ("APT", "MHP", "NdPr") matches as written, a word in any case
            acronym = sum(ch.isupper() for ch in str(form)) >= 2
            builder.add_alias(str(form), entry.id, case_sensitive=acronym, source=str(path))
            builder.forms.add(str(form).lower())


def _load_countries(builder: _Builder, path: Path) -> None:
    extras = _mapping(_read(path), path)
    excluded = {str(name) for name in extras.get("_exclude") or ()}
    spanish = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"])
    for country in pycountry.countries:
        code = str(country.alpha_2)
        entity_id = f"country:{code}"
        common = getattr(country, "common_name", None)
        builder.add_entry(GazetteerEntry(entity_id, "country", common or country.name), str(path))
        extra = extras.get(code) or {}
        derived = [
            country.name,
            common,
            getattr(country, "official_name", None),
            spanish.gettext(country.name),
        ]
        own = [*(extra.get("aliases") or ()), *(extra.get("demonyms") or ())]
        # _exclude removes pycountry's names; an alias this file lists is authoritative
        # ("Congo" is excluded from CG and listed under CD)
        names = [n for n in derived if n and str(n) not in excluded] + own
        for name in names:
            if name and _usable_country_name(str(name)):
                builder.add_alias(str(name), entity_id, case_sensitive=True, source=str(path))
    unknown = sorted(str(k) for k in extras if k != "_exclude" and not _is_alpha_2(k))
    if unknown:
        raise ConfigError(
            f"{path}: keys {', '.join(unknown)} are not ISO 3166-1 alpha-2 codes "
            "(quote codes YAML reads as booleans, such as 'NO')"
        )


def _is_alpha_2(key: object) -> bool:
    return isinstance(key, str) and len(key) == 2 and key in _ALPHA_2


_ALPHA_2 = frozenset(str(c.alpha_2) for c in pycountry.countries)


def _usable_country_name(name: str) -> bool:
    """Inverted ISO forms ("Korea, Republic of") never appear in running text."""
    return "," not in name and "(" not in name


def _load_named(builder: _Builder, path: Path, type_: EntityType) -> None:
    for item in _records(path):
        roles = tuple(_role(r) for r in item.get("roles") or ())
        entry = GazetteerEntry(
            id=str(item["id"]),
            type=type_,
            name=str(item["name"]),
            official=type_ == "person" and bool(roles),
            roles=roles,
            country=item.get("country"),
            kind=str(item.get("kind") or ""),
        )
        builder.add_entry(entry, str(path))
        for alias in [entry.name, *(item.get("aliases") or ())]:
            builder.add_alias(str(alias), entry.id, case_sensitive=True, source=str(path))


def _role(raw: dict[str, Any]) -> Role:
    return Role(
        title=str(raw["title"]),
        country=raw.get("country"),
        organization=raw.get("organization"),
        start=_date(raw.get("start")),
        end=_date(raw.get("end")),
    )


_PARTICLES = {"de", "del", "la", "las", "los", "y", "van", "von", "der", "da", "di", "le", "bin"}


def _surnames(entries: dict[str, GazetteerEntry]) -> dict[str, str]:
    """Every name part after the given name, for resolving "According to Zamora"."""
    parts: dict[str, str] = {}
    for entry in entries.values():
        if entry.type == "person":
            parts.update(surname_parts(entry.name, entry.id))
    return parts


def surname_parts(full_name: str, person_id: str) -> dict[str, str]:
    words = full_name.split()[1:]
    return {w: person_id for w in words if w.lower() not in _PARTICLES and len(w) > 2}


def _date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _records(path: Path) -> list[dict[str, Any]]:
    data = _read(path)
    if not isinstance(data, list) or not all(isinstance(i, dict) for i in data):
        raise ConfigError(f"{path}: expected a list of entries")
    for index, item in enumerate(data):
        if "id" not in item or "name" not in item:
            raise ConfigError(f"{path}: entry {index} lacks 'id' or 'name'")
    return data


def _mapping(data: object, path: Path) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping")
    return data


def _read(path: Path) -> object:
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read gazetteer ({exc.strerror})") from None
    except yaml.YAMLError:
        raise ConfigError(f"{path}: not valid YAML; fix the gazetteer file") from None


def _fingerprint(directory: Path) -> str:
    digest = hashlib.sha256()
    for name in (*GAZETTEER_FILES, SITES_FILE, PLACES_FILE):
        digest.update((directory / name).read_bytes())
    return digest.hexdigest()[:12]
