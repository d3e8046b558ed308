"""Weighted draws, shared by the world and every system's own seed."""

from __future__ import annotations

import random
from bisect import bisect
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    """A weighted draw, its cumulative weights summed once (the seed draws 50,000 times)."""

    def __init__(self, *pairs: tuple[T, float]) -> None:
        self.values = [value for value, _weight in pairs]
        self.cumulative = list(accumulate(weight for _value, weight in pairs))

    def pick(self, rng: random.Random) -> T:
        # What rng.choices(values, weights)[0] draws, without summing weights each time.
        return self.values[bisect(self.cumulative, rng.random() * self.cumulative[-1])]
