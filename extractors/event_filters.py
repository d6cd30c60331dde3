"""Which of a sentence's triggers make claims of their own, and which go on about a claim
already made.

- A trigger that is the topic of another ("talks on a nickel partnership", "a committee
  to review all mining licences") is none: the sentence's claim is the talks or the
  committee.
- A production trigger that a policy or a disruption acts on ("the quota limits cobalt
  shipments", "output has been curtailed", "holders must process their ore at home") is
  none: the output is what the policy or the disruption is about.
- A verb that goes on from another trigger's verb without a subject of its own ("a
  landslide killed three workers and stopped work"), or a participle hanging on its
  clause ("two miners trapped by a fall of ground"), makes the same claim.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from extractors.event_lexicon import TriggerRule
from extractors.event_scope import SUBJECTS, clause_head

_TOPIC = frozenset("on over about regarding concerning sobre".split())
_TOPIC_VERBS = frozenset(
    "review reviewing audit auditing study studying discuss discussing examine examining "
    "assess assessing debate debating revisar analizar discutir evaluar".split()
)
_ACTED_ON = frozenset(("dobj", "nsubjpass", "pobj"))
_CONSTRAINING = frozenset(("policy", "disruption"))
# Links along which a verb goes on about the claim of the verb above it.
_GOES_ON = frozenset(("conj", "acl", "xcomp", "oprd", "ccomp"))
_REACH = 3


@dataclass(frozen=True)
class Found:
    rule: TriggerRule
    span: Span
    head: Token | None  # the clause verb, with a parse


def kept_triggers(found: list[Found]) -> list[Found]:
    return [f for f in found if not _topic_of_another(f, found) and not _held(f, found)]


def _topic_of_another(item: Found, found: list[Found]) -> bool:
    root = item.span.root
    if item.head is None:
        return False
    if root.head.lower_ in _TOPIC_VERBS and root.dep_ in ("dobj", "pobj"):
        return True
    others = {f.span.root.i for f in found if f.rule.type != item.rule.type}
    for steps, ancestor in enumerate(root.ancestors):
        if steps >= 2 * _REACH:
            return False
        if ancestor.dep_ == "prep" and ancestor.lower_ in _TOPIC:
            return ancestor.head.i in others or ancestor.head.head.i in others
    return False


def _held(item: Found, found: list[Found]) -> bool:
    if item.rule.type != "production":
        return False
    constraining = [f for f in found if f.rule.type in _CONSTRAINING]
    if item.head is None:
        return bool(constraining)
    root = item.span.root
    if root.dep_ in _ACTED_ON and any(f.span.root.i == root.head.i for f in constraining):
        return True
    return any(_constrains_clause(f, item.head) for f in constraining)


def _constrains_clause(other: Found, head: Token) -> bool:
    """The policy or disruption trigger is the clause's verb, or its modal ("must")."""
    root = other.span.root
    return root.i == head.i or (root.dep_ == "aux" and root.head.i == head.i)


def same_claim(head: Token, draft_head: int) -> bool:
    """``head``'s clause goes on about the claim whose clause verb is ``draft_head``."""
    node = head
    for _ in range(_REACH):
        if node.i == draft_head:
            return True
        own_subject = any(c.dep_ in SUBJECTS for c in node.children)
        if node.dep_ not in _GOES_ON or (node.dep_ != "acl" and own_subject):
            return False
        node = clause_head(node.head)
    return node.i == draft_head
