"""The review app's pages, in-process over a real SQLite file: sign-in, the queue with
its filters, bulk verdicts with their confirmation step, the event page, verdicts,
corrections, undo, CSRF, roles, and escaping of hostile article text."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.review.conftest import Site, client_of, csrf_of
from tests.review.seed import PASSWORD

pytestmark = pytest.mark.anyio


async def test_pages_need_sign_in(anon: httpx.AsyncClient) -> None:
    for path in ("/events", "/events/1", "/runs", "/failures"):
        response = await anon.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")


async def test_wrong_password_is_refused(anon: httpx.AsyncClient) -> None:
    response = await anon.post("/login", data={"name": "ana", "password": "nope-nope"})
    assert response.status_code == 401
    assert "Wrong name or password" in response.text


async def test_login_never_redirects_off_site(anon: httpx.AsyncClient) -> None:
    data = {"name": "ana", "password": PASSWORD, "next": "//evil.example/x"}
    response = await anon.post("/login", data=data)
    assert response.headers["location"] == "/events"


async def test_queue_lists_filters_and_counts(site: Site, ana: httpx.AsyncClient) -> None:
    page = await ana.get("/events")
    assert page.status_code == 200
    assert "5 matches" in page.text
    filtered = await ana.get("/events", params={"type": "production", "country": "CL"})
    assert "1 match" in filtered.text
    assert "Chile raised its copper output" in filtered.text
    assert "Peru banned" not in filtered.text
    by_state = await ana.get("/events", params={"state": "confirmed"})
    assert "0 matches" in by_state.text
    confident = await ana.get("/events", params={"min_confidence": "0.8", "sort": "confidence"})
    assert "2 matches" in confident.text


async def test_queue_pages_with_a_cursor(ana: httpx.AsyncClient) -> None:
    ids: list[str] = []
    target: str | None = "/events?limit=2"
    while target:
        page = await ana.get(target.replace("&amp;", "&"))
        assert page.status_code == 200
        ids += re.findall(r'data-href="/events/(\d+)', page.text)
        link = re.search(r'rel="next" href="([^"]+)"', page.text)
        target = link.group(1) if link else None
    assert len(ids) == len(set(ids)) == 5


async def test_a_bad_filter_is_an_error_page(ana: httpx.AsyncClient) -> None:
    response = await ana.get("/events", params={"min_confidence": "lots"})
    assert response.status_code == 422
    assert "min_confidence" in response.text


async def test_event_page_shows_evidence_mentions_copies_and_history(
    site: Site, ana: httpx.AsyncClient
) -> None:
    event_id = site.seeded.event_ids["agreement"]
    page = await ana.get(f"/events/{event_id}")
    assert page.status_code == 200
    assert '<span class="evidence">' in page.text or "in-evidence" in page.text
    assert 'class="mention t-country in-evidence"' in page.text
    assert "Lithium plan (copy)" in page.text  # the syndicated copy
    assert "No verdict yet." in page.text


async def test_confirm_then_undo_keeps_the_history(site: Site, ana: httpx.AsyncClient) -> None:
    event_id = site.seeded.event_ids["policy"]
    page = await ana.get(f"/events/{event_id}")
    csrf = csrf_of(page.text)
    data = {"csrf": csrf, "state": "confirmed", "note": "matches the decree"}
    done = await ana.post(f"/events/{event_id}/verdict", data=data)
    assert done.status_code == 303
    page = await ana.get(f"/events/{event_id}")
    assert 'id="state">confirmed' in page.text
    assert "new → confirmed" in page.text
    assert "matches the decree" in page.text
    await ana.post(f"/events/{event_id}/undo", data={"csrf": csrf})
    page = await ana.get(f"/events/{event_id}")
    assert 'id="state">new' in page.text
    assert "new → confirmed" in page.text
    assert "confirmed → new" in page.text


async def test_correct_participants(site: Site, ana: httpx.AsyncClient) -> None:
    event_id = site.seeded.event_ids["production"]
    csrf = csrf_of((await ana.get(f"/events/{event_id}")).text)
    data = {
        "csrf": csrf,
        "type": "production",
        "polarity": "positive",
        "date": "2025-06-01",
        "participants": ["country:CL", "country:PE"],
        "note": "Peru too",
    }
    done = await ana.post(f"/events/{event_id}/correct", data=data)
    assert done.status_code == 303
    page = await ana.get(f"/events/{event_id}")
    assert 'id="state">corrected' in page.text
    assert "country:PE" in page.text
    bad = {**data, "participants": ["country:XX-nope"]}
    refused = await ana.post(f"/events/{event_id}/correct", data=bad)
    assert refused.status_code == 400


async def test_posts_need_the_csrf_token(site: Site, ana: httpx.AsyncClient) -> None:
    event_id = site.seeded.event_ids["policy"]
    response = await ana.post(
        f"/events/{event_id}/verdict", data={"csrf": "x", "state": "rejected"}
    )
    assert response.status_code == 403


async def test_viewers_cannot_write(site: Site, vic: httpx.AsyncClient) -> None:
    event_id = site.seeded.event_ids["policy"]
    page = await vic.get(f"/events/{event_id}")
    assert "form-confirm" not in page.text
    csrf = csrf_of(page.text)  # the sign-out form
    response = await vic.post(
        f"/events/{event_id}/verdict", data={"csrf": csrf, "state": "rejected"}
    )
    assert response.status_code == 403


async def test_bulk_verdict_states_the_count_first(site: Site, ana: httpx.AsyncClient) -> None:
    csrf = csrf_of((await ana.get("/events")).text)
    query = "mineral=copper"
    step = await ana.post("/events/bulk", data={"csrf": csrf, "state": "rejected", "query": query})
    assert step.status_code == 200
    assert "Reject 2 events?" in step.text
    stale = {"csrf": csrf, "state": "rejected", "query": query, "expected": "3"}
    assert (await ana.post("/events/bulk", data=stale)).status_code == 400
    done = await ana.post("/events/bulk", data={**stale, "expected": "2"})
    assert done.status_code == 303
    rejected = await ana.get("/events", params={"state": "rejected"})
    assert "2 matches" in rejected.text


async def test_hostile_article_is_escaped(site: Site, ana: httpx.AsyncClient) -> None:
    page = await ana.get(f"/events/{site.seeded.hostile_event}")
    assert page.status_code == 200
    html = page.text
    assert "<script>window" not in html
    assert "onerror=" not in html.replace("onerror=&#34;", "").replace("onerror=&quot;", "")
    assert 'href="javascript:' not in html
    assert "<img" not in html
    assert "<b onmouseover" not in html
    assert "&lt;script&gt;" in html
    assert "script-src 'self'" in page.headers["content-security-policy"]
    queue = await ana.get("/events", params={"country": "BO"})
    assert "&lt;i&gt;Bolivia&lt;/i&gt;" in queue.text


async def test_operations_pages(ana: httpx.AsyncClient) -> None:
    assert "Recent runs" in (await ana.get("/runs")).text
    assert "Recent failures" in (await ana.get("/failures")).text


async def test_setup_link_creates_the_first_admin(sqlite_url: str) -> None:
    from models.db import make_engine, session_factory, upgrade
    from review.server import build

    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        app, listening = build(session_factory(engine), "http://127.0.0.1:8000")
        assert listening.setup_url is not None
        token = listening.setup_url.rpartition("token=")[2]
        async with client_of(app) as client:
            assert (await client.get("/setup", params={"token": "wrong"})).status_code == 403
            data = {"token": token, "name": "boss", "password": PASSWORD}
            created = await client.post("/setup", data=data)
            assert created.status_code == 303
            assert (await client.get("/events")).status_code == 200
            again = await client.post("/setup", data=data)
            assert again.status_code == 404
    finally:
        engine.dispose()
