"""Cache-aside for the ports: the mechanics every cached port method shares.

A lookup reads the cache first and asks the backend only for what is missing or past
its TTL, in one call. A key the backend does not know is remembered as absent for the
entity's TTL too, so that, say, a shop order not yet in the ERP is not asked for again
on every request. Misses for keys that another request is already fetching are not
fetched again: they wait for that fetch (coalescing). When the backend fails with an
outage (unavailable, timeout, rate limit) and every missing key has an entry within the
stale window, those entries are served instead and recorded in `STALE_READS`, which the
GraphQL layer reports in the response's `extensions` (see `resolvers.freshness`).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from erp_backends.errors import BackendRateLimited, BackendTimeout, BackendUnavailable
from gateway.cache.entities import Entity
from gateway.cache.freshness import STALE_READS, StaleRead
from gateway.cache.reads import EVERY_PORT
from gateway.cache.response_reads import not_cacheable, record_read
from gateway.cache.store import Entry, RecordStore

T = TypeVar("T")
OUTAGES = (BackendUnavailable, BackendTimeout, BackendRateLimited)


# Seconds each entity is served fresh, as its read declares: stock moves by the minute,
# catalogues by the day. Every entity has one (a test checks).
DEFAULT_TTLS: dict[Entity, float] = {
    read.entity: read.ttl for reads in EVERY_PORT for read in reads
}


@dataclass(frozen=True, slots=True)
class CachePolicy:
    # Seconds each entity is served fresh; 0: not cached at all.
    ttls: Mapping[Entity, float] = field(default_factory=lambda: dict(DEFAULT_TTLS))
    stale_ttl: float = 3600.0  # how long past its TTL an entry may stand in for a failure

    def ttl(self, entity: Entity) -> float:
        return self.ttls.get(entity, 60.0)


@dataclass
class CacheStats:
    """Hits, misses and stale reads per entity, for metrics."""

    counts: Counter[tuple[Entity, str]] = field(default_factory=Counter)

    def add(self, entity: Entity, outcome: str, n: int = 1) -> None:
        if n:
            self.counts[entity, outcome] += n

    def snapshot(self) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {}
        for (entity, outcome), n in sorted(self.counts.items()):
            result.setdefault(entity.value, {"hit": 0, "miss": 0, "stale": 0})[outcome] = n
        return result


async def _uncached(
    entity: Entity, keys: list[str], fetch: Callable[[list[str]], Awaitable[Mapping[str, T]]]
) -> dict[str, T]:
    """An entity of TTL 0 is read from its backend every time: no cache key is built,
    no store is asked (for a page, not even its list's generation), and no answer
    holding it is kept (`not_cacheable`)."""
    not_cacheable(f"{entity.value} is not cached")
    return dict(await fetch(keys))


class Caching:
    """The cached lookups of every backend role; each entity names its role."""

    def __init__(self, store: RecordStore, policy: CachePolicy, stats: CacheStats):
        self.store = store
        self.policy = policy
        self.stats = stats
        self._in_flight: dict[str, asyncio.Future[Any]] = {}

    async def by_keys(
        self,
        entity: Entity,
        keys: Sequence[str],
        fetch: Callable[[list[str]], Awaitable[Mapping[str, T]]],
        target: Any,
    ) -> dict[str, T]:
        if self.policy.ttl(entity) <= 0:
            return await _uncached(entity, list(dict.fromkeys(keys)), fetch)
        names = {key: self._key(entity, key) for key in dict.fromkeys(keys)}
        return await self._cached(entity, names, fetch, target)

    async def pages(
        self,
        entity: Entity,
        parents: Sequence[str],
        page_key: str,
        fetch: Callable[[list[str]], Awaitable[Mapping[str, T]]],
        target: Any,
    ) -> dict[str, T]:
        """Pages of each parent's list, under the list's generation (see `invalidate_lists`)."""
        unique = list(dict.fromkeys(parents))
        if self.policy.ttl(entity) <= 0:
            return await _uncached(entity, unique, fetch)
        generation_keys = {p: self._key(entity, "generation", p) for p in unique}
        generations = await self.store.counters(list(generation_keys.values()))
        names = {
            p: self._key(entity, p, f"g{generations[generation_keys[p]]}", page_key) for p in unique
        }
        return await self._cached(entity, names, fetch, target)

    async def invalidate(self, entity: Entity, keys: Sequence[str]) -> None:
        await self.store.delete(self._key(entity, key) for key in keys)

    async def invalidate_lists(self, entity: Entity, parents: Sequence[str]) -> None:
        """Every cached page of these parents' lists: a new generation, the old one unread."""
        for parent in parents:
            await self.store.bump(self._key(entity, "generation", parent))

    def _key(self, entity: Entity, *parts: str) -> str:
        # "<role>:<name>:...", as `RecordStore.clear(role, name)` finds them.
        return self.store.key(entity.role, entity.local_name, *parts)

    async def _cached(
        self,
        entity: Entity,
        names: dict[str, str],
        fetch: Callable[[list[str]], Awaitable[Mapping[str, T]]],
        target: Any,
    ) -> dict[str, T]:
        ttl = self.policy.ttl(entity)
        entries = await self.store.get_many(list(names.values()), target)
        now = self.store.now()
        found: dict[str, T] = {}
        stale: dict[str, Entry] = {}
        missing = []
        oldest = now  # when the oldest entry served was stored: it goes stale first
        for key, name in names.items():
            entry = entries.get(name)
            if entry is None or entry.age(now) >= ttl:
                missing.append(key)
                if entry is not None and entry.value is not None:
                    stale[key] = entry
                continue
            oldest = min(oldest, entry.stored_at)
            if entry.value is not None:
                found[key] = entry.value
        record_read(entity, names, oldest + ttl)
        self.stats.add(entity, "hit", len(names) - len(missing))
        self.stats.add(entity, "miss", len(missing))
        if missing:
            found.update(await self._fetch(entity, missing, names, fetch, stale, ttl))
        return found

    async def _fetch(
        self,
        entity: Entity,
        missing: list[str],
        names: dict[str, str],
        fetch: Callable[[list[str]], Awaitable[Mapping[str, T]]],
        stale: dict[str, Entry],
        ttl: float,
    ) -> dict[str, T]:
        waiting = {
            key: self._in_flight[names[key]] for key in missing if names[key] in self._in_flight
        }
        mine = [key for key in missing if key not in waiting]
        fetched: dict[str, T] = {}
        if mine:
            fetched = await self._fetch_own(entity, mine, names, fetch, stale, ttl)
        for key, future in waiting.items():
            value = await asyncio.shield(future)
            if value is not None:
                fetched[key] = value
        return fetched

    async def _fetch_own(
        self,
        entity: Entity,
        keys: list[str],
        names: dict[str, str],
        fetch: Callable[[list[str]], Awaitable[Mapping[str, T]]],
        stale: dict[str, Entry],
        ttl: float,
    ) -> dict[str, T]:
        loop = asyncio.get_running_loop()
        futures = {key: loop.create_future() for key in keys}
        for key, future in futures.items():
            self._in_flight[names[key]] = future
        try:
            try:
                result = dict(await fetch(keys))
            except OUTAGES as outage:
                result = self._stale_instead(entity, keys, stale, outage)
            else:
                keep = ttl + self.policy.stale_ttl
                await self.store.put_many({names[k]: v for k, v in result.items()}, keep)
                await self.store.put_absent((names[k] for k in keys if k not in result), ttl)
            for key, future in futures.items():
                future.set_result(result.get(key))
            return result
        except BaseException as exc:
            for future in futures.values():
                if not future.done():
                    future.set_exception(exc)
                    future.exception()  # retrieved here: waiters re-raise it themselves
            raise
        finally:
            for key in keys:
                self._in_flight.pop(names[key], None)

    def _stale_instead(
        self, entity: Entity, keys: list[str], stale: dict[str, Entry], outage: Exception
    ) -> dict[str, Any]:
        """The stale entries of `keys`, if there is one for each; else the outage."""
        if not all(key in stale for key in keys):
            raise outage
        not_cacheable(f"stale {entity.value} served while the backend fails")
        now = self.store.now()
        reads = STALE_READS.get()
        for key in keys:
            if reads is not None:
                reads.append(StaleRead(entity.role, entity.local_name, key, stale[key].age(now)))
        self.stats.add(entity, "stale", len(keys))
        return {key: stale[key].value for key in keys}
