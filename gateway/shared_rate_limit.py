"""A backend's rate limit shared by every gateway process, through Redis.

Each process's own `TokenBucket` allows the full rate, so three processes in front of one
ERP would allow three times its limit. `RedisTokenBucket` keeps one bucket in Redis that
all of them draw from, refilled by Redis's own clock (one clock for every host), with
the same background reserve as the local bucket. If Redis cannot be reached, each
process falls back to its local bucket and says so once: a Redis outage must not stop
the gateway, and the ERP's 429s are still honoured.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from erp_backends.rate_limit import RateLimit, TokenBucket

log = logging.getLogger("erp_gateway.rate_limit")

# Refill by elapsed time, then take a token if more than `keep` are left; else answer how
# long until one is. Redis's TIME makes every process agree on the clock.
_TAKE = """
local rate, capacity, keep = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) + tonumber(time[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1]) or capacity
local updated = tonumber(state[2]) or now
if now > updated then
  tokens = math.min(capacity, tokens + (now - updated) * rate)
  updated = now
end
local wait = 0
if tokens >= 1 + keep then
  tokens = tokens - 1
else
  wait = (1 + keep - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(updated))
redis.call('EXPIRE', KEYS[1], ARGV[4])
return {tostring(wait), tostring(tokens)}
"""


class RedisTokenBucket:
    def __init__(
        self,
        redis: Redis,
        key: str,
        limit: RateLimit,
        *,
        reserve_share: float = 0.2,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._redis = redis
        self._key = key
        self._rate = limit.per_second
        self._capacity = float(limit.count)
        self._reserve = self._capacity * reserve_share
        # Long enough to outlive any refill; short enough not to linger once unused.
        self._ttl_s = max(60, int(limit.period_s * 2))
        self._take = redis.register_script(_TAKE)
        self._fallback = TokenBucket(limit, reserve_share=reserve_share)
        self._sleep = sleep  # injectable: a test learns the bucket would wait, without waiting
        self._warned = False
        self._seen: tuple[float, float] | None = None  # tokens left at the last take, and when

    async def acquire(self, *, background: bool = False) -> None:
        keep = self._reserve if background else 0.0
        while True:
            try:
                answer = await self._take(
                    keys=[self._key], args=[self._rate, self._capacity, keep, self._ttl_s]
                )
            except (RedisError, OSError) as exc:
                self._warn(exc)
                self._seen = None  # the local bucket holds the count meanwhile
                await self._fallback.acquire(background=background)
                return
            wait, tokens = (float(value) for value in answer)
            self._seen = (tokens, time.monotonic())
            if wait <= 0:
                return
            await self._sleep(wait)

    def headroom(self) -> float:
        """What the last take saw left, refilled since: other processes may have spent
        some meanwhile, which the next take learns."""
        if self._seen is None:  # nothing taken yet, or the last take fell back
            return self._fallback.headroom()
        tokens, seen_at = self._seen
        refilled = tokens + (time.monotonic() - seen_at) * self._rate
        return max(0.0, min(self._capacity, refilled)) / self._capacity

    def _warn(self, exc: Exception) -> None:
        if not self._warned:
            log.warning(
                "the shared rate limit %s is unreachable (%s); limiting this process on its own",
                self._key,
                type(exc).__name__,
            )
            self._warned = True


def bucket_key(role: str, url: str) -> str:
    """One bucket per backend system: the role and its URL (hashed, as it may be long)."""
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return f"erp-gateway:rate-limit:{role}:{digest}"
