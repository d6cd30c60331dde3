"""One size limit in characters, ``extraction.max_chars`` (spaCy's nlp.max_length by
default): a text over it, after extraction or as a .txt input, is refused with one
line naming its size, the limit and the key; it is never cut; the next input goes on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors.article import extract_article
from pipeline.cli.main import main
from pipeline.config import SPACY_MAX_CHARS, parse_config
from pipeline.errors import ConfigError, ExtractionRejected
from pipeline.records import Page

TEXT = "Mexico's lithium output rose in 2026, the Ministry of Economy said on Thursday.\n"


def _config(tmp_path: Path, max_chars: int | None = None) -> Path:
    limit = f", max_chars: {max_chars}" if max_chars is not None else ""
    config = tmp_path / "config.yaml"
    config.write_text(
        "nlp: {model: blank, processes: 0}\n"
        f"extraction: {{max_bytes: 5000000{limit}}}\n"
        f"database: {{url: 'sqlite:///{tmp_path / 'mw.db'}'}}\n",
        encoding="utf-8",
    )
    return config


def _analyze_big_then_good(
    tmp_path: Path, big: Path, capsys: pytest.CaptureFixture[str], max_chars: int | None
) -> str:
    good = tmp_path / "good.txt"
    good.write_text(TEXT, encoding="utf-8")
    config = _config(tmp_path, max_chars)
    assert main(["--config", str(config), "analyze", str(big), str(good)]) == 1
    out, err = capsys.readouterr()
    failed, analyzed = map(json.loads, out.splitlines())
    assert failed["source"] == str(big)
    assert analyzed["text"] == TEXT
    (line,) = err.strip().splitlines()
    assert line.startswith(f"error: {big}: extract: ")
    assert "extraction.max_chars" in line
    assert "refused, not cut" in line
    return line


def test_a_1_5_mb_text_is_one_red_line_and_the_next_input_is_analyzed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.txt"
    big.write_text("Lithium prices rose. " * 75_000, encoding="utf-8")  # 1,575,000 chars
    line = _analyze_big_then_good(tmp_path, big, capsys, None)
    assert "1,575,000 characters, over the limit of 1,000,000" in line


def test_a_text_of_max_chars_plus_one_is_refused_and_max_chars_is_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.txt"
    big.write_text("x" * 501, encoding="utf-8")
    line = _analyze_big_then_good(tmp_path, big, capsys, 500)
    assert "501 characters, over the limit of 500" in line
    settings = parse_config({"extraction": {"max_chars": 500}}).extraction
    article = extract_article(Page(source="a.txt", content="x" * 500, kind="text"), settings)
    assert len(article.text) == 500


def test_an_extracted_html_text_over_the_limit_is_refused_not_cut() -> None:
    paragraphs = "".join(
        f"<p>Paragraph {n} on lithium output in Chile and Peru.</p>" for n in range(40)
    )
    html = f"<html><body><article><h1>Lithium</h1>{paragraphs}</article></body></html>"
    settings = parse_config({"extraction": {"max_chars": 300}}).extraction
    with pytest.raises(ExtractionRejected, match=r"over the limit of 300; refused, not cut"):
        extract_article(Page(source="a.html", content=html, kind="html"), settings)
    roomy = parse_config({}).extraction
    article = extract_article(Page(source="a.html", content=html, kind="html"), roomy)
    assert len(article.text) > 300


@pytest.mark.parametrize("value", [0, SPACY_MAX_CHARS + 1])
def test_max_chars_is_validated(value: int) -> None:
    with pytest.raises(ConfigError, match=r"extraction\.max_chars"):
        parse_config({"extraction": {"max_chars": value}})
    assert parse_config({}).extraction.max_chars == SPACY_MAX_CHARS
