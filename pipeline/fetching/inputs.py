"""Turn command-line inputs into Pages: files, directories, URLs and stdin.

Each input yields a Page or a StageFailure (stage "read"), in input order, so one
bad input never stops the others.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from pipeline.errors import InputRejected, MinewatchError, StageFailure
from pipeline.records import Page, PageKind

HTML_SUFFIXES = (".html", ".htm")
TEXT_SUFFIXES = (".txt",)
STDIN = "-"
_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)

Fetch = Callable[[str], Page]


def expand_inputs(inputs: list[str]) -> list[str]:
    """Directories become their supported files, sorted; everything else stays as given."""
    expanded: list[str] = []
    for item in inputs:
        path = Path(item)
        if item != STDIN and not _is_url(item) and path.is_dir():
            expanded.extend(str(p) for p in sorted(path.iterdir()) if _is_supported_file(p))
        else:
            expanded.append(item)
    return expanded


def read_pages(
    inputs: list[str],
    *,
    max_bytes: int,
    fetch: Fetch,
    url: str | None = None,
    published: dt.date | None = None,
) -> Iterator[Page | StageFailure]:
    for source in expand_inputs(inputs):
        try:
            page = read_page(source, max_bytes=max_bytes, fetch=fetch)
        except MinewatchError as exc:
            yield StageFailure("read", source, exc)
            continue
        yield replace(page, url=page.url or url, published=page.published or published)


def read_page(source: str, *, max_bytes: int, fetch: Fetch) -> Page:
    if _is_url(source):
        return fetch(source)
    if source == STDIN:
        raw = sys.stdin.buffer.read(max_bytes + 1)
        _check_size(source, len(raw), max_bytes)
        return page_from_bytes(source, raw, "html")
    return _read_file(Path(source), max_bytes)


def page_from_bytes(source: str, raw: bytes, kind: PageKind) -> Page:
    """Validate and decode raw bytes: not empty, not binary, decodable text."""
    if not raw.strip():
        raise InputRejected("empty input; pass a page with content")
    if b"\x00" in raw[:8192]:
        raise InputRejected("binary content, not HTML or text; pass an .html or .txt file")
    return Page(source=source, content=decode(raw, kind), kind=kind, raw=raw)


def decode(raw: bytes, kind: PageKind) -> str:
    """UTF-8 (with or without BOM); HTML may declare another charset in a meta tag."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        declared = _declared_charset(raw) if kind == "html" else None
        if declared is None:
            raise InputRejected(
                f"not valid UTF-8 (byte {exc.start}); convert the file to UTF-8"
            ) from None
    try:
        return raw.decode(declared)
    except (UnicodeDecodeError, LookupError):
        raise InputRejected(f"cannot decode as its declared charset {declared!r}") from None


def _read_file(path: Path, max_bytes: int) -> Page:
    kind = _kind_of(path)
    try:
        size = path.stat().st_size
        _check_size(str(path), size, max_bytes)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputRejected("no such file; check the path") from None
    except IsADirectoryError:
        raise InputRejected("is a directory with no readable files") from None
    except PermissionError:
        raise InputRejected("permission denied; check the file's permissions") from None
    return page_from_bytes(str(path), raw, kind)


def _check_size(source: str, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise InputRejected(
            f"{size:,} bytes is over the {max_bytes:,}-byte cap; "
            "raise extraction.max_bytes in config.yaml to accept it"
        )


def _kind_of(path: Path) -> PageKind:
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in HTML_SUFFIXES:
        return "html"
    raise InputRejected(f"unsupported file type {suffix or '(none)'!r}; pass .html, .htm or .txt")


def _is_supported_file(path: Path) -> bool:
    return (
        path.is_file()
        and not path.name.startswith(".")
        and path.suffix.lower() in HTML_SUFFIXES + TEXT_SUFFIXES
    )


def _is_url(item: str) -> bool:
    return item.startswith(("http://", "https://"))


def _declared_charset(raw: bytes) -> str | None:
    match = _CHARSET.search(raw[:4096])
    if match is None:
        return None
    name = match.group(1).decode("ascii").lower()
    return None if name in ("utf-8", "utf8") else name
