"""Messages from matches: Jinja2 templates to text and HTML, grouped by rule.

The packaged templates are ``alerts/templates/message.txt`` and ``message.html``; a
channel's ``templates`` folder overrides either by the same name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from alerts.send import Message
from pipeline.alert_config import AlertChannel

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=32)
def environment(override: Path | None) -> jinja2.Environment:
    folders = [str(override)] if override is not None else []
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([*folders, str(TEMPLATES)]),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def group_by_rule(items: Sequence[Mapping[str, Any]]) -> list[tuple[str, list[Mapping[str, Any]]]]:
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for item in items:
        groups.setdefault(str(item["rule"]), []).append(item)
    return sorted(groups.items())


def title_of(items: Sequence[Mapping[str, Any]], frequency: str) -> str:
    if len(items) == 1:
        item = items[0]
        return f"[minewatch] {item['rule']}: {item.get('title') or item['why']}"
    digest = "" if frequency == "immediate" else f" ({frequency} digest)"
    return f"[minewatch] {len(items)} alerts{digest}"


def render(
    channel: AlertChannel, key: str, items: Sequence[Mapping[str, Any]], frequency: str
) -> Message:
    """One message for ``items`` (match details with their ``outlets``)."""
    env = environment(channel.templates)
    groups = group_by_rule(items)
    text = env.get_template("message.txt").render(groups=groups).strip()
    html = env.get_template("message.html").render(groups=groups)
    return Message(key, title_of(items, frequency), text, html)
