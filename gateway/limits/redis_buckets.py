"""Client buckets in Redis, shared by every gateway process on every host.

One Lua script per take: the refill, the check and the take happen atomically in Redis,
so twenty concurrent requests at a limit of ten get exactly ten tokens, whichever
process each reaches. Time is Redis's own (TIME: one clock for every host) unless the
buckets are given a clock (tests).

Redis down: the gateway fails open to each process's own buckets (`MemoryBuckets`) and
logs it once, then once more when Redis answers again. A Redis outage must not take the
API down, and each process still holds every client to its rate; what is lost meanwhile
is only the sharing (N processes allow up to N times a client's rate). After a failure
Redis is tried again every `RETRY_S`, one request at a time, so that an unreachable
Redis does not add its timeout to every request.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from erp_backends.rate_limit import RateLimit
from gateway.limits.buckets import Decision, MemoryBuckets, decided

log = logging.getLogger("erp_gateway.rate_limit")

RETRY_S = 5.0  # after a failure, Redis is tried again this long after

# KEYS: the bucket. ARGV: rate (tokens a second), capacity, tokens wanted, TTL (s), and
# now in seconds ("" for Redis's TIME). -> {1 if taken else 0, tokens left}.
# A bucket that is absent is full: a key expires once its bucket has refilled.
TAKE = """
local rate, capacity, wanted = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local now = tonumber(ARGV[5])
if not now then
  local time = redis.call('TIME')
  now = tonumber(time[1]) + tonumber(time[2]) / 1000000
end
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1]) or capacity
local updated = tonumber(state[2]) or now
if now > updated then
  tokens = tokens + (now - updated) * rate
  updated = now
end
tokens = math.min(capacity, tokens)
local taken = 0
if tokens >= wanted then
  tokens = tokens - wanted
  taken = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(updated))
redis.call('EXPIRE', KEYS[1], ARGV[4])
return {taken, tostring(tokens)}
"""


class RedisBuckets:
    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str = "erp-gateway:client-rate",
        clock: Callable[[], float] | None = None,
        fallback: MemoryBuckets | None = None,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._clock = clock
        self._take = redis.register_script(TAKE)
        self._fallback = fallback or MemoryBuckets(clock=clock or time.monotonic)
        self._down = False  # logged as down; until it answers again
        self._retry_at = 0.0  # monotonic: when to try Redis again
        self._probing = False

    async def take(self, key: str, limit: RateLimit, tokens: int) -> Decision:
        if self._down and (self._probing or time.monotonic() < self._retry_at):
            return self._fallback.take_now(key, limit, tokens)
        self._probing = self._down
        try:
            answer = await self._take(keys=[self.key(key)], args=self._args(limit, tokens))
        except (RedisError, OSError) as exc:
            self._went_down(exc)
            return self._fallback.take_now(key, limit, tokens)
        finally:
            self._probing = False
        if self._down:
            self._down = False
            log.warning("client rate limits: Redis answers again; limits are shared again")
        taken, left = answer
        return decided(limit, float(left), tokens, bool(int(taken)))

    async def close(self) -> None:
        await self._fallback.close()

    def key(self, key: str) -> str:
        """Hashed: a client's key holds a JWT subject, as long as its sender likes."""
        return f"{self._prefix}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"

    def _args(self, limit: RateLimit, tokens: int) -> list[str | float | int]:
        now = "" if self._clock is None else repr(self._clock())
        ttl = math.ceil(limit.period_s) + 1  # refilled by then: the absent key is as good
        return [repr(limit.per_second), limit.count, tokens, ttl, now]

    def _went_down(self, exc: Exception) -> None:
        self._retry_at = time.monotonic() + RETRY_S
        if not self._down:
            self._down = True
            log.warning(
                "client rate limits: Redis is unreachable (%s); each process limits its "
                "clients on its own until it answers",
                type(exc).__name__,
            )
