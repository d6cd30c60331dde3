"""Serving the review app in-process: uvicorn on the caller's asyncio loop, on a socket
bound here (so a taken port is one clear error, not uvicorn's exit), without taking
over the process's signal handlers."""

from __future__ import annotations

import contextlib
import secrets
import socket
from collections.abc import AsyncIterator, Callable, Generator
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from models.review_users import count_users
from pipeline.errors import ConfigError
from review.app import create_app


class _EmbeddedServer(uvicorn.Server):
    """uvicorn that leaves SIGINT/SIGTERM to its host (``run`` or ``serve``)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


@dataclass(frozen=True)
class Listening:
    """Where the app answers, and the one-time link that creates the first admin."""

    url: str
    setup_url: str | None


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port; ConfigError naming the address if it fails."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"review app: cannot listen on {host}:{port} ({exc.strerror or exc}); "
            "pick another port (--port, or review.listen in config.yaml)"
        ) from None
    sock.setblocking(False)
    return sock


def build(sessions: sessionmaker[Session], base_url: str) -> tuple[FastAPI, Listening]:
    """The app, with a setup link when the database has no users yet."""
    with sessions() as session:
        empty = count_users(session) == 0
    token = secrets.token_urlsafe(24) if empty else None
    app = create_app(sessions, setup_token=token)
    setup = f"{base_url}/setup?token={token}" if token else None
    return app, Listening(base_url, setup)


def base_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


@contextlib.asynccontextmanager
async def serving(
    sessions: sessionmaker[Session], host: str, port: int, announce: Callable[[Listening], None]
) -> AsyncIterator[None]:
    """Serve the app on host:port while the block runs; stop it (gracefully) after."""
    import asyncio

    sock = bind(host, port)
    app, listening = build(sessions, base_url(host, *sock.getsockname()[1:2]))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = _EmbeddedServer(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        announce(listening)
        yield
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
        sock.close()
