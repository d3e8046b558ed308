"""Where whole GraphQL responses are kept: in memory (one process, bounded) or in Redis
(shared by every gateway process and the workers that invalidate it).

An entry is the response's bytes under its key (see `gateway.wiring.response_caching`),
kept for the seconds its records stay fresh, and listed under each of its tags. An
invalidation deletes every response listed under its tags.

A response built while an invalidation ran may hold what was just invalidated: the
store's epoch, a counter every invalidation bumps, is read when the request misses and
checked when its response is put; a response from before the latest invalidation is
not kept.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

from gateway.cache.codec import MODEL_VERSION
from gateway.cache.store import PREFIX


@dataclass(frozen=True, slots=True)
class Lookup:
    body: bytes | None  # None: not kept (or no longer)
    media_type: str
    epoch: int  # the store's epoch when looked up, for `put`


class ResponseStore(Protocol):
    async def lookup(self, key: str) -> Lookup: ...

    async def put(
        self,
        key: str,
        body: bytes,
        media_type: str,
        ttl_s: float,
        tags: Collection[str],
        epoch: int,
    ) -> bool:
        """Keep the response unless an invalidation ran since `epoch`; whether kept."""
        ...

    async def invalidate(self, tags: Collection[str]) -> None: ...

    async def clear(self) -> None: ...

    async def close(self) -> None: ...


@dataclass(slots=True)
class _Entry:
    body: bytes
    media_type: str
    expires_at: float
    tags: Collection[str]
    size: int


# What an entry costs beyond its body and tags (the dict slots, the entry, the key).
_ENTRY_OVERHEAD = 300


class MemoryResponses:
    """Least recently used first out once `max_bytes` is reached; expired entries are
    dropped when met."""

    def __init__(self, max_bytes: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_bytes = max_bytes
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._by_tag: dict[str, set[str]] = {}
        self._bytes = 0
        self._epoch = 0

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    async def lookup(self, key: str) -> Lookup:
        entry = self._entries.get(key)
        if entry is None:
            return Lookup(None, "", self._epoch)
        if entry.expires_at <= self._clock():
            self._remove(key)
            return Lookup(None, "", self._epoch)
        self._entries.move_to_end(key)
        return Lookup(entry.body, entry.media_type, self._epoch)

    async def put(
        self,
        key: str,
        body: bytes,
        media_type: str,
        ttl_s: float,
        tags: Collection[str],
        epoch: int,
    ) -> bool:
        size = len(body) + len(key) + sum(len(t) + 80 for t in tags) + _ENTRY_OVERHEAD
        # One response may not push out most of the others.
        if epoch != self._epoch or ttl_s <= 0 or size > self.max_bytes // 4:
            return False
        self._remove(key)
        self._entries[key] = _Entry(body, media_type, self._clock() + ttl_s, tags, size)
        self._bytes += size
        for tag in tags:
            self._by_tag.setdefault(tag, set()).add(key)
        while self._bytes > self.max_bytes:
            self._remove(next(iter(self._entries)))
        return True

    async def invalidate(self, tags: Collection[str]) -> None:
        self._epoch += 1
        for tag in tags:
            for key in self._by_tag.pop(tag, ()):
                self._remove(key)

    async def clear(self) -> None:
        self._epoch += 1
        self._entries.clear()
        self._by_tag.clear()
        self._bytes = 0

    async def close(self) -> None:
        await self.clear()

    def _remove(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        self._bytes -= entry.size
        for tag in entry.tags:
            keys = self._by_tag.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_tag[tag]


# KEYS: the response, the epoch, then its tags' sets. ARGV: body, media type, TTL in
# whole seconds, the epoch seen at lookup. A tag's set lives as long as its longest entry.
_PUT = """
if tonumber(redis.call('GET', KEYS[2]) or '0') ~= tonumber(ARGV[4]) then return 0 end
local ttl = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], 'b', ARGV[1], 'm', ARGV[2])
redis.call('EXPIRE', KEYS[1], ttl)
for i = 3, #KEYS do
  redis.call('SADD', KEYS[i], KEYS[1])
  if redis.call('TTL', KEYS[i]) < ttl then redis.call('EXPIRE', KEYS[i], ttl) end
end
return 1
"""

# KEYS: the epoch, then the tags' sets: bump the epoch, delete every listed response.
_INVALIDATE = """
redis.call('INCR', KEYS[1])
for i = 2, #KEYS do
  for _, key in ipairs(redis.call('SMEMBERS', KEYS[i])) do redis.call('DEL', key) end
  redis.call('DEL', KEYS[i])
end
return 1
"""


class RedisResponses:
    """Responses in Redis under `erpgw:<model version>:responses:`, as hashes of body
    and media type; each tag a set of the responses that hold it."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._namespace = f"{PREFIX}:{MODEL_VERSION}:responses"
        self._epoch_key = f"{self._namespace}:epoch"
        self._put = redis.register_script(_PUT)
        self._invalidate = redis.register_script(_INVALIDATE)

    async def lookup(self, key: str) -> Lookup:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hmget(self._key(key), "b", "m")
            pipe.get(self._epoch_key)
            (body, media_type), epoch = await pipe.execute()
        return Lookup(body, (media_type or b"").decode(), int(epoch or 0))

    async def put(
        self,
        key: str,
        body: bytes,
        media_type: str,
        ttl_s: float,
        tags: Collection[str],
        epoch: int,
    ) -> bool:
        ttl = int(ttl_s)  # whole seconds, down: never past the records' own freshness
        if ttl <= 0:
            return False
        keys = [self._key(key), self._epoch_key, *(self._tag(t) for t in tags)]
        return bool(await self._put(keys=keys, args=[body, media_type, ttl, epoch]))

    async def invalidate(self, tags: Collection[str]) -> None:
        await self._invalidate(keys=[self._epoch_key, *(self._tag(t) for t in tags)])

    async def clear(self) -> None:
        await self._redis.incr(self._epoch_key)
        async for key in self._redis.scan_iter(match=f"{self._namespace}:[rt]:*", count=500):
            await self._redis.delete(key)

    async def close(self) -> None:
        await self._redis.aclose()

    def _key(self, key: str) -> str:
        return f"{self._namespace}:r:{key}"

    def _tag(self, tag: str) -> str:
        return f"{self._namespace}:t:{tag}"
