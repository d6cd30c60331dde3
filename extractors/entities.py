"""Group the chosen candidates into canonical entities with their mentions and roles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from extractors.candidates import Candidate
from extractors.gazetteer import Gazetteer, GazetteerEntry
from pipeline.records import Entity, EntityType, Mention, Role, TagSource, slugify


@dataclass
class _Group:
    id: str
    type: EntityType
    name: str
    source: TagSource
    official: bool = False
    roles: list[Role] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    entry: GazetteerEntry | None = None
    attribution: bool = False


def build_entities(
    doc: Doc, candidates: list[Candidate], gazetteer: Gazetteer, published: dt.date | None
) -> tuple[Entity, ...]:
    groups: dict[str, _Group] = {}
    for candidate in sorted(candidates, key=lambda c: c.start):
        span = doc[candidate.start : candidate.end]
        group = groups.get(_entity_id(candidate, span.text, gazetteer))
        if group is None:
            group = _new_group(candidate, span.text, gazetteer, published)
            groups[group.id] = group
        group.mentions.append(_mention(span, candidate, gazetteer))
        group.attribution = group.attribution or candidate.attribution
        if candidate.role is not None and candidate.role not in group.roles and not group.roles:
            group.roles.append(candidate.role)
    return tuple(_freeze(g) for g in groups.values())


def _entity_id(candidate: Candidate, text: str, gazetteer: Gazetteer) -> str:
    if candidate.entity_id:
        return candidate.entity_id
    if candidate.type == "person":
        return Candidate.person_id(text)
    return f"{candidate.type}:{slugify(text)}"


def _new_group(
    candidate: Candidate, text: str, gazetteer: Gazetteer, published: dt.date | None
) -> _Group:
    entity_id = _entity_id(candidate, text, gazetteer)
    entry = gazetteer.entries.get(entity_id)
    if entry is not None:
        return _Group(
            id=entry.id,
            type=entry.type,
            name=entry.name,
            source=candidate.source,
            official=entry.official,
            roles=list(roles_at(entry, published)),
            entry=entry,
        )
    assert candidate.type != "BLOCK"
    return _Group(
        id=entity_id,
        type=candidate.type,
        name=text,
        source=candidate.source,
        official=candidate.role is not None,
    )


def roles_at(entry: GazetteerEntry, when: dt.date | None) -> tuple[Role, ...]:
    """The offices held on the publication date; all of them if the date is unknown
    or none matches (a former official is still identified by the office they held)."""
    if when is None:
        return entry.roles
    current = tuple(
        r
        for r in entry.roles
        if (r.start is None or r.start <= when) and (r.end is None or when < r.end)
    )
    return current or entry.roles


def _mention(span: Span, candidate: Candidate, gazetteer: Gazetteer) -> Mention:
    end = span.end_char - candidate.trim_end
    text = span.text[: len(span.text) - candidate.trim_end]
    form = text if candidate.type == "mineral" and text.lower() in gazetteer.forms else None
    return Mention(span.start_char, end, text, form)


def _freeze(group: _Group) -> Entity:
    entry = group.entry
    return Entity(
        id=group.id,
        type=group.type,
        name=group.name,
        mentions=tuple(group.mentions),
        official=group.official,
        roles=tuple(group.roles),
        source=group.source,
        country=entry.country if entry else None,
        operator=entry.operator if entry else None,
        commodities=entry.commodities if entry else (),
        attribution=group.attribution,
    )
