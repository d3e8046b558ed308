"""Cache misses of many requests in one backend call, when the backend is slow to answer.

A request's DataLoader batches its own misses; concurrent requests each make their own
call. Against an ERP that allows 99 calls a minute, a burst of orders from 200
customers would then spend 200 calls (two minutes) looking up customers it has not
cached yet. `MissBatcher` lets a request's misses go at once while the backend keeps
up: up to `max_in_flight` calls of one read, none of them older than `patience_s`.
Past that (the backend is slow, or throttled and the calls wait for their turn), the
keys wait, and all that gathered go together as soon as a call ends: a throttled
backend gets fewer, larger calls.

The backend's rate limit is a budget too (`budget`: the share of its burst left). While
more than half is left, misses go as above. Below that, one call at a time goes, with
whatever keys gathered, and the calls are spaced wider as the budget runs out
(`patience_s / budget`, at most a second apart): a cold start after a restart, 200
requests a second for 200 products none of which is cached, then costs a few calls of
many keys instead of a call per request until the budget is gone and every request
waits for the rate limit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Fetch = Callable[[list[str]], Awaitable[Mapping[str, T]]]
Budget = Callable[[], float]  # the share of the backend's rate limit left, 0 to 1

MAX_IN_FLIGHT = 4  # calls of one read at once before misses wait and go together
PATIENCE_S = 0.05  # a call out longer than this: the backend is slow, misses wait
MAX_BATCH = 200  # keys in one call (an Odoo `id in [...]` domain takes thousands)
PLENTY = 0.5  # share of the rate limit's burst left above which misses go freely
LOW = 0.05  # below this share, calls go a second apart (patience_s / LOW)


def unlimited() -> float:
    return 1.0


class MissBatcher(Generic[T]):
    def __init__(
        self,
        fetch: Fetch[T],
        *,
        max_in_flight: int = MAX_IN_FLIGHT,
        patience_s: float = PATIENCE_S,
        max_batch: int = MAX_BATCH,
        budget: Budget = unlimited,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._fetch = fetch
        self._max_in_flight = max_in_flight
        self._patience_s = patience_s
        self._max_batch = max_batch
        self._budget = budget
        self._clock = clock
        self._sleep = sleep  # injectable: a test decides when a paced call goes
        self._started: dict[int, float] = {}  # when each call in flight began, by ticket
        self._last_start = float("-inf")
        self._tickets = 0
        self._waiting: dict[str, asyncio.Future[T | None]] = {}
        self._paced: asyncio.Task[None] | None = None  # the next call, when it waits its turn
        self._running: set[asyncio.Task[None]] = set()  # the loop keeps weak references

    async def fetch(self, keys: Sequence[str]) -> Mapping[str, T]:
        """What the backend has of `keys`: a call of its own if one is free, else a
        share of the next call."""
        if self._keeping_up():
            ticket = self._begin()
            try:
                return await self._fetch(list(keys))
            finally:
                self._end(ticket)
        loop = asyncio.get_running_loop()
        futures = [self._waiting.setdefault(key, loop.create_future()) for key in keys]
        if not self._started:  # no call in flight whose end would send them
            self._pace()
        values = await asyncio.gather(*futures)
        return {key: value for key, value in zip(keys, values, strict=True) if value is not None}

    def _keeping_up(self) -> bool:
        """Whether a new call may go now: budget left, few calls out, none out for long."""
        if len(self._started) >= self._max_in_flight or self._budget() < PLENTY:
            return False
        oldest = min(self._started.values(), default=None)
        return oldest is None or self._clock() - oldest < self._patience_s

    def _begin(self) -> int:
        self._tickets += 1
        self._last_start = self._started[self._tickets] = self._clock()
        return self._tickets

    def _end(self, ticket: int) -> None:
        del self._started[ticket]
        self._next()

    def _next(self) -> None:
        """A call ended: the keys that waited go now, or at the budget's pace."""
        if not self._waiting or len(self._started) >= self._max_in_flight:
            return
        if self._budget() >= PLENTY:
            self._send()
        elif not self._started:
            self._pace()

    def _pace(self) -> None:
        """The waiting keys go together once the budget allows: `patience_s / budget`
        after the last call began."""
        if self._paced is not None or not self._waiting:
            return
        budget = self._budget()
        spacing = 0.0 if budget >= PLENTY else self._patience_s / max(budget, LOW)
        delay = max(0.0, self._last_start + spacing - self._clock())
        self._paced = asyncio.get_running_loop().create_task(self._send_after(delay))

    async def _send_after(self, delay: float) -> None:
        if delay > 0:
            await self._sleep(delay)
        self._paced = None
        if not self._started:  # else that call's end sends them
            self._send()

    def _send(self) -> None:
        """The keys that waited go in one call, up to `max_batch` of them."""
        if not self._waiting:
            return
        batch = dict(list(self._waiting.items())[: self._max_batch])
        for key in batch:
            del self._waiting[key]
        ticket = self._begin()
        task = asyncio.get_running_loop().create_task(self._run(batch, ticket))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(self, batch: dict[str, asyncio.Future[T | None]], ticket: int) -> None:
        try:
            found: Mapping[str, Any] = await self._fetch(list(batch))
        except Exception as exc:  # every request that waited gets the backend's error
            for future in batch.values():
                if not future.done():
                    future.set_exception(exc)
                    future.exception()  # retrieved here: waiters re-raise it themselves
            return
        finally:
            self._end(ticket)
        for key, future in batch.items():
            if not future.done():
                future.set_result(found.get(key))
