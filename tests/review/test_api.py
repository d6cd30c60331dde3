"""The REST API on SQLite and PostgreSQL: reads, writes, bearer tokens, roles, cursor
pagination, and the one error shape."""

from __future__ import annotations

import httpx
import pytest

from tests.review.conftest import Site, client_of

pytestmark = pytest.mark.anyio


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "hint"}
    assert body["error"]["code"] == code


async def test_reads_need_a_token(any_site: Site) -> None:
    async with client_of(any_site.app) as anon:
        assert_error(await anon.get("/api/v1/events"), 401, "unauthorized")
    async with client_of(any_site.app, "not-a-token") as wrong:
        assert_error(await wrong.get("/api/v1/events"), 401, "unauthorized")


async def test_events_filter_count_and_cursor(any_site: Site) -> None:
    async with client_of(any_site.app, any_site.seeded.viewer_token) as api:
        me = (await api.get("/api/v1/me")).json()
        assert me["name"] == "vic"
        first = (await api.get("/api/v1/events", params={"limit": 2})).json()
        assert first["total"] == 5
        assert len(first["items"]) == 2
        seen = [item["id"] for item in first["items"]]
        cursor = first["next_cursor"]
        while cursor:
            page = (await api.get("/api/v1/events", params={"limit": 2, "cursor": cursor})).json()
            seen += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
        assert len(seen) == len(set(seen)) == 5
        copper = (await api.get("/api/v1/events", params={"mineral": "copper"})).json()
        assert copper["total"] == 2
        chips = {c["id"] for item in copper["items"] for c in item["participants"]}
        assert "mineral:copper" in chips
        assert_error(
            await api.get("/api/v1/events", params={"cursor": "garbage"}), 400, "bad_request"
        )
        assert_error(
            await api.get("/api/v1/events", params={"type": "nonsense"}), 422, "invalid_request"
        )


async def test_event_detail_and_not_found(any_site: Site) -> None:
    event_id = any_site.seeded.event_ids["agreement"]
    async with client_of(any_site.app, any_site.seeded.viewer_token) as api:
        detail = (await api.get(f"/api/v1/events/{event_id}")).json()
        assert detail["text"][detail["start"] : detail["end"]] == detail["sentence"]
        assert [c["title"] for c in detail["copies"]] == ["Lithium plan (copy)"]
        assert len(detail["siblings"]) == 1
        assert_error(await api.get("/api/v1/events/999999"), 404, "not_found")
        assert_error(await api.get("/api/v1/nowhere"), 404, "not_found")


async def test_verdicts_undo_and_roles(any_site: Site) -> None:
    event_id = any_site.seeded.event_ids["policy"]
    url = f"/api/v1/events/{event_id}/verdicts"
    async with client_of(any_site.app, any_site.seeded.viewer_token) as viewer:
        assert_error(await viewer.post(url, json={"state": "confirmed"}), 403, "forbidden")
    async with client_of(any_site.app, any_site.seeded.reviewer_token) as api:
        done = (await api.post(url, json={"state": "confirmed", "note": "ok"})).json()
        assert (done["state_before"], done["state_after"], done["reviewer"]) == (
            "new",
            "confirmed",
            "ana",
        )
        fix = {"state": "corrected", "correction": {"participants": ["country:PE", "country:CL"]}}
        corrected = (await api.post(url, json=fix)).json()
        assert corrected["after"] == {"participants": ["country:PE", "country:CL"]}
        bad = {"state": "corrected", "correction": {"participants": ["country:ZZ"]}}
        assert_error(await api.post(url, json=bad), 400, "bad_request")
        undone = (await api.post(f"/api/v1/events/{event_id}/undo")).json()
        assert (undone["state_before"], undone["state_after"]) == ("corrected", "confirmed")
        detail = (await api.get(f"/api/v1/events/{event_id}")).json()
        assert detail["state"] == "confirmed"
        assert [v["state_after"] for v in detail["history"]] == [
            "confirmed",
            "corrected",
            "confirmed",
        ]


async def test_bulk_verdicts_check_the_count(any_site: Site) -> None:
    async with client_of(any_site.app, any_site.seeded.reviewer_token) as api:
        body = {"state": "rejected", "expected": 5, "filter": {"mineral": "copper"}}
        assert_error(await api.post("/api/v1/events/bulk-verdicts", json=body), 400, "bad_request")
        done = await api.post("/api/v1/events/bulk-verdicts", json={**body, "expected": 2})
        assert done.json() == {"count": 2}
        rejected = (await api.get("/api/v1/events", params={"state": "rejected"})).json()
        assert rejected["total"] == 2


async def test_entity_type_ahead_runs_and_failures(any_site: Site) -> None:
    async with client_of(any_site.app, any_site.seeded.viewer_token) as api:
        hits = (await api.get("/api/v1/entities", params={"q": "chi"})).json()
        assert {"id": "country:CL", "type": "country", "name": "Chile"} in hits
        assert (await api.get("/api/v1/entities", params={"q": "%"})).json() == []
        assert (await api.get("/api/v1/runs")).json() == []
        assert (await api.get("/api/v1/failures")).json() == []


async def test_cookie_session_reads_but_never_writes(site: Site) -> None:
    from tests.review.conftest import sign_in

    async with client_of(site.app) as browser:
        await sign_in(browser, "ana")
        assert (await browser.get("/api/v1/me")).status_code == 200
        event_id = site.seeded.event_ids["policy"]
        response = await browser.post(
            f"/api/v1/events/{event_id}/verdicts", json={"state": "rejected"}
        )
        assert_error(response, 401, "unauthorized")
