"""A bound on the pages a poll holds in memory: fetched, and not yet stored.

Fetching over loopback or a fast network outruns analysis many times over. Without a
bound every page of a large poll waits in memory for the analyze workers (the
benchmark's poll process grew by ~0.3 MB per page); with one, a page is fetched only
when a slot is free, and memory stays flat however many links the poll finds.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class InFlight:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.current = 0
        self.peak = 0  # the most pages held at once, for reports and tests
        self._slots = asyncio.Semaphore(limit)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._slots:
            self.current += 1
            self.peak = max(self.peak, self.current)
            try:
                yield
            finally:
                self.current -= 1
