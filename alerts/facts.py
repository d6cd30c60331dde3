"""What matching reads about one stored article: frozen facts, built once per article,
and the counts from the store that first-mention and spike rules need."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.records import AnalyzedArticle, Entity


@dataclass(frozen=True)
class EventFacts:
    type: str
    polarity: str
    trigger: str
    sentence: str
    cluster_id: int
    participants: frozenset[str]


@dataclass(frozen=True)
class ArticleFacts:
    """One stored, analyzed article. ``story_key`` is ``cluster:<id>`` for an article
    with near duplicates, else ``article:<id>``; ``counts`` the mentions per entity id."""

    article_id: int
    story_key: str
    stored_at: dt.datetime
    published: dt.date | None
    title: str
    url: str | None
    sitename: str | None
    counts: Mapping[str, int]
    in_title: frozenset[str]
    names: Mapping[str, str]
    evidence: Mapping[str, str]
    events: tuple[EventFacts, ...] = ()
    kinds: Mapping[str, str] = field(default_factory=dict)
    text: str = ""
    starts: Mapping[str, tuple[int, ...]] = field(default_factory=dict)

    def evidence_for(self, ids: Sequence[str]) -> str:
        """The sentence naming the most of ``ids`` (the earliest of the best)."""
        best: tuple[int, int] | None = None
        for entity_id in ids:
            for start in self.starts.get(entity_id, ()):
                low, high = sentence_bounds(self.text, start)
                score = sum(any(low <= s < high for s in self.starts.get(i, ())) for i in ids)
                if best is None or (-score, low) < (-best[0], best[1]):
                    best = (score, low)
        if best is None:
            return self.evidence.get(ids[0], "") if ids else ""
        return sentence_at(self.text, best[1])

    @property
    def day(self) -> dt.date:
        """The day the story counts on: its publication date, else the day it was found."""
        return self.published or self.stored_at.date()


@dataclass(frozen=True)
class EntityHistory:
    """From the store, for one entity (or pair): distinct stories per day over the
    previous days (oldest first), stories on the article's day (itself included), and
    whether another story named it (them) before, within the rule's window."""

    previous: tuple[int, ...] = ()
    today: int = 0
    seen_before: bool = False


def story_key(article_id: int, cluster_id: int | None) -> str:
    return f"cluster:{cluster_id}" if cluster_id is not None else f"article:{article_id}"


def article_facts(
    analyzed: AnalyzedArticle,
    article_id: int,
    cluster_id: int | None,
    stored_at: dt.datetime,
    event_clusters: Mapping[str, int],
) -> ArticleFacts:
    """The facts of a stored article; ``event_clusters`` maps event keys to clusters."""
    article = analyzed.article
    text = article.text
    title = article.title or ""
    named = [e for e in analyzed.tagged.entities if e.mentions]
    events = tuple(
        EventFacts(
            e.type,
            e.polarity,
            e.trigger,
            e.sentence,
            event_clusters.get(e.key, 0),
            frozenset(e.participants),
        )
        for e in analyzed.events
    )
    return ArticleFacts(
        article_id=article_id,
        story_key=story_key(article_id, cluster_id),
        stored_at=stored_at,
        published=article.published,
        title=title,
        url=article.url,
        sitename=article.sitename,
        counts={e.id: len(e.mentions) for e in named},
        in_title=frozenset(e.id for e in named if _in_title(e, title)),
        names={e.id: e.name for e in analyzed.tagged.entities},
        evidence={e.id: sentence_at(text, e.mentions[0].start) for e in named},
        events=events,
        kinds={e.id: e.type for e in analyzed.tagged.entities},
        text=text,
        starts={e.id: tuple(m.start for m in e.mentions) for e in named},
    )


def _in_title(entity: Entity, title: str) -> bool:
    lowered = title.lower()
    forms = {entity.name, *(m.text for m in entity.mentions)}
    return any(form.lower() in lowered for form in forms if form)


_ENDS = ".!?\n"


def sentence_bounds(text: str, offset: int, limit: int = 400) -> tuple[int, int]:
    """Start and end of the sentence of ``text`` around ``offset`` (bounded by ``limit``)."""
    start = offset
    while start > 0 and offset - start < limit and text[start - 1] not in _ENDS:
        start -= 1
    end = offset
    while end < len(text) and end - offset < limit and text[end] not in _ENDS:
        end += 1
    if end < len(text) and text[end] in ".!?":
        end += 1
    return start, end


def sentence_at(text: str, offset: int, limit: int = 400) -> str:
    """The sentence of ``text`` around ``offset`` (at most ``limit`` characters each way)."""
    start, end = sentence_bounds(text, offset, limit)
    return " ".join(text[start:end].split())
