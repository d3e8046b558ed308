"""The ports, cached: derived from the table of reads (`gateway.cache.reads`).

Each port method declared there is sent through `Caching` by its shape: records are
cached per key (an order by id), lists per key (an order's lines), pages per parent and
page (a customer's orders, first 20), searches per text and page. The misses of records
and lists from concurrent requests share calls when the backend is slow (`misses`).
Authorization is not decided here: the same record serves every user, and access is
checked on each object after the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

from erp_backends.paging import Page, PageRequest
from gateway.cache.caching import Caching
from gateway.cache.misses import Budget, MissBatcher, unlimited
from gateway.cache.reads import Lists, Pages, Read, Reads, Records, Search

P = TypeVar("P")
Method = Callable[..., Awaitable[Any]]


def cached(port: P, reads: Reads[P], caching: Caching, budget: Budget = unlimited) -> P:
    """`port` with every read of `reads` going through the cache; `budget` says how much
    of the backend's rate limit is left (`misses`)."""

    def derive(read: Read[Any, Any], method: Method) -> Method:
        return _cached(read, method, caching, budget)

    # `Reads` checks that every method of the port is declared, so the derived port
    # implements the port's Protocol.
    return cast(P, DerivedPort(port, reads, derive))


class DerivedPort:
    """`port` with each declared method replaced by `derive(read, port's method)`, built
    on first use (so a port is looked up as late as when it was written by hand). The
    customer-scoped ports of `resolvers.ownership` are derived the same way."""

    def __init__(
        self, port: object, reads: Reads[Any], derive: Callable[[Read[Any, Any], Method], Method]
    ) -> None:
        self._port = port
        self._reads = reads
        self._derive = derive

    def __getattr__(self, name: str) -> Method:
        read = None if name.startswith("_") else self._reads.named(name)
        if read is None:
            raise AttributeError(name)
        answered_by = name
        if read.otherwise is not None and not hasattr(self._port, name):
            # An adapter written before the read: answered by the read it stands for.
            answered_by = read.otherwise.__name__
        method = self._derive(read, getattr(self._port, answered_by))
        setattr(self, name, method)
        return method


def _cached(read: Read[Any, Any], fetch: Method, caching: Caching, budget: Budget) -> Method:
    entity, target = read.entity, read.target
    match read:
        case Records():
            records = MissBatcher[object](fetch, budget=budget)

            async def by_keys(keys: Sequence[str]) -> Mapping[str, object]:
                return await caching.by_keys(entity, keys, records.fetch, target)

            return by_keys
        case Lists():

            async def tuples(keys: list[str]) -> dict[str, tuple[object, ...]]:
                return {key: tuple(found) for key, found in (await fetch(keys)).items()}

            lists_of = MissBatcher[tuple[object, ...]](tuples, budget=budget)

            async def lists(keys: Sequence[str]) -> Mapping[str, Sequence[object]]:
                return await caching.by_keys(entity, keys, lists_of.fetch, target)

            return lists
        case Pages():

            async def pages(parents: Sequence[str], page: PageRequest) -> Mapping[str, object]:
                async def fetch_page(keys: list[str]) -> Mapping[str, object]:
                    return cast(Mapping[str, object], await fetch(keys, page))

                return await caching.pages(entity, parents, page_key(page), fetch_page, target)

            return pages
        case Search():

            async def search(text: str | None, page: PageRequest) -> Page[object]:
                key = _search_key(text, page)

                async def fetch_one(_: list[str]) -> dict[str, Page[object]]:
                    return {key: await fetch(text, page)}

                return (await caching.by_keys(entity, [key], fetch_one, target))[key]

            return search
    raise TypeError(f"no caching for {read!r}")


def page_key(page: PageRequest) -> str:
    # A page read without its total cannot stand in for one read with it.
    return f"{page.offset}+{page.limit}" + ("" if page.count else ":uncounted")


def _search_key(search: str | None, page: PageRequest) -> str:
    digest = hashlib.sha256((search or "").encode()).hexdigest()[:20]
    return f"{digest}:{page_key(page)}"
