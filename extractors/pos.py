"""Coarse parts of speech read from the tagger's fine-grained tags.

The rules ask only three questions of a token: is it a verb (or auxiliary), is it an
adposition, and was it tagged at all. English pipelines derive ``pos_`` from ``tag_``
with an attribute ruler, which is a Matcher over every token: about 25 ms for a
1,000-word article, 13% of the small model's cost. These functions answer the three
questions from ``tag_`` and ``dep_`` with the same table (en_core_web_sm 3.8's
attribute ruler; ``tests/test_pos.py`` checks the equivalence on the fixtures), so the
pipeline can leave the ruler out. A pipeline that sets ``pos_`` itself (a
morphologizer) is read as it is.
"""

from __future__ import annotations

from spacy.tokens import Token

_VERB_TAGS = frozenset(("VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "MD", "BES", "HVS"))
_ADPOSITION_TAGS = frozenset(("IN", "RP"))
_AUXILIARY_DEPS = frozenset(("aux", "auxpass"))
_DO_HAVE = frozenset(("do", "does", "did", "'d", "have", "has", "had"))
_CLAUSE_DEPS = frozenset(("ROOT", "advcl", "ccomp", "conj", "relcl", "xcomp"))
_EXISTENTIAL_BE = frozenset(("is", "are", "was", "were", "'s", "'re"))
# Words tagged IN that the ruler makes subordinating conjunctions, not adpositions.
_SUBORDINATORS = frozenset(
    [
        "that",
        "if",
        "because",
        "while",
        "since",
        "so",
        "whether",
        "although",
        "though",
        "unless",
        "once",
        "cause",
        "upon",
        "till",
        "whereas",
        "whilst",
        "except",
        "despite",
        "wether",
        "but",
        "becuse",
        "whie",
        "it",
        "w/out",
        "albeit",
        "save",
        "besides",
        "becouse",
        "coz",
        "til",
        "ask",
        "i'd",
        "seince",
        "tho",
        "sice",
        "will",
    ]
)


def has_tag(token: Token) -> bool:
    """True when a tagger ran over this token (the statistical model may skip sentences)."""
    return bool(token.pos_ or token.tag_)


def is_verb(token: Token) -> bool:
    """A verb or an auxiliary: ``pos_`` VERB or AUX."""
    if token.pos_:
        return token.pos_ in ("VERB", "AUX")
    if token.dep_ in _AUXILIARY_DEPS and token.tag_ != "TO":
        return True
    if token.lower_ in _DO_HAVE and token.dep_ in _CLAUSE_DEPS:
        return True
    if token.lower_ in _EXISTENTIAL_BE and token.i > 0 and token.nbor(-1).dep_ == "expl":
        return True
    return token.tag_ in _VERB_TAGS


def is_adposition(token: Token) -> bool:
    """A preposition or particle: ``pos_`` ADP."""
    if token.pos_:
        return token.pos_ == "ADP"
    if token.tag_ == "RP":
        return True
    return (
        token.tag_ in _ADPOSITION_TAGS
        and token.dep_ != "mark"
        and token.dep_ not in _AUXILIARY_DEPS
        and token.lower_ not in _SUBORDINATORS
    )
