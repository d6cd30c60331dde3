"""Fixtures of the review app's tests: a seeded real database (SQLite file, and
PostgreSQL for the API), the app, and httpx clients over its ASGI transport."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from models.db import make_engine, session_factory, upgrade
from review.app import create_app
from tests.review.seed import PASSWORD, Seeded, seed

BASE = "http://testserver"


@dataclass(frozen=True)
class Site:
    app: FastAPI
    seeded: Seeded


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _site(url: str) -> Iterator[Site]:
    upgrade(url)
    engine = make_engine(url)
    try:
        sessions = session_factory(engine)
        seeded = seed(sessions)
        yield Site(create_app(sessions, secret=b"test-secret"), seeded)
    finally:
        engine.dispose()


@pytest.fixture
def site(sqlite_url: str) -> Iterator[Site]:
    yield from _site(sqlite_url)


@pytest.fixture
def any_site(db_url: str) -> Iterator[Site]:
    """The same, on SQLite and on PostgreSQL (for the API tests)."""
    yield from _site(db_url)


def client_of(app: FastAPI, token: str | None = None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE, headers=headers)


@pytest.fixture
async def anon(site: Site) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(site.app) as client:
        yield client


async def sign_in(client: httpx.AsyncClient, name: str) -> None:
    response = await client.post("/login", data={"name": name, "password": PASSWORD})
    assert response.status_code == 303, response.text


@pytest.fixture
async def ana(site: Site) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(site.app) as client:
        await sign_in(client, "ana")
        yield client


@pytest.fixture
async def vic(site: Site) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(site.app) as client:
        await sign_in(client, "vic")
        yield client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)
