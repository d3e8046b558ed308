"""Rate limits written as "<count>/<period>", e.g. "100/second" or "100/minute".

The same syntax configures a backend's `rate_limit` in gateway.toml and the
emulators' `--rate-limit` option. `TokenBucket` enforces one on the calling side.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

_PERIODS = {"second": 1.0, "minute": 60.0, "hour": 3600.0}
_PATTERN = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour)s?\s*$")


@dataclass(frozen=True, slots=True)
class RateLimit:
    count: int
    period_s: float

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        match = _PATTERN.match(text)
        if match is None or int(match.group(1)) == 0:
            raise ValueError(
                f"invalid rate limit {text!r}: expected '<count>/<second|minute|hour>' "
                "with a positive count, e.g. '100/minute'"
            )
        return cls(int(match.group(1)), _PERIODS[match.group(2)])

    @property
    def per_second(self) -> float:
        return self.count / self.period_s

    def __str__(self) -> str:
        unit = next(name for name, seconds in _PERIODS.items() if seconds == self.period_s)
        return f"{self.count}/{unit}"


class RateLimiter(Protocol):
    """Anything that makes a caller wait for its turn: `TokenBucket` in one process,
    or a bucket that several processes share."""

    async def acquire(self, *, background: bool = False) -> None: ...

    def headroom(self) -> float:
        """The share of the burst free now, 0 to 1: how freely callers may spend (cache
        misses gather into fewer calls as it runs out)."""
        ...


class TokenBucket:
    """Allows `limit.count` calls per period, in bursts of at most `limit.count`.

    `acquire` waits until a token is free; `try_acquire` answers at once and says how
    long the caller would have to wait.

    Background callers (the command worker draining writes) leave `reserve_share` of the
    bucket to everyone else: they take a token only while more than that reserve is
    left. A drain then runs at the full rate while nobody else calls, and a user's read
    or a mutation's validation never queues behind a backlog of writes.
    """

    def __init__(
        self,
        limit: RateLimit,
        *,
        reserve_share: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = limit.per_second
        self._capacity = float(limit.count)
        self._reserve = self._capacity * reserve_share
        self._clock = clock  # injectable: a test decides how much time passes between calls
        self._tokens = self._capacity
        self._updated = clock()
        self._lock = asyncio.Lock()
        self._background_lock = asyncio.Lock()

    def try_acquire(self, *, keep: float = 0.0) -> float:
        """Take a token if one is free beyond `keep` and return 0, else return seconds
        until one is."""
        now = self._clock()
        self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self._rate)
        self._updated = now
        if self._tokens >= 1 + keep:
            self._tokens -= 1
            return 0.0
        return (1 + keep - self._tokens) / self._rate

    def headroom(self) -> float:
        now = self._clock()
        tokens = min(self._capacity, self._tokens + (now - self._updated) * self._rate)
        return max(0.0, tokens) / self._capacity

    async def acquire(self, *, background: bool = False) -> None:
        # One queue per class: a waiting background call must not hold up the others.
        keep, lock = (self._reserve, self._background_lock) if background else (0.0, self._lock)
        async with lock:
            while (wait := self.try_acquire(keep=keep)) > 0:
                await asyncio.sleep(wait)
