"""``minewatch serve``: the review web app and REST API; and the app that ``run``
serves beside the scheduler (``review.listen``). The only CLI module that imports
the ``review`` package."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from models.db import upgrade
from pipeline.errors import MinewatchError
from review.server import Listening, serving

if TYPE_CHECKING:
    from pipeline.cli.commands import Context

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def add_serve_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="the review web app and REST API (binds 127.0.0.1)")
    p.add_argument(
        "--host", default=DEFAULT_HOST, help="address to bind (default 127.0.0.1: this machine)"
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default 8000)")
    p.set_defaults(handler=serve)


def serve(args: argparse.Namespace, ctx: Context) -> int:
    """Serve the app in the foreground until SIGTERM or Ctrl-C."""
    upgrade(ctx.config.database.url)
    asyncio.run(_serve_until_stopped(ctx, args.host, args.port))
    ctx.out.print("stopped")
    return 0


async def _serve_until_stopped(ctx: Context, host: str, port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with serving(ctx.sessions, host, port, lambda found: announce(ctx, found)):
        await stop.wait()


def announce(ctx: Context, listening: Listening) -> None:
    local = "only this machine" if listening.url.startswith("http://127.") else "the network"
    ctx.out.print(f"review app at {listening.url}/ (bound for {local})", markup=False)
    if listening.setup_url:
        ctx.out.print(
            f"no users yet: open {listening.setup_url} once to create the first admin",
            markup=False,
        )


@contextlib.asynccontextmanager
async def review_beside_run(ctx: Context) -> AsyncIterator[None]:
    """For ``run``: serve the app on ``review.listen`` (if set) while the block runs.
    A port that cannot be bound is one red line; the scheduler runs on without the app."""
    address = ctx.config.review.address()
    if address is None:
        yield
        return
    try:
        server = serving(ctx.sessions, *address, lambda found: announce(ctx, found))
        await server.__aenter__()
    except MinewatchError as exc:
        ctx.red(str(exc))
        yield
        return
    try:
        yield
    finally:
        await server.__aexit__(None, None, None)
