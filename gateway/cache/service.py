"""The gateway's cache: one per process, shared through Redis when configured.

It wraps the ports (each read as `gateway.cache.reads` declares it) so that loaders read
through it, takes invalidations from mutations and webhooks, and keeps hit and miss
counts per entity for metrics. Whole responses built from those records (the response
cache, `responses`) are evicted by the same invalidations.
"""

from __future__ import annotations

from collections.abc import Sequence

from erp_backends.ports import CrmBackend, ErpBackend, ShopBackend
from gateway.cache.caching import CachePolicy, CacheStats, Caching
from gateway.cache.entities import Entity
from gateway.cache.misses import Budget, unlimited
from gateway.cache.ports import cached
from gateway.cache.reads import CRM, ERP, SHOP
from gateway.cache.response_reads import tag
from gateway.cache.responses import ResponseStore
from gateway.cache.store import RecordStore


class GatewayCache:
    def __init__(
        self, store: RecordStore, policy: CachePolicy, responses: ResponseStore | None = None
    ) -> None:
        self.store = store
        self.policy = policy
        self.responses = responses  # None: the response cache is off
        self.stats = CacheStats()
        self.caching = Caching(self.store, self.policy, self.stats)

    # `budget`: the share of the backend's rate limit left (`BackendHttp.headroom`); the
    # misses of concurrent requests gather into fewer calls as it runs out.

    def erp(self, erp: ErpBackend, budget: Budget = unlimited) -> ErpBackend:
        return cached(erp, ERP, self.caching, budget)

    def crm(self, crm: CrmBackend, budget: Budget = unlimited) -> CrmBackend:
        return cached(crm, CRM, self.caching, budget)

    def shop(self, shop: ShopBackend, budget: Budget = unlimited) -> ShopBackend:
        return cached(shop, SHOP, self.caching, budget)

    async def invalidate(self, entity: Entity, keys: Sequence[str]) -> None:
        """Forget these records, e.g. `invalidate(Entity.ERP_ORDER, ["42"])`, and every
        response that holds one."""
        await self.caching.invalidate(entity, keys)
        if self.responses is not None:
            await self.responses.invalidate([tag(entity, key) for key in keys])

    async def invalidate_lists(self, entity: Entity, parents: Sequence[str]) -> None:
        """Forget every page of these lists, e.g. a customer's orders after a new order:
        `invalidate_lists(Entity.ERP_ORDERS_BY_CUSTOMER, ["7"])`, and every response that
        holds a page of one."""
        await self.caching.invalidate_lists(entity, parents)
        if self.responses is not None:
            await self.responses.invalidate([tag(entity, parent) for parent in parents])

    async def clear(self, entity: Entity | None = None) -> None:
        """Forget everything, or one entity (and every response, which may hold it)."""
        if self.responses is not None:
            await self.responses.clear()
        if entity is None:
            await self.store.clear()
        else:
            await self.store.clear(entity.role, entity.local_name)
