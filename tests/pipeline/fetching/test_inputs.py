"""Bad input gets one clear line naming the input and what to do; the rest goes on."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import InputRejected, StageFailure
from pipeline.fetching.inputs import decode, expand_inputs, page_from_bytes, read_pages
from pipeline.records import Page


def _never_fetch(url: str) -> Page:
    raise AssertionError(f"no fetch expected for {url}")


def _read(paths: list[str], max_bytes: int = 1_000_000) -> list[Page | StageFailure]:
    return list(read_pages(paths, max_bytes=max_bytes, fetch=_never_fetch))


def _failure(item: Page | StageFailure) -> StageFailure:
    assert isinstance(item, StageFailure), item
    return item


def test_empty_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_bytes(b"  \n")
    failure = _failure(_read([str(path)])[0])
    assert failure.stage == "read"
    assert "empty input" in failure.one_line()
    assert str(path) in failure.one_line()


def test_binary_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "image.html"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert "binary content" in _failure(_read([str(path)])[0]).reason


def test_oversized_file_is_rejected_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.html"
    with path.open("wb") as handle:  # sparse: 50 MB on paper, nothing on disk
        handle.truncate(50 * 1024 * 1024)
    reason = _failure(_read([str(path)], max_bytes=5_000_000)[0]).reason
    assert "52,428,800 bytes is over the 5,000,000-byte cap" in reason
    assert "extraction.max_bytes" in reason


def test_invalid_utf8_text_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Minería en México".encode("latin-1"))
    reason = _failure(_read([str(path)])[0]).reason
    assert reason.startswith("not valid UTF-8")
    assert "convert the file to UTF-8" in reason


def test_html_with_declared_charset_is_decoded() -> None:
    raw = '<html><head><meta charset="iso-8859-1"></head><body>México</body></html>'
    assert "México" in decode(raw.encode("latin-1"), "html")


def test_missing_file_and_unknown_type(tmp_path: Path) -> None:
    odd = tmp_path / "report.pdf"
    odd.write_bytes(b"%PDF-1.7")
    items = _read([str(tmp_path / "nope.html"), str(odd)])
    assert "no such file" in _failure(items[0]).reason
    assert "unsupported file type '.pdf'" in _failure(items[1]).reason


def test_one_bad_input_does_not_stop_the_others(tmp_path: Path) -> None:
    good = tmp_path / "b.txt"
    good.write_text("Lithium output rose.", encoding="utf-8")
    bad = tmp_path / "a.txt"
    bad.write_bytes(b"")
    items = _read([str(tmp_path)])
    assert [type(i).__name__ for i in items] == ["StageFailure", "Page"]
    page = items[1]
    assert isinstance(page, Page)
    assert page.content == "Lithium output rose."


def test_directory_expands_to_sorted_supported_files(tmp_path: Path) -> None:
    for name in ("b.html", "a.txt", "c.json", ".hidden.html"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert expand_inputs([str(tmp_path)]) == [str(tmp_path / "a.txt"), str(tmp_path / "b.html")]


def test_page_from_bytes_keeps_raw_bytes() -> None:
    page = page_from_bytes("-", b"<p>Cobre</p>", "html")
    assert page.raw == b"<p>Cobre</p>"
    assert page.content == "<p>Cobre</p>"
    with pytest.raises(InputRejected):
        page_from_bytes("-", b"", "html")
