"""Where cached records live: aiocache, in memory (one process) or Redis (shared).

Every key starts with `erpgw:<model version>:`, so records of an older canonical model
are never read, and `clear` never touches anything else in a shared Redis. An entry is
the JSON of `{"at": <unix time stored>, "v": <value>}`, kept for its TTL plus the stale
window: past the TTL it is no longer served fresh, but can still stand in for a backend
that fails (stale-if-error).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiocache import Cache
from aiocache.backends.memory import SimpleMemoryCache
from aiocache.base import BaseCache
from aiocache.serializers import StringSerializer

from gateway.cache.codec import MODEL_VERSION, decode, encode

PREFIX = "erpgw"


@dataclass(frozen=True, slots=True)
class Entry:
    value: Any  # None: the backend had no such record when asked
    stored_at: float

    def age(self, now: float) -> float:
        return max(0.0, now - self.stored_at)


def open_cache(url: str, password: str | None = None) -> BaseCache:
    """An aiocache cache for `memory://` or `redis://host:port/db`."""
    parts = urlsplit(url)
    if parts.scheme == "memory":
        # No timeout: a dict answers at once, and aiocache would run each call under
        # `asyncio.wait_for`, a task of its own (35 µs a lookup instead of 11).
        return Cache(Cache.MEMORY, serializer=StringSerializer(), timeout=None)
    db = int(parts.path.strip("/") or 0)
    return Cache(
        Cache.REDIS,
        serializer=StringSerializer(),
        endpoint=parts.hostname or "127.0.0.1",
        port=parts.port or 6379,
        db=db,
        password=password,
        create_connection_timeout=2,
    )


class RecordStore:
    """Versioned, namespaced JSON entries in an aiocache backend."""

    def __init__(self, cache: BaseCache, *, clock: Callable[[], float] = time.time) -> None:
        self._cache = cache
        self._clock = clock
        self.namespace = f"{PREFIX}:{MODEL_VERSION}"

    def key(self, *parts: str) -> str:
        return ":".join((self.namespace, *parts))

    def now(self) -> float:
        return self._clock()

    async def get_many(self, keys: list[str], target: Any) -> dict[str, Entry]:
        if not keys:
            return {}
        raw = await self._cache.multi_get(keys)
        found = {}
        for key, text in zip(keys, raw, strict=True):
            if text is not None:
                envelope = json.loads(text)
                value = None if envelope.get("absent") else decode(envelope["v"], target)
                found[key] = Entry(value, envelope["at"])
        return found

    async def put_many(self, values: Mapping[str, Any], keep_s: float) -> None:
        if not values:
            return
        at = self.now()
        pairs = [(key, json.dumps({"at": at, "v": encode(value)})) for key, value in values.items()]
        await self._cache.multi_set(pairs, ttl=max(1, round(keep_s)))

    async def put_absent(self, keys: Iterable[str], keep_s: float) -> None:
        """Remember that the backend has no record for these keys (a negative entry)."""
        pairs = [(key, json.dumps({"at": self.now(), "absent": True})) for key in keys]
        if pairs:
            await self._cache.multi_set(pairs, ttl=max(1, round(keep_s)))

    async def delete(self, keys: Iterable[str]) -> None:
        for key in keys:
            await self._cache.delete(key)

    async def counters(self, keys: list[str]) -> dict[str, int]:
        """Integer counters (list generations); a missing one is 0."""
        if not keys:
            return {}
        raw = await self._cache.multi_get(keys)
        return {key: int(value or 0) for key, value in zip(keys, raw, strict=True)}

    async def bump(self, key: str) -> None:
        await self._cache.increment(key)

    async def clear(self, *parts: str) -> None:
        """Delete every entry under `namespace:parts...` (all of ours when no parts)."""
        namespace = self.key(*parts)
        if isinstance(self._cache, SimpleMemoryCache):
            # Redis clears "<namespace>:*"; the memory cache clears by plain prefix, which
            # would also take "order" along with "orders_by_customer".
            namespace += ":"
        await self._cache.clear(namespace=namespace)

    async def close(self) -> None:
        await self._cache.close()
