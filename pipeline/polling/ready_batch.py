"""Take what is ready from a queue: the first item, then whatever else is already
waiting, up to a batch size. ``None`` on the queue means stop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def next_batch(
    queue: asyncio.Queue[T | None],
    size: int,
    before_filling: Callable[[], Awaitable[object]] | None = None,
) -> list[T] | None:
    """The next batch, never waiting for it to fill; None once the stop mark arrives
    (a stop mark found behind ready items is put back for the next call).

    ``before_filling`` is awaited after the first item and before the rest are taken,
    e.g. a free worker slot, so that items arriving meanwhile join the batch."""
    first = await queue.get()
    if first is None:
        return None
    if before_filling is not None:
        await before_filling()
    batch = [first]
    while len(batch) < size and not queue.empty():
        following = queue.get_nowait()
        if following is None:
            queue.put_nowait(None)
            break
        batch.append(following)
    return batch
