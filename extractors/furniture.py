"""Lines that are page furniture, not story: photo credits and bylines.

Extraction drops credit lines from the text; the tagger ignores mentions on a credit
or byline line that remains (a byline is the author, not a person in the story).
"""

from __future__ import annotations

import re

CREDIT_LINE = re.compile(
    r"[ \t]*(?:(?:photo|foto|image|imagen)s?(?:[ \t]+(?:by|por|de))?[ \t]*:"
    r"|(?:photo|foto)[ \t]+(?:by|por|de)\b|(?:credit|crédito)s?[ \t]*:)",
    re.IGNORECASE,
)
BYLINE = re.compile(
    r"[ \t]*(?:By|BY|Por|POR)[ \t]+(?:[A-ZÀ-Ý][\w.'’-]*[ \t]*){1,4}(?:[|\u2013-]|$)", re.MULTILINE
)


def is_credit_line(line: str) -> bool:
    return CREDIT_LINE.match(line) is not None


def on_credit_or_byline(text: str, offset: int) -> bool:
    """True when the line holding ``offset`` is a photo credit or a byline."""
    line_start = text.rfind("\n", 0, offset) + 1
    return bool(CREDIT_LINE.match(text, line_start) or BYLINE.match(text, line_start))
