"""Stale reads: records served from the cache past their TTL because a backend failed.

The cache appends a `StaleRead` to `STALE_READS` when it stands in for a failing
backend. The GraphQL layer (`resolvers/freshness.py`) gives each operation a fresh list
and reports it in the response, so a client can tell data that may be out of date.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StaleRead:
    backend: str
    entity: str
    key: str
    age_s: float


STALE_READS: ContextVar[list[StaleRead] | None] = ContextVar("stale_reads", default=None)
