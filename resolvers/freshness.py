"""Stale reads: records served from the cache past their TTL because a backend failed.

The cache appends a `StaleRead` to `STALE_READS` when it stands in for a failing
backend; `StaleReport` gives each operation a fresh list and reports it in the
response, so a client can tell data that may be out of date:

    "extensions": {"stale": [{"backend": "erp", "entity": "order", "id": "42",
                              "ageSeconds": 75}]}
"""

from __future__ import annotations

from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from strawberry.extensions import SchemaExtension


@dataclass(frozen=True, slots=True)
class StaleRead:
    backend: str
    entity: str
    key: str
    age_s: float


STALE_READS: ContextVar[list[StaleRead] | None] = ContextVar("stale_reads", default=None)


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
                {"backend": r.backend, "entity": r.entity, "id": r.key,
                 "ageSeconds": round(r.age_s, 1)}
                for r in self.reads
            ]
        }  # fmt: skip
