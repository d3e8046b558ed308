"""Token buckets by key: the port, its answer, and the buckets of one process.

A bucket holds up to `limit.count` tokens and refills at `limit.count` per period; a
request takes its tokens all at once or none at all (a refused request takes nothing).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from erp_backends.rate_limit import RateLimit

# Buckets kept in one process: one per client seen within about a period. Past this the
# least recently used goes; it has refilled the longest, so forgetting it costs nothing
# or lets one client a few tokens early, while a flood of addresses cannot fill memory.
MAX_BUCKETS = 100_000


@dataclass(frozen=True, slots=True)
class Decision:
    """One take's answer, and what the RateLimit-* headers of the answer say."""

    allowed: bool
    limit: int  # the bucket's size: RateLimit-Limit
    tokens: float  # left after the take
    rate: float  # tokens per second
    wanted: int = 1

    @property
    def remaining(self) -> int:
        return max(0, math.floor(self.tokens))

    @property
    def reset_s(self) -> int:
        """Seconds until the bucket is full again: RateLimit-Reset."""
        return max(0, math.ceil((self.limit - self.tokens) / self.rate))

    @property
    def retry_after_s(self) -> int:
        """Seconds until the refused tokens are there: Retry-After (at least 1)."""
        return max(1, math.ceil((self.wanted - self.tokens) / self.rate))


def decided(limit: RateLimit, tokens: float, wanted: int, allowed: bool) -> Decision:
    return Decision(allowed, limit.count, tokens, limit.per_second, wanted)


class Buckets(Protocol):
    """Where the buckets live: this process (`MemoryBuckets`) or Redis (`RedisBuckets`)."""

    async def take(self, key: str, limit: RateLimit, tokens: int) -> Decision:
        """Take `tokens` from the bucket `key` (full when new) if it holds them."""
        ...

    async def close(self) -> None: ...


class MemoryBuckets:
    """The buckets of one process; `clock` (seconds, monotonic) is injectable so that a
    test decides how much time passes."""

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, max_buckets: int = MAX_BUCKETS
    ) -> None:
        self._clock = clock
        self._max = max_buckets
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, when

    async def take(self, key: str, limit: RateLimit, tokens: int) -> Decision:
        return self.take_now(key, limit, tokens)

    def take_now(self, key: str, limit: RateLimit, tokens: int) -> Decision:
        """`take` without awaiting: nothing else runs between the read and the write."""
        now = self._clock()
        held, updated = self._buckets.pop(key, (float(limit.count), now))
        held = min(float(limit.count), held + max(0.0, now - updated) * limit.per_second)
        allowed = held >= tokens
        if allowed:
            held -= tokens
        self._buckets[key] = (held, now)
        if len(self._buckets) > self._max:
            self._buckets.popitem(last=False)
        return decided(limit, held, tokens, allowed)

    async def close(self) -> None:
        self._buckets.clear()
