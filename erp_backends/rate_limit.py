"""Rate limits written as "<count>/<period>", e.g. "100/second" or "100/minute".

The same syntax configures a backend's `rate_limit` in gateway.toml and the
emulators' `--rate-limit` option. `TokenBucket` enforces one on the calling side.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass

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


class TokenBucket:
    """Allows `limit.count` calls per period, in bursts of at most `limit.count`.

    `acquire` waits until a token is free; `try_acquire` answers at once and says how
    long the caller would have to wait.
    """

    def __init__(self, limit: RateLimit) -> None:
        self._rate = limit.per_second
        self._capacity = float(limit.count)
        self._tokens = self._capacity
        self._updated = time.monotonic()
        self._lock = asyncio.Lock()

    def try_acquire(self) -> float:
        """Take a token if one is free and return 0, else return seconds until one is."""
        now = time.monotonic()
        self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self._rate)
        self._updated = now
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        return (1 - self._tokens) / self._rate

    async def acquire(self) -> None:
        async with self._lock:
            while (wait := self.try_acquire()) > 0:
                await asyncio.sleep(wait)
