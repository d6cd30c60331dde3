"""The JSON Lines contract of ``minewatch analyze`` (DESIGN.md, Machine-readable output).

This format only ever grows by added fields: other tools and the evaluation read it.
"""

from __future__ import annotations

import datetime as dt
import json

from pipeline.errors import StageFailure
from pipeline.records import AnalyzedArticle, Entity, Event, Mention, Role

JsonObject = dict[str, object]


def article_json(analyzed: AnalyzedArticle) -> JsonObject:
    tagged = analyzed.tagged
    article = tagged.article
    return {
        "source": article.source,
        "url": article.url,
        "title": article.title,
        "authors": list(article.authors),
        "published": _date(article.published),
        "sitename": article.sitename,
        "language": article.language,
        "text": article.text,
        "entities": [entity_json(e) for e in tagged.entities],
        "events": [event_json(e) for e in analyzed.events],
        "extractor_version": article.extractor_version,
        "tagger_version": tagged.tagger_version,
        "events_version": analyzed.events_version,
    }


def entity_json(entity: Entity) -> JsonObject:
    data: JsonObject = {"id": entity.id, "type": entity.type, "name": entity.name}
    if entity.type == "person":
        data["official"] = entity.official
        data["roles"] = [role_json(r) for r in entity.roles]
    data.update(_links_json(entity))
    data["source"] = entity.source
    data["mentions"] = [mention_json(m) for m in entity.mentions]
    return data


def _links_json(entity: Entity) -> JsonObject:
    """Fields added for places, sites, implied countries and credited agencies: each
    present only when it says something, so older entities print as they did."""
    data: JsonObject = {}
    if entity.country is not None and entity.type in ("place", "site", "organization"):
        data["country"] = entity.country
    if entity.type == "site":
        data["operator"] = entity.operator
        data["commodities"] = list(entity.commodities)
    if entity.implied:
        data["implied"] = True
        data["implied_by"] = list(entity.implied_by)
    if entity.attribution:
        data["attribution"] = True
    return data


def event_json(event: Event) -> JsonObject:
    return {
        "type": event.type,
        "trigger": event.trigger,
        "sentence": event.sentence,
        "start": event.start,
        "end": event.end,
        "polarity": event.polarity,
        "date": _event_date(event),
        "confidence": event.confidence,
        "minerals": list(event.minerals),
        "countries": list(event.countries),
        "organizations": list(event.organizations),
        "persons": list(event.persons),
        "key": event.key,
    }


def _event_date(event: Event) -> str | None:
    """ISO 8601 at the precision the sentence gives: "2025-11-06", "2025-11" or "2024"."""
    if event.date is None:
        return None
    text = event.date.isoformat()
    return {"day": text, "month": text[:7], "year": text[:4]}[event.date_precision or "day"]


def role_json(role: Role) -> JsonObject:
    return {
        "title": role.title,
        "country": role.country,
        "organization": role.organization,
        "start": _date(role.start),
        "end": _date(role.end),
    }


def mention_json(mention: Mention) -> JsonObject:
    data: JsonObject = {"start": mention.start, "end": mention.end, "text": mention.text}
    if mention.form is not None:
        data["form"] = mention.form
    return data


def failure_json(failure: StageFailure) -> JsonObject:
    return {"source": failure.source, "stage": failure.stage, "error": failure.reason}


def dumps(data: JsonObject) -> str:
    return json.dumps(data, ensure_ascii=False)


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None
