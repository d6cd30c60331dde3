"""Event dates from the evidence sentence, resolved against the publication date.

"On Nov. 6" in an article of 2026-01-15 is 2025-11-06 (the latest such day not after
publication); "In 2024" is the year 2024; "in March" is the latest March; "on Tuesday"
the latest Tuesday. A date carries its precision: day, month or year. Years only count
after a preposition ("in 2024", "during 2025"), so "its 2026 term" or "Executive Order
13817" are not event dates.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from pipeline.records import DatePrecision as Precision

_MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    for _name in (calendar.month_name[_number], calendar.month_abbr[_number]):
        _MONTHS[_name.lower()] = _number
_MONTHS.update({"sept": 9})
_SPANISH = (
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
)
_MONTHS.update({name: i + 1 for i, name in enumerate(_SPANISH.split())})
_MONTHS["setiembre"] = 9
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_WEEKDAYS.update(
    {n: i for i, n in enumerate("lunes martes miércoles jueves viernes sábado domingo".split())}
)

_MONTH = r"(?P<month>" + "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_SOURCES: tuple[tuple[str, Precision], ...] = (
    (rf"\b{_YEAR}-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b", "day"),
    (rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", "day"),
    (rf"\b{_DAY}\s+(?:de\s+)?{_MONTH}(?:,?\s+(?:de\s+)?{_YEAR})\b", "day"),
    (rf"\b{_MONTH}\s+{_DAY}\b(?!,?\s+(?:19|20)\d\d)", "day"),
    (rf"\b{_DAY}\s+de\s+{_MONTH}\b", "day"),
    (rf"\b(?:in|during|since|by|en|durante)\s+{_MONTH}\s+(?:de\s+)?{_YEAR}\b", "month"),
    (rf"\b(?:in|during|en|durante)\s+{_MONTH}\b", "month"),
    (rf"\b(?:in|during|en|durante)\s+{_YEAR}\b", "year"),
    (rf"\b(?:by|from|before|until|through|for|hasta|desde|para|partir de)\s+{_YEAR}\b", "year"),
    (rf"\b(?:first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\s+of\s+{_YEAR}\b", "year"),
)
_PATTERNS = tuple((re.compile(p, re.IGNORECASE), precision) for p, precision in _SOURCES)
_WEEKDAY = re.compile(
    r"\b(?:on|el|este|this)\s+(?P<weekday>" + "|".join(_WEEKDAYS) + r")\b", re.IGNORECASE
)
# Relative to publication: (pattern, unit, offset); a week resolves to its month.
_RELATIVE: tuple[tuple[re.Pattern[str], str, int], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), unit, offset)
    for pattern, unit, offset in (
        (r"\blast year\b|\bel año pasado\b|\bthe previous year\b", "year", -1),
        (
            r"\bthis year\b|\beste año\b|\bsince the start of the year\b|"
            r"\byear[- ]to[- ]date\b|\ben lo que va del año\b|"
            r"\b(?:first|second|third|fourth|1st|2nd|3rd|4th) quarter\b",
            "year",
            0,
        ),
        (r"\bnext year\b|\bel próximo año\b|\bel año próximo\b", "year", 1),
        (r"\blast month\b|\bel mes pasado\b", "month", -1),
        (r"\bthis month\b|\beste mes\b|\bthis week\b|\besta semana\b", "month", 0),
        (r"\bnext month\b|\bel próximo mes\b", "month", 1),
        (r"\blast week\b|\bla semana pasada\b", "week", -1),
    )
)
# "X reported last week that ...": when it was reported, not when it happened.
_REPORTED = re.compile(r"\b(?:reported|said|wrote|told|informó|dijo)\s*$", re.IGNORECASE)
_LAST_MONTH = re.compile(r"\blast\s+" + _MONTH, re.IGNORECASE)


@dataclass(frozen=True)
class EventDate:
    date: dt.date
    precision: Precision


def find_date(text: str, published: dt.date | None, future: bool = False) -> EventDate | None:
    """The first date expression in ``text``, resolved against ``published``: the latest
    such date on or before it, or with ``future`` ("will meet in September") the first
    one on or after it."""
    found: list[tuple[int, EventDate]] = []
    for pattern, precision in _PATTERNS:
        for match in pattern.finditer(text):
            resolved = _resolve(match, precision, published, future)
            if resolved is not None:
                found.append((match.start(), resolved))
    if published is not None:
        for match in _WEEKDAY.finditer(text):
            found.append((match.start(), _weekday(match.group("weekday"), published)))
        found.extend(_relative(text, published))
    return min(found, key=lambda item: item[0])[1] if found else None


def _relative(text: str, published: dt.date) -> list[tuple[int, EventDate]]:
    """ "last year", "this month", "last week", "last September", against publication."""
    found = []
    for pattern, unit, offset in _RELATIVE:
        for match in pattern.finditer(text):
            if not _REPORTED.search(text[: match.start()]):
                found.append((match.start(), _shifted(published, unit, offset)))
    for match in _LAST_MONTH.finditer(text):
        month = _MONTHS[match.group("month").lower().rstrip(".")]
        year = published.year if month < published.month else published.year - 1
        found.append((match.start(), EventDate(dt.date(year, month, 1), "month")))
    return found


def _shifted(published: dt.date, unit: str, offset: int) -> EventDate:
    if unit == "year":
        return EventDate(dt.date(published.year + offset, 1, 1), "year")
    if unit == "week":
        day = published + dt.timedelta(weeks=offset)
        return EventDate(day.replace(day=1), "month")
    months = published.year * 12 + published.month - 1 + offset
    return EventDate(dt.date(months // 12, months % 12 + 1, 1), "month")


def _resolve(
    match: re.Match[str], precision: Precision, published: dt.date | None, future: bool
) -> EventDate | None:
    groups = match.groupdict()
    if groups.get("month") == "may":  # the modal verb, not the month
        return None
    year = int(groups["year"]) if groups.get("year") else None
    if groups.get("m"):
        month, day = int(groups["m"]), int(groups["d"])
    else:
        month = _MONTHS[groups["month"].lower().rstrip(".")] if groups.get("month") else 1
        day = int(groups["day"]) if groups.get("day") else 1
    if year is None and precision != "year":
        if published is None:
            return None
        year = _nearest_year(month, day, published, future)
    assert year is not None
    try:
        return EventDate(dt.date(year, month, day), precision)
    except ValueError:
        return None


def _nearest_year(month: int, day: int, published: dt.date, future: bool) -> int:
    """The year that puts month/day on or before (``future``: on or after) publication."""
    try:
        candidate = dt.date(published.year, month, day)
    except ValueError:
        return published.year
    if future:
        return published.year if candidate >= published else published.year + 1
    return published.year if candidate <= published else published.year - 1


def _weekday(name: str, published: dt.date) -> EventDate:
    target = _WEEKDAYS[name.lower()]
    back = (published.weekday() - target) % 7
    return EventDate(published - dt.timedelta(days=back), "day")
