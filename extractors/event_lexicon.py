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
Need = Literal["mineral", "money_or_party", "figure", "party"]
NEEDS = ("mineral", "money_or_party", "figure", "party")
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
    [
        "$",
        "us$",
        "usd",
        "a$",
        "c$",
        "€",
        "eur",
        "million",
        "billion",
        "millones",
        "mdd",
        "pesos",
        "mxn",
        "yuan",
        "rand",
        "rupiah",
        "dólares",
        "soles",
    ]
)
# A price level without a number: "its weakest level in four months", "a record high".
_LEVELS = frozenset(
    "high higher highs low lower lows level levels record steady unchanged flat firm".split()
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
        "pound",
        "ounce",
        "kilogram",
        "kg",
        "wmt",
        "toneladas",
        "onzas",
        "libra",
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
    not_after: frozenset[str] = frozenset()  # none of these in the 4 words before it
    only_deps: frozenset[str] = frozenset()  # with a parse, the trigger's dependency label
    negative: bool = False  # "ruled out", "descartó": the claim is negated
    unless_object: frozenset[str] = frozenset()  # none of these in the phrase after it
    subject_not: frozenset[str] = frozenset()  # none of these in the clause's subject


def load_lexicon(directory: Path) -> dict[str, TriggerRule]:
    """Rules keyed by a matcher key ("policy:3"), read from ``directory/events.yaml``."""
    path = directory / LEXICON_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the event lexicon ({exc})") from None
    if isinstance(raw, dict):  # "x-..." keys only hold YAML anchors for the sections
        raw = {k: v for k, v in raw.items() if not str(k).startswith("x-")}
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
    if need is not None and need not in NEEDS:
        raise ConfigError(f"{path}: {type_}: unknown condition needs: {need!r}")
    return TriggerRule(
        type=type_,
        phrase=str(item["phrase"]),
        needs_object=_lower(item.get("needs_object")),
        needs_in_sentence=_lower(item.get("needs_in_sentence")),
        needs=cast(Need | None, need),
        not_after=_lower(item.get("not_after")),
        only_deps=frozenset(str(w) for w in _words(item.get("only_deps"))),
        negative=item.get("polarity") == "negative",
        unless_object=_lower(item.get("unless_object")),
        subject_not=_lower(item.get("subject_not")),
    )


def _lower(value: object) -> frozenset[str]:
    return frozenset(str(w).lower() for w in _words(value))


def _words(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def build_trigger_matcher(nlp: Language, rules: dict[str, TriggerRule]) -> PhraseMatcher:
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for key, rule in rules.items():
        matcher.add(key, [nlp.make_doc(rule.phrase)])
    return matcher


def phrase_tokens(trigger: Token, end: int, parsed: bool) -> list[Token]:
    """The trigger's own phrase: its objects and modifiers with a parse, else a window.
    A subject's phrase goes on into its verb's objects ("Production ... reached
    241,300 tonnes")."""
    if parsed:
        tokens = [trigger]
        for child in trigger.children:
            if child.dep_ in _PHRASE_DEPS:
                tokens.extend(child.subtree)
        if trigger.dep_ in ("nsubj", "nsubjpass"):
            for child in trigger.head.children:
                if child.dep_ in _PHRASE_DEPS or child.dep_ in ("acomp", "advmod", "xcomp"):
                    tokens.extend(child.subtree)
        return sorted(tokens, key=lambda t: t.i)
    doc = trigger.doc
    start = max(trigger.sent.start, trigger.i - 3)
    return [doc[i] for i in range(start, min(end, trigger.i + 9))]


def has_quantity(tokens: list[Token]) -> bool:
    return any(t.lower_ in _UNITS for t in tokens) and any(t.like_num for t in tokens)


def has_money(tokens: list[Token]) -> bool:
    return any(t.lower_ in _MONEY or t.text.startswith(("$", "€")) for t in tokens)


def has_figure(tokens: list[Token]) -> bool:
    """A price figure: an amount of money, a share or quantity, or a level word."""
    return has_money(tokens) or has_quantity(tokens) or any(t.lower_ in _LEVELS for t in tokens)
