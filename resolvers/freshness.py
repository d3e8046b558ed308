"""Stale reads reported to the client.

The cache appends a `StaleRead` to `STALE_READS` when it stands in for a failing
backend (`gateway/cache/freshness.py`); `StaleReport` gives each operation a fresh list
and reports it in the response, so a client can tell data that may be out of date:

    "extensions": {"stale": [{"backend": "erp", "entity": "order", "id": "42",
                              "ageSeconds": 75}]}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from strawberry.extensions import SchemaExtension

from gateway.cache.freshness import STALE_READS, StaleRead


class StaleReport(SchemaExtension):
    def __init__(self) -> None:
        self.reads: list[StaleRead] = []

    def on_operation(self) -> Iterator[None]:
        token = STALE_READS.set(self.reads)
        try:
            yield
        finally:
            STALE_READS.reset(token)

    def get_results(self) -> dict[str, Any]:
        if not self.reads:
            return {}
        return {
            "stale": [
                {
                    "backend": r.backend,
                    "entity": r.entity,
                    "id": r.key,
                    "ageSeconds": round(r.age_s, 1),
                }
                for r in self.reads
            ]
        }
