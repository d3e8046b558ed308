"""Cache misses of many requests in one backend call, when the backend is slow to answer.

A request's DataLoader batches its own misses; concurrent requests each make their own
call. Against an ERP that allows 99 calls a minute, a burst of orders from 200
customers would then spend 200 calls (two minutes) looking up customers it has not
cached yet. `MissBatcher` lets up to `max_in_flight` calls of one read run at once, as
before; past that, the keys wait, and all that gathered go together as soon as a call
ends. A fast backend is never kept waiting; a throttled one gets fewer, larger calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Fetch = Callable[[list[str]], Awaitable[Mapping[str, T]]]

MAX_IN_FLIGHT = 4  # calls of one read at once before misses wait and go together
MAX_BATCH = 200  # keys in one call (an Odoo `id in [...]` domain takes thousands)


class MissBatcher(Generic[T]):
    def __init__(
        self, fetch: Fetch[T], *, max_in_flight: int = MAX_IN_FLIGHT, max_batch: int = MAX_BATCH
    ) -> None:
        self._fetch = fetch
        self._max_in_flight = max_in_flight
        self._max_batch = max_batch
        self._in_flight = 0
        self._waiting: dict[str, asyncio.Future[T | None]] = {}
        self._running: set[asyncio.Task[None]] = set()  # the loop keeps weak references

    async def fetch(self, keys: Sequence[str]) -> Mapping[str, T]:
        """What the backend has of `keys`: a call of its own if one is free, else a
        share of the next call."""
        if self._in_flight < self._max_in_flight:
            self._in_flight += 1
            try:
                return await self._fetch(list(keys))
            finally:
                self._in_flight -= 1
                self._next()
        loop = asyncio.get_running_loop()
        futures = [self._waiting.setdefault(key, loop.create_future()) for key in keys]
        values = await asyncio.gather(*futures)
        return {key: value for key, value in zip(keys, values, strict=True) if value is not None}

    def _next(self) -> None:
        """A call ended: the keys that waited go, up to `max_batch` of them."""
        if not self._waiting or self._in_flight >= self._max_in_flight:
            return
        batch = dict(list(self._waiting.items())[: self._max_batch])
        for key in batch:
            del self._waiting[key]
        self._in_flight += 1
        task = asyncio.get_running_loop().create_task(self._run(batch))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(self, batch: dict[str, asyncio.Future[T | None]]) -> None:
        try:
            found: Mapping[str, Any] = await self._fetch(list(batch))
        except Exception as exc:  # every request that waited gets the backend's error
            for future in batch.values():
                if not future.done():
                    future.set_exception(exc)
                    future.exception()  # retrieved here: waiters re-raise it themselves
            return
        finally:
            self._in_flight -= 1
            self._next()
        for key, future in batch.items():
            if not future.done():
                future.set_result(found.get(key))
