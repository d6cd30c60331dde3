"""The entry record and the alias tables the gazetteer loaders fill."""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from pipeline.errors import ConfigError
from pipeline.records import EntityType, Role

# libyaml's parser when PyYAML was built with it: the gazetteers are ~5,000 lines and
# the pure-Python parser took most of the start-up.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> object:
    return yaml.load(text, Loader=_LOADER)


@dataclass(frozen=True)
class GazetteerEntry:
    id: str
    type: EntityType
    name: str
    official: bool = False
    roles: tuple[Role, ...] = ()
    members: tuple[str, ...] = ()
    country: str | None = None  # place, site, organization: "country:<alpha-2>"
    operator: str | None = None  # site: organization id
    commodities: tuple[str, ...] = ()  # site: mineral ids
    kind: str = ""  # organization: agency, company, media...


class GazetteerBuilder:
    def __init__(self) -> None:
        self.entries: dict[str, GazetteerEntry] = {}
        self.ci: dict[str, str] = {}
        self.cs: dict[str, str] = {}
        self.ambiguous: set[str] = set()
        self.forms: set[str] = set()

    def taken(self, alias: str) -> bool:
        return alias in self.cs or alias.lower() in self.ci

    def add_entry(self, entry: GazetteerEntry, source: str) -> None:
        if entry.id in self.entries and self.entries[entry.id].type != entry.type:
            raise ConfigError(f"{source}: id {entry.id!r} is defined twice with different types")
        self.entries[entry.id] = entry

    def add_alias(self, alias: str, entity_id: str, *, case_sensitive: bool, source: str) -> None:
        alias = " ".join(alias.split())
        if not alias:
            return
        table, key = (self.cs, alias) if case_sensitive else (self.ci, alias.lower())
        known = table.get(key)
        if known is not None and known != entity_id:
            raise ConfigError(
                f"{source}: alias {alias!r} names both {known!r} and {entity_id!r}; "
                "keep it in one entry"
            )
        table[key] = entity_id
