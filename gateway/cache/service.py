"""The gateway's cache: one per process, shared through Redis when configured.

It wraps the ports so that loaders read through it, takes invalidations from mutations
and webhooks, and keeps hit and miss counts per entity for metrics.
"""

from __future__ import annotations

from collections.abc import Sequence

from erp_backends.ports import CrmBackend, ErpBackend, ShopBackend
from gateway.cache.caching import CachePolicy, CacheStats, Caching
from gateway.cache.ports import CachedCrm, CachedErp, CachedShop
from gateway.cache.store import RecordStore


class GatewayCache:
    def __init__(self, store: RecordStore, policy: CachePolicy) -> None:
        self.store = store
        self.policy = policy
        self.stats = CacheStats()
        self._roles: dict[str, Caching] = {}

    def caching(self, role: str) -> Caching:
        if role not in self._roles:
            self._roles[role] = Caching(self.store, role, self.policy, self.stats)
        return self._roles[role]

    def erp(self, erp: ErpBackend) -> ErpBackend:
        return CachedErp(erp, self.caching("erp"))

    def crm(self, crm: CrmBackend) -> CrmBackend:
        return CachedCrm(crm, self.caching("crm"))

    def shop(self, shop: ShopBackend) -> ShopBackend:
        return CachedShop(shop, self.caching("shop"))

    async def invalidate(self, role: str, entity: str, keys: Sequence[str]) -> None:
        """Forget these records, e.g. `invalidate("erp", "order", ["42"])`."""
        await self.caching(role).invalidate(entity, keys)

    async def invalidate_lists(self, role: str, entity: str, parents: Sequence[str]) -> None:
        """Forget every page of these lists, e.g. a customer's orders after a new order:
        `invalidate_lists("erp", "orders_by_customer", ["7"])`."""
        await self.caching(role).invalidate_lists(entity, parents)

    async def clear(self, entity: str | None = None) -> None:
        """Forget everything, or one "<role>.<entity>" (e.g. "erp.stock")."""
        await self.store.clear(*entity.split(".", 1)) if entity else await self.store.clear()
