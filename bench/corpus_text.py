"""Article text for the benchmark corpus, recombined from the fixture articles.

The English fixture articles (``fixtures/expected/*.json`` ``text``) are split into
sentences and subheads. A generated article draws 400-1,500 words of them, with the
numbers, countries, minerals, months and weekdays varied, mixed with quote and
attribution sentences built from name and organization lists, so every page is its
own story and no two pages are near duplicates (see :func:`min_simhash_distance`).
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from models.dedupe import simhash

EXPECTED = Path(__file__).resolve().parent.parent / "fixtures" / "expected"
COUNTRIES = (
    "Mexico", "Peru", "Chile", "Bolivia", "Canada", "Australia", "Japan", "Germany", "France",
    "Italy", "Brazil", "Argentina", "Colombia", "Ecuador", "India", "Indonesia", "Zambia",
    "Namibia", "Ghana", "Kazakhstan", "Mongolia", "Finland", "Sweden", "Norway", "Spain",
    "Portugal", "Morocco", "Tanzania", "Vietnam", "Philippines", "Guatemala", "Panama",
)  # fmt: skip
MINERALS = (
    "lithium", "copper", "zinc", "silver", "cobalt", "graphite", "antimony", "fluorite",
    "barite", "uranium", "aluminum", "nickel", "tin", "tungsten", "manganese", "molybdenum",
    "vanadium", "gallium", "germanium", "platinum",
)  # fmt: skip
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
FIRST = (
    "Ana", "Carlos", "Lucía", "Jorge", "María", "Diego", "Sofía", "Andrés", "Valeria",
    "Miguel", "Laura", "Pablo", "Camila", "Ricardo", "Elena", "Tomás", "Gabriela", "Javier",
    "Daniel", "Sarah", "James", "Emily", "Robert", "Hannah", "Peter", "Grace", "Martin",
)  # fmt: skip
LAST = (
    "Herrera", "Castillo", "Mendoza", "Salazar", "Rojas", "Vargas", "Navarro", "Ortega",
    "Delgado", "Guerrero", "Fuentes", "Cabrera", "Ibarra", "Montoya", "Villalobos", "Quintero",
    "Thompson", "Whitfield", "Harrington", "Lindqvist", "Okafor", "Brennan", "Kowalski",
)  # fmt: skip
ORGS = (
    "the U.S. Geological Survey", "the Ministry of Economy", "the Ministry of Mines",
    "the Mexican Geological Service", "the International Energy Agency", "the World Bank",
    "the London Metal Exchange", "the European Commission", "the mining chamber",
    "a regional smelter", "a state-owned producer", "the national statistics office",
)  # fmt: skip
ROLES = (
    "an analyst", "a mining engineer", "a senior economist", "a metals trader",
    "the chief executive", "a government adviser", "a geologist", "a union leader",
)  # fmt: skip
QUOTES = (
    "We expect output of {m} to keep rising through {y}",
    "Nobody in {c} wants to depend on a single buyer for {m}",
    "The permits are the bottleneck, not the geology",
    "Prices for {m} have not recovered since {mo}",
    "This is the largest {m} find in {c} in two decades",
    "The smelters in {c} cannot absorb another {n} tonnes this year",
)  # fmt: skip
ATTRIBUTIONS = (
    "“{q},” said {p}, {r} at {o}.",
    "{p}, {r} at {co} in {town}, told reporters on {w} that “{q}.”",
    "According to {o}, shipments of {m} from {c} reached {n} tonnes in {mo} {y}.",
    "{o} said on {w} that {m} exports from {c} rose {pct}% in {mo}.",
    "“{q},” {p} added in an interview.",
    "Exports of {m} concentrate from {c} were worth {usd} million dollars in {y}.",
    "The {town} {m} project of {co} needs {usd} million dollars before its first shipment.",
    "{p} of {o} expects {m} demand to grow {pct}% a year until {y}.",
    "Workers at the {town} {m} mine of {co} ended a {pct}-day strike on {w}, {o} said.",
    "In {mo}, {c} granted {pct} new exploration permits for {m}, {o} reported.",
    "Smelters in {c} paid treatment charges of {usd} dollars a tonne for {m} in {mo} {y}.",
    "{p} said the {co} {m} tailings dam near {town} had passed its {y} inspection.",
    "Royalties on {m} in {c} rose to {pct}% of sales value in {y}, according to {o}.",
    "A {n}-tonne cargo of {m} left a port in {c} for refiners abroad on {w}.",
    "{o} cut its {y} forecast for {m} production in {c} by {pct}%.",
    "Investors put {usd} million dollars into {m} exploration in {c} during {mo}.",
    "Local communities near the {town} {m} deposit in {c} asked {o} for a new water study.",
    "The price of {m} climbed {pct}% on {w} after {c} tightened export rules.",
)  # fmt: skip
SUBHEADS = (
    "What {c} produces", "The {m} question", "Prices and {m} demand", "Permits in {c}",
    "Outlook for {y}", "Who buys {c}'s {m}", "Risks for {m} supply", "The view from {c}",
)  # fmt: skip
OPENERS = ("In {town}, ", "{co} noted that ", "Near {town}, ", "As {co} reported, ")
SUFFIXES = ("Resources", "Mining", "Metals", "Minerals", "Exploration")
_SYLLABLES = tuple(c + v for c in "bcdfglmnprstvz" for v in "aeiou")
_THE = re.compile(r" the ")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_SENTENCE = re.compile(r"(?<=[.!?”])\s+(?=[A-Z“])")


@dataclass(frozen=True)
class Story:
    """One generated article: headline, byline, date parts, subheads and paragraphs."""

    title: str
    author: str
    paragraphs: tuple[str, ...]  # a subhead paragraph starts with "## "

    @property
    def text(self) -> str:
        return "\n".join(p.removeprefix("## ") for p in self.paragraphs)

    @property
    def words(self) -> int:
        return len(self.text.split())


@cache
def _pool() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(sentences, subheads) of the English fixture articles."""
    sentences: list[str] = []
    subheads: list[str] = []
    for path in sorted(EXPECTED.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if record.get("language") != "en" or not record.get("text"):
            continue
        for line in str(record["text"]).splitlines():
            line = line.strip()
            if len(line.split()) <= 8 and not line.endswith("."):
                subheads.append(line)
            elif line:
                sentences.extend(s for s in _SENTENCE.split(line) if len(s.split()) >= 6)
    return tuple(sentences), tuple(subheads)


def _vary(sentence: str, rng: random.Random) -> str:
    """The sentence with its numbers, countries, minerals, months and weekdays varied."""
    sentence = _NUMBER.sub(lambda m: _number_like(m.group(0), rng), sentence)
    for names in (COUNTRIES, MINERALS, MONTHS, WEEKDAYS):
        sentence = _swap(sentence, names, rng)
    return sentence


def _swap(sentence: str, names: tuple[str, ...], rng: random.Random) -> str:
    pattern = _pattern(names)
    return pattern.sub(lambda m: _same_case(m.group(0), rng.choice(names)), sentence)


@cache
def _pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    flags = re.IGNORECASE if names is MINERALS else 0  # "May" the month, not the verb
    return re.compile(r"\b(" + "|".join(names) + r")\b", flags)


def _same_case(original: str, new: str) -> str:
    return new[0].upper() + new[1:] if original[0].isupper() else new


def _number_like(number: str, rng: random.Random) -> str:
    digits = number.replace(",", "").replace(".", "")
    if len(digits) == 4 and digits.startswith("20"):  # a year
        return str(rng.randint(2018, 2030))
    return str(rng.randint(2, 10 ** max(2, len(digits)) - 1))


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _attribution(rng: random.Random, local: dict[str, str], template: str | None = None) -> str:
    slots = {
        **local,
        "m": rng.choice(MINERALS),
        "c": rng.choice(COUNTRIES),
        "y": str(rng.randint(2018, 2030)),
        "mo": rng.choice(MONTHS),
        "w": rng.choice(WEEKDAYS),
        "n": f"{rng.randint(120, 98_000):,}",
        "pct": str(rng.randint(2, 48)),
        "usd": str(rng.randint(12, 4_800)),
        "p": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "r": rng.choice(ROLES),
        "o": rng.choice(ORGS),
    }
    slots["q"] = rng.choice(QUOTES).format(**slots)
    return (template or rng.choice(ATTRIBUTIONS)).format(**slots)


def _sentence(rng: random.Random, local: dict[str, str]) -> str:
    sentences, _ = _pool()
    if rng.random() < 0.5:
        return _attribution(rng, local)
    opener = rng.choice(OPENERS).format(**local) if rng.random() < 0.5 else ""
    sentence = _vary(rng.choice(sentences), rng)
    town = f" the {local['town']} "  # "the Socamo smelters": breaks up the shared phrases
    sentence = _THE.sub(lambda m: town if rng.random() < 0.5 else m.group(0), sentence)
    return opener + sentence


def title(rng: random.Random) -> str:
    verb = rng.choice(("rises", "falls", "stalls", "doubles", "slows", "rebounds"))
    return (
        f"{rng.choice(COUNTRIES)} {rng.choice(MINERALS)} output {verb} "
        f"{rng.randint(2, 60)}% as {rng.choice(ORGS).removeprefix('the ')} "
        f"reviews {rng.choice(MINERALS)} supply"
    )


def story(rng: random.Random) -> Story:
    """A story of 400-1,500 words: paragraphs of 2-4 sentences, a subhead every few."""
    _, subheads = _pool()
    local = {"town": _name(rng), "co": f"{_name(rng)} {rng.choice(SUFFIXES)}"}
    target = rng.randint(400, 1500)
    paragraphs: list[str] = []
    words = 0
    while words < target:
        if paragraphs and len(paragraphs) % 5 == 0:
            paragraphs.append("## " + _attribution(rng, local, rng.choice(SUBHEADS + subheads)))
        parts = [_sentence(rng, local) for _ in range(rng.randint(2, 4))]
        paragraphs.append(" ".join(parts))
        words += sum(len(p.split()) for p in parts)
    author = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    return Story(title(rng), author, tuple(paragraphs))


def min_simhash_distance(texts: list[str]) -> tuple[int, int]:
    """(smallest SimHash distance between two texts, pairs within 11 bits)."""
    if len(texts) < 2:
        return 64, 0
    hashes = np.array([simhash(t) for t in texts], dtype=np.uint64)
    lowest, close = 64, 0
    for start in range(0, len(hashes), 256):
        block = hashes[start : start + 256, None] ^ hashes[None, :]
        bits = np.unpackbits(block.view(np.uint8), axis=-1).reshape(block.shape[0], -1, 64)
        distance = bits.sum(axis=-1)
        rows = np.arange(block.shape[0])
        distance[rows, rows + start] = 64  # a text against itself
        lowest = min(lowest, int(distance.min()))
        close += int((distance <= 11).sum())
    return lowest, close // 2
