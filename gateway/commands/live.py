"""Live reads for validating writes (an invoice's amount due), read from the ERP
itself, past the cache, because a stale figure must not accept a payment.

On a burst these reads would cost one ERP call per mutation, against an ERP
that allows perhaps 100 a minute. `WindowedBatcher` collects the keys that concurrent
mutations ask for during a few milliseconds and reads them in one call, so a burst of a
thousand orders costs tens of calls, not thousands.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from erp_backends.models import Invoice
from erp_backends.ports import ErpBackend

T = TypeVar("T")
Fetch = Callable[[Sequence[str]], Awaitable[Mapping[str, T]]]


class WindowedBatcher(Generic[T]):
    """One fetch for every key asked for within `window_s` (or `max_batch` keys).

    While a fetch is in flight, keys wait for it to end and then go together: the slower
    the ERP (or the tighter its rate limit), the larger the batches, with no tuning.
    """

    def __init__(self, fetch: Fetch[T], *, window_s: float = 0.01, max_batch: int = 100) -> None:
        self._fetch = fetch
        self._window_s = window_s
        self._max_batch = max_batch
        self._pending: dict[str, list[asyncio.Future[T | None]]] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._running: set[asyncio.Task[None]] = set()  # the loop keeps weak references
        self._in_flight = 0
        self.fetches = 0

    async def load(self, key: str) -> T | None:
        future: asyncio.Future[T | None] = asyncio.get_running_loop().create_future()
        self._pending.setdefault(key, []).append(future)
        if len(self._pending) >= self._max_batch:
            self._flush()
        elif self._timer is None and not self._in_flight:
            self._timer = asyncio.get_running_loop().call_later(self._window_s, self._flush)
        return await future

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, {}
        if batch:
            task = asyncio.get_running_loop().create_task(self._run(batch))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run(self, batch: dict[str, list[asyncio.Future[T | None]]]) -> None:
        self.fetches += 1
        self._in_flight += 1
        try:
            found = await self._fetch(list(batch))
        except Exception as exc:  # every waiting mutation gets the backend's error
            for futures in batch.values():
                for future in futures:
                    if not future.done():
                        future.set_exception(exc)
            return
        finally:
            self._in_flight -= 1
            if self._pending and not self._in_flight:
                self._flush()  # what gathered meanwhile goes at once
        for key, futures in batch.items():
            for future in futures:
                if not future.done():
                    future.set_result(found.get(key))


@dataclass(frozen=True, slots=True)
class LiveReads:
    """Reads past the cache that mutations make (stock and credit are the ledger's
    snapshots instead: gateway/commands/snapshots.py)."""

    invoice: WindowedBatcher[Invoice]

    @classmethod
    def of(cls, erp: ErpBackend) -> LiveReads:
        """`erp` must be the uncached port: these reads are the ones that must be fresh."""
        return cls(invoice=WindowedBatcher(erp.get_invoices))
