"""Context rules for words that are entities only in some senses.

- An ambiguous mineral alias ("lead", "tin", "gold", "silver", "iron") is a mineral
  only in a mineral context: listed with other minerals, next to a mining word, or in
  a sentence about minerals; never as a verb ("lead to", "will lead"), an idiom
  (blocklist) or a noun of precedence ("took the lead in").
- A short all-caps country form ("US", "UK") inside an all-caps run is a shout, not
  a country ("LET US KNOW").
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from extractors.pos import has_tag, is_adposition, is_verb

MINING_WORDS = frozenset(
    [
        "ore",
        "ores",
        "mine",
        "mines",
        "mining",
        "miner",
        "miners",
        "mined",
        "metal",
        "metals",
        "mineral",
        "minerals",
        "price",
        "prices",
        "production",
        "produce",
        "produces",
        "produced",
        "producer",
        "producers",
        "output",
        "deposit",
        "deposits",
        "concentrate",
        "concentrates",
        "smelter",
        "smelters",
        "smelting",
        "refinery",
        "refineries",
        "refining",
        "reserves",
        "bullion",
        "ounce",
        "ounces",
        "oz",
        "futures",
        "alloy",
        "alloys",
        "exports",
        "imports",
        "export",
        "import",
        "tonnes",
        "tons",
        "batteries",
        "battery",
        "acid",
        "plating",
        "ingot",
        "ingots",
        "commodity",
        "commodities",
        "supply",
        "mina",
        "minas",
        "minería",
        "minero",
        "producción",
        "precio",
        "precios",
        # issue 11: what makes a use a mineral use in market and mining copy
        "market",
        "markets",
        "ratio",
        "coin",
        "coins",
        "spot",
        "samples",
        "grades",
        "grade",
        "stocks",
        "inventories",
        "contract",
        "contracts",
        "shipments",
        "demand",
        "miners",
        "explorer",
        "project",
        "royalty",
        "scrap",
        "furnace",
        "furnaces",
    ]
)
# Ambiguous metals coordinated with each other ("gold-silver ratio", "gold and silver").
_METALS = frozenset(["gold", "silver", "tin", "lead", "iron", "nickel"])
_VERB_FOLLOWERS = frozenset(
    [
        "to",
        "the",
        "a",
        "an",
        "by",
        "off",
        "up",
        "out",
        "into",
        "them",
        "us",
        "our",
        "their",
        "its",
        "his",
        "her",
        "this",
        "these",
        "that",
        "those",
        "efforts",
        "way",
        "efforts",
        "charge",
    ]
)
_VERB_PRECEDERS = frozenset(
    [
        "to",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
        "might",
        "must",
        "did",
        "does",
        "do",
        "not",
        "cannot",
    ]
)
_DETERMINERS = frozenset(("the", "a"))
_LIST_GLUE = frozenset((",", "and", "or", "y", "o", "&", ";", "as", "well", "including"))


def ambiguous_mineral_ok(span: Span, mineral_starts: set[int]) -> bool:
    """Decide one ambiguous mineral mention; ``mineral_starts`` are the token starts of
    the article's unambiguous mineral mentions (their coordination is a strong cue)."""
    doc = span.doc
    before = doc[span.start - 1] if span.start > 0 else None
    after = doc[span.end] if span.end < len(doc) else None
    if _used_as_verb(span, before, after) or _precedence_noun(before, after):
        return False
    if _in_mineral_list(span, mineral_starts) or _next_to_mining_word(before, after):
        return True
    if _next_to_metal(span):
        return True
    return _sentence_about_minerals(span, mineral_starts)


def shouted(span: Span) -> bool:
    """True when the span's neighbours are also all-caps words: a headline in caps."""
    doc = span.doc
    neighbours = [doc[i] for i in (span.start - 1, span.end) if 0 <= i < len(doc)]
    words = [t for t in neighbours if t.is_alpha]
    return bool(words) and all(t.is_upper and len(t) > 1 for t in words)


def _used_as_verb(span: Span, before: Token | None, after: Token | None) -> bool:
    """With a tagger, trust its part of speech; without one, read the neighbours."""
    if has_tag(span[0]):
        return is_verb(span[0])
    if after is not None and after.lower_ in _VERB_FOLLOWERS:
        return True
    followed_by_word = after is not None and not after.is_punct
    return before is not None and before.lower_ in _VERB_PRECEDERS and followed_by_word


def _precedence_noun(before: Token | None, after: Token | None) -> bool:
    """ "took the lead in", "a lead over": a determiner then a preposition or the end."""
    if before is None or before.lower_ not in _DETERMINERS:
        return False
    if after is not None and after.text == "-":
        return False  # "the gold-silver ratio": a compound, not "the lead" alone
    return (
        after is None
        or after.is_punct
        or is_adposition(after)
        or after.lower_ in ("in", "on", "over", "for")
    )


def _in_mineral_list(span: Span, mineral_starts: set[int]) -> bool:
    doc = span.doc
    for step, edge in ((-1, span.start - 1), (1, span.end)):
        index = edge
        while 0 <= index < len(doc) and doc[index].lower_ in _LIST_GLUE:
            index += step
        if index != edge and _starts_mineral(doc, index, mineral_starts, step):
            return True
    return False


def _starts_mineral(doc: Doc, index: int, mineral_starts: set[int], step: int) -> bool:
    if not 0 <= index < len(doc):
        return False
    if step > 0:
        return index in mineral_starts
    # walking left we land on a mention's last token; accept any mention within 3 tokens
    return any(start in mineral_starts for start in range(max(0, index - 3), index + 1))


def _next_to_metal(span: Span) -> bool:
    doc = span.doc
    for index in (span.start - 2, span.start - 1, span.end, span.end + 1):
        if 0 <= index < len(doc) and doc[index].lower_ in _METALS and index not in span_range(span):
            between = doc[min(index, span.start) : max(index + 1, span.end)]
            if all(t.lower_ in _METALS or t.text in ("-", ",", "and", "or", "to") for t in between):
                return True
    return False


def span_range(span: Span) -> range:
    return range(span.start, span.end)


def _next_to_mining_word(before: Token | None, after: Token | None) -> bool:
    words = [t for t in (before, after) if t is not None]
    if after is not None and after.text == "-" and after.i + 1 < len(after.doc):
        words.append(after.doc[after.i + 1])
    return any(t.lower_ in MINING_WORDS for t in words)


def _sentence_about_minerals(span: Span, mineral_starts: set[int]) -> bool:
    sentence = span.sent
    if any(sentence.start <= s < sentence.end and s != span.start for s in mineral_starts):
        return True
    return any(t.lower_ in MINING_WORDS for t in sentence)
