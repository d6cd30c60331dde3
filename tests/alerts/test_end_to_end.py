"""A seed page polled from the fixture server fires its mention and event rules once,
to a real webhook receiver and a real SMTP server on loopback; polling again,
re-ingesting, reprocessing and a syndicated copy fire nothing new."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli.main import main
from tests.alerts.receivers import Mailbox, Webhook, mail_text, smtp, webhook
from tests.conftest import FIXTURES, SEEDS
from tests.fixture_server import FixtureServer, serve_fixtures
from tests.pipeline.polling.test_poll import rss

SEED = f"/pages/{SEEDS[1]}.html"
COPY = "/wire/mexico-critical-minerals.html"
EVIDENCE = "Mexico is among the world’s leading producers of antimony"


def config_text(database: str, server: FixtureServer, hook: Webhook, mail: Mailbox) -> str:
    return f"""
database: {{url: '{database}'}}
fetch: {{allow_private_addresses: true, per_host_delay_seconds: 0}}
sources:
  - {{name: fixtures, kind: feed, url: '{server.url("/feed.xml")}'}}
alerts:
  max_age_days: 3650
  channels:
    - {{name: hook, url: '{hook.url()}', secret: s3cret}}
    - {{name: mail, url: '{mail.url()}'}}
  rules:
    - {{name: antimony-mx, kind: mention, minerals: [antimony], countries: [MX],
        channels: [hook, mail]}}
    - {{name: ree-not-produced, kind: event, types: [production], polarity: negative,
        minerals: [rare-earth-elements], channels: [hook, mail]}}
"""


def near_copy() -> bytes:
    html = (FIXTURES / "pages" / f"{SEEDS[1]}.html").read_text(encoding="utf-8")
    added = "<p>Latam Wire editors contributed to this report from Mexico City.</p>"
    return html.replace("<p>Although not listed", added + "<p>Although not listed", 1).encode()


def test_a_seed_fires_each_rule_once_to_both_receivers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = f"sqlite:///{tmp_path / 'mw.db'}"
    with serve_fixtures(FIXTURES) as server, webhook() as hook, smtp() as mail:
        server.set_body("/feed.xml", rss(server.base, [SEED]), "application/rss+xml")
        config = tmp_path / "config.yaml"
        config.write_text(config_text(database, server, hook, mail), encoding="utf-8")
        cli = ["--config", str(config)]
        assert main([*cli, "poll"]) == 0
        assert main([*cli, "alerts", "deliver"]) == 0
        assert len(hook.accepted) == 2
        assert len(mail.messages) == 2
        titles = sorted(seen.body["title"] for seen in hook.accepted)
        assert [t.split(":")[0] for t in titles] == [
            "[minewatch] antimony-mx",
            "[minewatch] ree-not-produced",
        ]
        mention = next(s for s in hook.accepted if "antimony-mx" in s.body["title"])
        assert EVIDENCE in mention.body["message"]
        assert "reported by: Mexico News Daily" in mention.body["message"]
        assert any(EVIDENCE in mail_text(m) for m in mail.messages)

        # poll again, re-ingest the page, reprocess, and a syndicated near copy
        assert main([*cli, "poll"]) == 0
        page = FIXTURES / "pages" / f"{SEEDS[1]}.html"
        assert main([*cli, "ingest", str(page), "--url", server.url(SEED)]) == 0
        assert main([*cli, "reprocess"]) == 0
        server.set_body(COPY, near_copy(), "text/html; charset=utf-8")
        server.set_body("/feed.xml", rss(server.base, [SEED, COPY]), "application/rss+xml")
        assert main([*cli, "poll"]) == 0
        assert "1 new" in capsys.readouterr().out
        assert main([*cli, "alerts", "deliver"]) == 0
        assert len(hook.accepted) == 2
        assert len(mail.messages) == 2

    assert main([*cli, "alerts", "list", "--format", "json"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["name"], r["matches"]) for r in listed] == [
        ("antimony-mx", 1),
        ("ree-not-produced", 1),
    ]
    assert main([*cli, "alerts", "history", "--state", "sent", "--format", "json"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 4
