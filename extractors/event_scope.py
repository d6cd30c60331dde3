"""Which part of a sentence an event trigger speaks about: its clause.

With a dependency parse, the clause of a trigger is the subtree of its nearest verb
("xcomp" verbs climb to the verb that controls them: "intends to prioritize"). A
relative clause ("minerals that the USGS prioritizes") and the clause of another event
in the same sentence are left out. A clause without a subject of its own, or with a
pronoun subject, takes the subject of the clause above it ("Although not listed as a
producer of rare earth elements, Mexico produces..." is about Mexico).

Without a parse (the blank pipeline, non-English text) the clause is the part of the
sentence between clause-joining words ("though", "while", ";").
"""

from __future__ import annotations

from itertools import pairwise

from spacy.tokens import Span, Token

from extractors.pos import is_verb

SUBJECTS = frozenset(("nsubj", "nsubjpass", "csubj", "expl"))
PRONOUNS = frozenset(
    ["he", "she", "they", "it", "we", "i", "this", "these", "those", "him", "her", "them"]
)
_BACKGROUND = frozenset(("relcl",))
_CLAUSE_BREAKS = frozenset(
    [";", "though", "although", "while", "whereas", "but", "however", "aunque", "mientras", "pero"]
)
_MODALS = frozenset(("would", "could", "might", "may", "should"))
# "said it would stop issuing permits": the future of a report, not a conditional.
_SAY = frozenset("said says told announced added stated confirmed warned noted".split())
# "urged the government to ban exports", "called for talks": a wish, not a decision.
_WISH = frozenset(
    "urged urges urge want wants wanted wish hope hopes hoped asked asks demanded demands "
    "called calls lobbied pidió pidieron exigió exigen piden".split()
)
_PREPOSITIONS = frozenset(
    [
        "during",
        "in",
        "at",
        "on",
        "after",
        "before",
        "at",
        "since",
        "under",
        "of",
        "for",
        "from",
        "about",
        "with",
        "to",
        "through",
        "durante",
        "en",
        "tras",
        "antes",
        "desde",
        "bajo",
        "de",
        "para",
        "por",
        "con",
    ]
)


def parsed(sentence: Span) -> bool:
    return sentence.doc.has_annotation("DEP")


def clause_head(token: Token) -> Token:
    """The verb that governs ``token``'s clause (``token`` itself for a verb).

    Compared by index: spaCy makes a new Token object on every ``.head`` access, so an
    identity test never ends at a verbless root ("The new export ban on copper.").
    """
    head = token
    while not is_verb(head) and head.head.i != head.i:
        head = head.head
    while head.dep_ == "xcomp" and head.head.i != head.i:
        head = head.head
    return head


def relative_clause(token: Token) -> bool:
    """ "minerals that the USGS prioritizes": a relative clause; the infinitival
    "measures to strengthen..." (which the small model also calls relcl) is not."""
    if token.dep_ not in _BACKGROUND:
        return False
    return not any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children)


def in_background(token: Token) -> bool:
    """A trigger inside a relative clause is background, not the sentence's claim."""
    return any(relative_clause(a) for a in [token, *token.ancestors])


def hypothetical(head: Token) -> bool:
    """ "Disruptions ... would impose": a conditional, not a reported event. "She said
    it would stop issuing permits" is a report of a decision; "urged ... to ban" a wish."""
    if _reported(head):
        return any(c.dep_ == "aux" and c.lower_ in _MODALS - {"would"} for c in head.children)
    if any(c.dep_ == "aux" and c.lower_ in _MODALS for c in head.children):
        return True
    return wished(head)


def _reported(head: Token) -> bool:
    return head.dep_ == "ccomp" and head.head.lower_ in _SAY


def wished(head: Token) -> bool:
    """The clause is the object of a wish: "urged Jakarta to ban", "called for talks"."""
    if head.lower_ in _WISH:
        return True
    return head.dep_ in ("xcomp", "ccomp", "dobj") and head.head.lower_ in _WISH


def negated(trigger: Token, head: Token) -> bool:
    """ "not listed as a producer", "no agreement", "never met"."""
    for node in (trigger, head):
        if any(c.dep_ == "neg" or c.lower_ in ("no", "never", "not") for c in node.children):
            return True
    return False


def clause_tokens(trigger: Token, head: Token, other_heads: list[Token]) -> set[int]:
    """Token indices of the trigger's clause, with the subject it inherits."""
    excluded: set[int] = set()
    for token in head.subtree:
        if relative_clause(token) and trigger not in token.subtree:
            excluded.update(t.i for t in token.subtree)
    for other in other_heads:
        if other.i != head.i and other in head.subtree and trigger not in other.subtree:
            excluded.update(t.i for t in other.subtree)
    tokens = {t.i for t in head.subtree} - excluded
    return tokens | inherited_subject(head)


def inherited_subject(head: Token) -> set[int]:
    """The subject of the nearest enclosing clause when ``head`` has none of its own."""
    own = [c for c in head.children if c.dep_ in SUBJECTS]
    if own and not all(c.lower_ in PRONOUNS for c in own):
        return set()
    for ancestor in head.ancestors:
        subjects = [c for c in ancestor.children if c.dep_ in SUBJECTS and c.lower_ not in PRONOUNS]
        if subjects:
            return {t.i for s in subjects for t in s.subtree}
    return set()


def has_pronoun_subject(head: Token) -> bool:
    return any(c.dep_ in SUBJECTS and c.lower_ in PRONOUNS for c in head.children)


def after_preposition(token: Token, determiner_index: int) -> bool:
    """ "During the meeting": a reference governed by a preposition adds no participants."""
    if determiner_index <= token.sent.start:
        return False
    before = token.doc[determiner_index - 1]
    return before.lower_ in _PREPOSITIONS or (token.dep_ == "pobj" and token.head.dep_ == "prep")


def segment_tokens(sentence: Span, trigger: Token, triggers: list[Token]) -> set[int]:
    """Fallback clause without a parse: the whole sentence for its only trigger, else the
    part between clause-joining words that holds the trigger."""
    if len(triggers) <= 1:
        return set(range(sentence.start, sentence.end))
    bounds = [sentence.start, *(t.i for t in sentence if t.lower_ in _CLAUSE_BREAKS), sentence.end]
    for start, end in pairwise(bounds):
        if start <= trigger.i < end:
            return set(range(start, end))
    return set(range(sentence.start, sentence.end))
