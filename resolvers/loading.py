"""DataLoader shapes shared by every domain.

Each turns one batch of keys collected during a tick of the event loop into one port
call. Domains subclass them with a name that says what they return and by which key
(`OrdersByCustomerIdLoader`), binding the port method to call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

from strawberry.dataloader import (
    DataLoader,
    DefaultCache,
    LoaderTask,
    get_current_batch,
    should_create_new_batch,
)

from erp_backends.paging import Page, PageRequest

K = TypeVar("K")
T = TypeVar("T")

FetchByKeys = Callable[[Sequence[str]], Awaitable[Mapping[str, T]]]
FetchPages = Callable[[Sequence[str], PageRequest], Awaitable[Mapping[str, Page[T]]]]
FetchGroups = Callable[[Sequence[str]], Awaitable[Mapping[str, Sequence[T]]]]
FetchSearch = Callable[[str | None, PageRequest], Awaitable[Page[T]]]


async def each_settled(loads: Sequence[Awaitable[T]]) -> list[T | Exception]:
    """Each load's value, or its error, in order. The loads are already in flight, in
    their loaders' batches: awaiting them one after the other waits no longer than for
    the slowest, and spares `asyncio.gather`'s callback and bookkeeping per load (a list
    of 167 order lines read ahead makes about 500 of them)."""
    settled: list[T | Exception] = []
    for load in loads:
        try:
            settled.append(await load)
        except Exception as error:
            settled.append(error)
    return settled


async def each_loaded(loads: Sequence[Awaitable[T]]) -> list[T]:
    """Each load's value, in order; the first error raised (see `each_settled`), once
    every load is settled: a batch that fails fails each of its loads, and an error
    left unretrieved is logged as such."""
    settled = await each_settled(loads)
    for value in settled:
        if isinstance(value, Exception):
            raise value
    return cast(list[T], settled)


# Turns of the event loop from a load to its call's bytes on the wire: the loader
# schedules its batch's dispatch, the dispatch runs as a task of its own, and aiohttp
# writes a request's body in a task too (at once from Python 3.12).
TURNS_TO_SEND = 3


async def let_calls_go() -> None:
    """Yield until the loads just made have their backend calls sent: a resolver that
    starts loads for the level below and then has much to complete lets the calls go
    first, so that the completing passes while they are on their way."""
    for _ in range(TURNS_TO_SEND):
        await asyncio.sleep(0)


def load_ahead(load: Awaitable[Any]) -> None:
    """A load started ahead of the field that will make it again (and find it in its
    loader's cache). Nobody may wait for it after all (a directive left the field out,
    its parent was not found): its failure is then retrieved here, not logged as "never
    retrieved" when the future is collected. Whoever awaits the load still gets it."""
    asyncio.ensure_future(load).add_done_callback(_retrieve_failure)


def _retrieve_failure(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


class RequestLoader(DataLoader[K, T]):
    """strawberry's DataLoader, its batching and its per-request cache, with a leaner
    `load`. A request makes hundreds of loads (the federated customer-360 about 700:
    its lines, their products, their stock and listings), and strawberry's `load`
    spends on each two calls of its cache's key function, the batch's bookkeeping, and
    a done callback on the load's future, which the event loop runs once the future
    is settled. Here a load is a dict lookup, a future and an append: 700 loads cost
    1.9 ms against 4.5 on the 2-core CI machine.

    What that callback did is given up: when every load of a batch is cancelled while
    its backend call is out (their request failing), the call runs to its end, a read
    whose answer nobody takes, instead of being cancelled. A batch cancelled before it
    is sent is still never sent (strawberry's `dispatch_batch` checks), and the loader
    goes on. With strawberry's callback it did not: the callback cancelled the batch's
    dispatch before its first step, so the batch was never marked sent, and every later
    load of the loader joined it and waited forever (`tests/resolvers/test_loading.py`).
    A field's error cancels its siblings' awaits, and with them their loads: a request
    could hang that way."""

    def __init__(self, load_fn: Callable[[list[K]], Awaitable[Sequence[T]]]) -> None:
        super().__init__(load_fn=load_fn)
        # The cache's own dict: its keys are the loads' keys (no key function).
        self._futures = cast(DefaultCache[K, T], self.cache_map).cache_map

    def load(self, key: K) -> Awaitable[T]:
        future = self._futures.get(key)
        if future is not None and not future.cancelled():
            return future
        future = self.loop.create_future()
        self._futures[key] = future
        batch = self.batch
        if batch is None or not batch.tasks or should_create_new_batch(self, batch):
            batch = get_current_batch(self)  # a new batch, its dispatch scheduled
        batch.tasks.append(LoaderTask(key, future))
        return future


class ByKeyLoader(RequestLoader[str, T | None]):
    """One record per key, or None for a key the backend does not know."""

    def __init__(self, fetch: FetchByKeys[T]) -> None:
        async def load(keys: list[str]) -> list[T | None]:
            found = await fetch(keys)
            return [found.get(key) for key in keys]

        super().__init__(load_fn=load)


class GroupLoader(RequestLoader[str, Sequence[T]]):
    """Every record belonging to each key (an order's lines), in the backend's order."""

    def __init__(self, fetch: FetchGroups[T]) -> None:
        async def load(keys: list[str]) -> list[Sequence[T]]:
            found = await fetch(keys)
            return [found.get(key, ()) for key in keys]

        super().__init__(load_fn=load)


class PageLoader(RequestLoader[tuple[str, PageRequest], Page[T]]):
    """A page of each parent's list; parents asking for the same page share one call."""

    def __init__(self, fetch: FetchPages[T]) -> None:
        async def load(keys: list[tuple[str, PageRequest]]) -> list[Page[T]]:
            parents_by_page: dict[PageRequest, list[str]] = {}
            for parent, page in keys:
                parents_by_page.setdefault(page, []).append(parent)
            groups = list(parents_by_page.items())
            fetched = await asyncio.gather(*(fetch(parents, page) for page, parents in groups))
            found = {
                (parent, page): result
                for (page, _), pages in zip(groups, fetched, strict=True)
                for parent, result in pages.items()
            }
            return [found.get(key, Page((), key[1].offset, 0)) for key in keys]

        super().__init__(load_fn=load)


class SearchLoader(RequestLoader[tuple[str | None, PageRequest], Page[T]]):
    """A page of search results; backends search one text at a time, so a batch runs its
    distinct searches side by side, and the same search twice in a request runs once."""

    def __init__(self, fetch: FetchSearch[T]) -> None:
        async def load(keys: list[tuple[str | None, PageRequest]]) -> list[Page[T]]:
            return list(await asyncio.gather(*(fetch(search, page) for search, page in keys)))

        super().__init__(load_fn=load)
