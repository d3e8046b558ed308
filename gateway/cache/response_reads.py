"""What a GraphQL response was built from, for the response cache.

While the response cache runs a request it sets `RESPONSE_READS` to a fresh
`ResponseReads`; each cached read of a record or list (`Caching`) adds the entity and
keys it read, which become the response's tags, and when the earliest of them goes past
its TTL, which bounds the response's own. A response is kept only if everything in it
came through such reads: whatever else a resolver answers from (the principal's own
identity, the command queue, an uncached entity, a stale entry standing in for a
failing backend) calls `not_cacheable`, and so does a mutation.

A response therefore holds nothing the record cache would not serve at the same
moment, and the invalidations that evict those records (`GatewayCache.invalidate`,
`invalidate_lists`) evict it by its tags.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field

from gateway.cache.entities import Entity


@dataclass
class ResponseReads:
    expires_at: float = math.inf  # unix time when the first record read goes stale
    tags: set[str] = field(default_factory=set)
    refusal: str | None = None  # why the response may not be kept, if it may not

    def record(self, entity: Entity, keys: Iterable[str], expires_at: float) -> None:
        self.tags.update(tag(entity, key) for key in keys)
        self.expires_at = min(self.expires_at, expires_at)

    def refuse(self, reason: str) -> None:
        if self.refusal is None:
            self.refusal = reason


RESPONSE_READS: ContextVar[ResponseReads | None] = ContextVar("response_reads", default=None)


def tag(entity: Entity, key: str) -> str:
    """What a response that read `key` of `entity` is tagged with; an invalidation of
    that record, or of every page of that parent's list, evicts it."""
    return f"{entity.value}:{key}"


def record_read(entity: Entity, keys: Iterable[str], expires_at: float) -> None:
    reads = RESPONSE_READS.get()
    if reads is not None:
        reads.record(entity, keys, expires_at)


def not_cacheable(reason: str) -> None:
    """The response being built holds something no cached read answered (`reason`
    says what, for the logs and tests): it is not kept."""
    reads = RESPONSE_READS.get()
    if reads is not None:
        reads.refuse(reason)
