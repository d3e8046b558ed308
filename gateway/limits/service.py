"""Opens the client limiter for the life of the app: in Redis when `[cache] url` is
redis:// (shared by every process and host), else in this process's memory."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import AsyncExitStack

from redis.asyncio import Redis

from gateway.limits.buckets import Buckets, MemoryBuckets
from gateway.limits.clients import ClientLimiter
from gateway.limits.redis_buckets import RedisBuckets
from gateway.limits.settings import LimitsSettings
from gateway.secrets import Secret

log = logging.getLogger("erp_gateway.rate_limit")

# A take is one short script: a Redis slower than this is treated as down (each process
# then limits on its own) rather than holding every request up.
REDIS_TIMEOUT_S = 1.0


async def open_limits(
    settings: LimitsSettings,
    stack: AsyncExitStack,
    *,
    cache_url: str,
    cache_password: Secret | None = None,
    clock: Callable[[], float] | None = None,
    processes: int = 1,
    on_refused: Callable[[str], None] | None = None,
) -> ClientLimiter | None:
    """The limiter, or None when `[limits] enabled = false`. `clock`: the buckets' time
    (tests); by default Redis's TIME, or the monotonic clock in memory. `on_refused`:
    called with the principal's kind for each refused request (the metrics)."""
    if not settings.enabled:
        return None
    buckets: Buckets
    if cache_url.startswith(("redis://", "rediss://")):
        redis = Redis.from_url(
            cache_url,
            password=None if cache_password is None else cache_password.reveal(),
            socket_connect_timeout=REDIS_TIMEOUT_S,
            socket_timeout=REDIS_TIMEOUT_S,
        )
        stack.push_async_callback(redis.aclose)
        buckets = RedisBuckets(redis, clock=clock)
    else:
        buckets = MemoryBuckets(clock=clock or time.monotonic)
        if processes > 1:
            log.warning(
                "client rate limits are kept per process without Redis: %d processes allow "
                "a client up to %d times its rate; set [cache] url = redis://... to share them",
                processes,
                processes,
            )
    limiter = (
        ClientLimiter(settings, buckets)
        if on_refused is None
        else ClientLimiter(settings, buckets, on_refused=on_refused)
    )
    stack.push_async_callback(limiter.close)
    return limiter
