"""Turn command-line inputs into Pages: files, directories, URLs and stdin.

Each input yields a Page or a StageFailure (stage "read"), in input order, so one
bad input never stops the others.

A local file is opened without blocking (``O_NONBLOCK``, so a FIFO cannot hang the
run) and read only when it is a regular file: a FIFO, a device (``/dev/zero``), a
socket or a directory is one clear line, and so is a symbolic-link loop. At most the
cap plus one byte is read, whatever ``stat`` says (``/proc`` files report size 0).
stdin is read the same way; a closed stdin is one clear line.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import stat
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
        raw = _read_stdin(max_bytes)
        _check_size(source, len(raw), max_bytes)
        return page_from_bytes(source, raw, "html")
    return _read_file(Path(source), max_bytes)


def _read_stdin(max_bytes: int) -> bytes:
    stream = sys.stdin
    if stream is None or stream.closed:
        raise InputRejected("stdin is closed; pipe a page into it, e.g. `< page.html`")
    try:
        return stream.buffer.read(max_bytes + 1)
    except (OSError, ValueError) as exc:
        raise InputRejected(f"cannot read stdin ({exc}); pipe a page into it") from None


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
    return page_from_bytes(str(path), read_capped(path, max_bytes), kind)


_NOT_REGULAR = (
    (stat.S_ISDIR, "is a directory with no readable files"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a regular file; pass an .html or .txt file"),
    (stat.S_ISCHR, "is a character device, not a regular file; pass an .html or .txt file"),
    (stat.S_ISBLK, "is a block device, not a regular file; pass an .html or .txt file"),
    (stat.S_ISSOCK, "is a socket, not a regular file; pass an .html or .txt file"),
)


def read_capped(path: Path, max_bytes: int) -> bytes:
    """The bytes of the regular file at ``path`` (at most ``max_bytes``), opened without
    blocking; InputRejected with one clear line for anything else."""
    fd = _open(path)
    try:
        mode = os.fstat(fd).st_mode
        for test, reason in _NOT_REGULAR:
            if test(mode):
                raise InputRejected(reason)
        if not stat.S_ISREG(mode):
            raise InputRejected("not a regular file; pass an .html or .txt file")
        _check_size(str(path), os.fstat(fd).st_size, max_bytes)
        raw = _read_at_most(fd, max_bytes + 1)
    finally:
        os.close(fd)
    _check_size(str(path), len(raw), max_bytes)
    return raw


def _open(path: Path) -> int:
    try:
        return os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except FileNotFoundError:
        raise InputRejected("no such file; check the path") from None
    except PermissionError:
        raise InputRejected("permission denied; check the file's permissions") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputRejected("a loop of symbolic links; fix the link") from None
        raise InputRejected(f"cannot open ({exc.strerror}); check the path") from None


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        try:
            chunk = os.read(fd, min(left, 1 << 20))
        except BlockingIOError:
            raise InputRejected("would block; pass a regular file") from None
        except OSError as exc:
            raise InputRejected(f"cannot read ({exc.strerror}); check the file") from None
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


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
    """A non-hidden entry with a supported suffix that is not a directory: a FIFO or a
    broken link among them gets its own clear line instead of being skipped silently."""
    return (
        not path.is_dir()
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
