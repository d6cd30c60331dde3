"""The event trigger lexicon (extractors/data/events.yaml) and the checks on a trigger's
phrase that its conditions ask for."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

import yaml
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Token

from pipeline.errors import ConfigError
from pipeline.records import EVENT_TYPES, EventType

LEXICON_FILE = "events.yaml"
IGNORE = "ignore"
Need = Literal["mineral", "money_or_party"]
_PHRASE_DEPS = frozenset(
    [
        "dobj",
        "pobj",
        "prep",
        "attr",
        "compound",
        "amod",
        "nmod",
        "poss",
        "nummod",
        "quantmod",
        "appos",
        "dative",
        "oprd",
        "npadvmod",
        "pcomp",
        "det",
        "case",
    ]
)
_MONEY = frozenset(
    ["$", "us$", "usd", "€", "eur", "million", "billion", "millones", "mdd", "pesos", "mxn"]
)
_UNITS = frozenset(
    [
        "%",
        "percent",
        "per",
        "cent",
        "tonnes",
        "tons",
        "tonne",
        "ton",
        "ounces",
        "oz",
        "mt",
        "kt",
        "lbs",
        "pounds",
    ]
)


@dataclass(frozen=True)
class TriggerRule:
    type: EventType
    phrase: str
    needs_object: frozenset[str] = frozenset()
    needs_in_sentence: frozenset[str] = frozenset()
    needs: Need | None = None
    ignore: bool = False  # a look-alike phrase that blocks the trigger inside it


def load_lexicon(directory: Path) -> dict[str, TriggerRule]:
    """Rules keyed by a matcher key ("policy:3"), read from ``directory/events.yaml``."""
    path = directory / LEXICON_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the event lexicon ({exc})") from None
    if not isinstance(raw, dict) or set(raw) - {*EVENT_TYPES, IGNORE}:
        raise ConfigError(f"{path}: top-level keys must be event types: {', '.join(EVENT_TYPES)}")
    rules: dict[str, TriggerRule] = {}
    for index, phrase in enumerate(raw.get(IGNORE) or ()):
        rules[f"{IGNORE}:{index}"] = TriggerRule(type="policy", phrase=str(phrase), ignore=True)
    for type_name, section in raw.items():
        if type_name == IGNORE:
            continue
        for index, item in enumerate((section or {}).get("triggers") or ()):
            rules[f"{type_name}:{index}"] = _rule(cast(EventType, type_name), item, path)
    return rules


def _rule(type_: EventType, item: dict[str, object], path: Path) -> TriggerRule:
    need = item.get("needs")
    if need not in (None, "mineral", "money_or_party"):
        raise ConfigError(f"{path}: {type_}: unknown condition needs: {need!r}")
    return TriggerRule(
        type=type_,
        phrase=str(item["phrase"]),
        needs_object=frozenset(str(w).lower() for w in _words(item.get("needs_object"))),
        needs_in_sentence=frozenset(str(w).lower() for w in _words(item.get("needs_in_sentence"))),
        needs=need,
    )


def _words(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def build_trigger_matcher(nlp: Language, rules: dict[str, TriggerRule]) -> PhraseMatcher:
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for key, rule in rules.items():
        matcher.add(key, [nlp.make_doc(rule.phrase)])
    return matcher


def phrase_tokens(trigger: Token, end: int, parsed: bool) -> list[Token]:
    """The trigger's own phrase: its objects and modifiers with a parse, else a window."""
    if parsed:
        tokens = [trigger]
        for child in trigger.children:
            if child.dep_ in _PHRASE_DEPS:
                tokens.extend(child.subtree)
        return sorted(tokens, key=lambda t: t.i)
    doc = trigger.doc
    start = max(trigger.sent.start, trigger.i - 3)
    return [doc[i] for i in range(start, min(end, trigger.i + 9))]


def has_quantity(tokens: list[Token]) -> bool:
    return any(t.lower_ in _UNITS for t in tokens) and any(t.like_num for t in tokens)


def has_money(tokens: list[Token]) -> bool:
    return any(t.lower_ in _MONEY or t.text.startswith(("$", "€")) for t in tokens)
