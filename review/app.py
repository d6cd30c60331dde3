"""The FastAPI application: pages, API, static assets, one error handler, and
security headers (a strict Content-Security-Policy: no inline script runs)."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker

from review import api, pages_auth, pages_events, pages_ops
from review.errors import install_error_handlers
from review.templating import HERE

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def create_app(
    sessions: sessionmaker[Session],
    *,
    secret: bytes | None = None,
    setup_token: str | None = None,
) -> FastAPI:
    """The review app over ``sessions``. ``secret`` signs session cookies (random per
    process when not given); ``setup_token`` opens ``/setup`` while there are no users."""
    app = FastAPI(
        title="minewatch review API",
        version="1",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.sessions = sessions
    app.state.secret = secret or secrets.token_bytes(32)
    app.state.setup_token = setup_token
    install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(pages_auth.router)
    app.include_router(pages_events.router)
    app.include_router(pages_ops.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.middleware("http")(_security_headers)
    return app


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    return response
