"""Cache-aside behaviour, the same over memory and a real Redis (contract suite)."""

import asyncio
from decimal import Decimal

import pytest

from erp_backends.errors import BackendRequestError, BackendUnavailable
from erp_backends.models import Money, Product
from erp_backends.paging import Page
from gateway.cache.caching import DEFAULT_TTLS, CachePolicy, CacheStats, Caching
from gateway.cache.entities import Entity
from gateway.cache.freshness import STALE_READS, StaleRead
from gateway.cache.service import GatewayCache
from gateway.cache.store import RecordStore, open_cache


def product(key, price="9.50"):
    return Product(
        key, f"SKU-{key}", f"Product {key}", None, Money(Decimal(price), "EUR"), "C62", True
    )


class Backend:
    """A fake port method that counts its calls and can be made to fail or to stall."""

    def __init__(self):
        self.calls = []
        self.failure = None
        self.gate = None
        self.prices = {}

    async def fetch(self, keys):
        self.calls.append(sorted(keys))
        if self.gate is not None:
            await self.gate.wait()
        if self.failure is not None:
            raise self.failure
        return {k: product(k, self.prices.get(k, "9.50")) for k in keys if k != "missing"}


@pytest.fixture
def backend():
    return Backend()


PRODUCT, ORDERS = Entity.ERP_PRODUCT, Entity.ERP_ORDERS_BY_CUSTOMER


def caching(store, **ttls):
    policy = CachePolicy(ttls={Entity(f"erp.{name}"): s for name, s in ttls.items()}, stale_ttl=600)
    return Caching(store, policy, CacheStats())


async def test_a_second_lookup_is_served_from_the_cache(store, backend):
    cache = caching(store, product=60)
    first = await cache.by_keys(PRODUCT, ["1", "2"], backend.fetch, Product)
    second = await cache.by_keys(PRODUCT, ["2", "1", "3"], backend.fetch, Product)
    assert first == {"1": product("1"), "2": product("2")}
    assert second == {"1": product("1"), "2": product("2"), "3": product("3")}
    assert backend.calls == [["1", "2"], ["3"]]
    assert cache.stats.snapshot()["erp.product"] == {"hit": 2, "miss": 3, "stale": 0}


async def test_entries_expire_after_their_ttl(store, backend, clock):
    cache = caching(store, product=60)
    await cache.by_keys(PRODUCT, ["1"], backend.fetch, Product)
    clock.now += 61
    await cache.by_keys(PRODUCT, ["1"], backend.fetch, Product)
    assert backend.calls == [["1"], ["1"]]


async def test_ttl_zero_means_not_cached(store, backend):
    cache = caching(store, product=0)
    for _ in range(2):
        await cache.by_keys(PRODUCT, ["1"], backend.fetch, Product)
    assert backend.calls == [["1"], ["1"]]


class UnreachableStore(RecordStore):
    """A store whose every read and write fails, as a Redis that is down."""

    def __init__(self):
        super().__init__(open_cache("memory://"))

    async def get_many(self, keys, target):
        raise ConnectionError("the store was asked")

    async def counters(self, keys):
        raise ConnectionError("the store was asked")

    async def put_many(self, values, keep_s):
        raise ConnectionError("the store was asked")

    async def put_absent(self, keys, keep_s):
        raise ConnectionError("the store was asked")


async def test_an_entity_of_ttl_zero_never_asks_the_store(backend):
    """Neither its records nor its pages (nor their list's generation): an entity an
    operator does not cache is read even while the cache is down, and costs no key."""
    cache = caching(UnreachableStore(), product=0, orders_by_customer=0)
    assert await cache.by_keys(PRODUCT, ["1", "1", "2"], backend.fetch, Product) == {
        "1": product("1"),
        "2": product("2"),
    }

    async def pages(parents):
        return {p: Page((product(p),), 0, 1) for p in parents}

    found = await cache.pages(ORDERS, ["7", "7", "8"], "0+20", pages, Page[Product])
    assert found == {"7": Page((product("7"),), 0, 1), "8": Page((product("8"),), 0, 1)}
    assert backend.calls == [["1", "2"]]


async def test_unknown_keys_are_remembered_as_absent_for_their_ttl(store, backend, clock):
    cache = caching(store, product=60)
    assert await cache.by_keys(PRODUCT, ["missing"], backend.fetch, Product) == {}
    assert await cache.by_keys(PRODUCT, ["missing", "1"], backend.fetch, Product) == {
        "1": product("1")
    }
    clock.now += 61
    await cache.by_keys(PRODUCT, ["missing"], backend.fetch, Product)
    assert backend.calls == [["missing"], ["1"], ["missing"]]


async def until_all_missed(cache, lookups):
    """Until every lookup has missed the cache, and so joined the one fetch (a lookup
    counts its miss and joins without awaiting in between). A fixed sleep instead would
    race the lookups' trips to a slow Redis; the deadline only bounds a failure."""
    async with asyncio.timeout(30):
        while cache.stats.counts[PRODUCT, "miss"] < lookups:
            await asyncio.sleep(0.01)


async def test_concurrent_misses_for_the_same_key_make_one_call(store, backend):
    cache = caching(store, product=60)
    backend.gate = asyncio.Event()
    lookups = [
        asyncio.create_task(cache.by_keys(PRODUCT, ["1"], backend.fetch, Product))
        for _ in range(50)
    ]
    await until_all_missed(cache, 50)
    backend.gate.set()
    results = await asyncio.gather(*lookups)
    assert backend.calls == [["1"]]
    assert all(result == {"1": product("1")} for result in results)


async def test_a_failing_fetch_fails_its_waiters_too(store, backend):
    cache = caching(store, product=60)
    backend.gate, backend.failure = asyncio.Event(), BackendRequestError("no", backend="erp")
    lookups = [
        asyncio.create_task(cache.by_keys(PRODUCT, ["1"], backend.fetch, Product)) for _ in range(3)
    ]
    await until_all_missed(cache, 3)
    backend.gate.set()
    outcomes = await asyncio.gather(*lookups, return_exceptions=True)
    assert all(isinstance(o, BackendRequestError) for o in outcomes)
    assert backend.calls == [["1"]]


async def test_stale_entries_stand_in_for_a_failing_backend_and_are_reported(store, backend, clock):
    cache = caching(store, product=60)
    await cache.by_keys(PRODUCT, ["1"], backend.fetch, Product)
    clock.now += 300  # past the TTL, within the stale window
    backend.failure = BackendUnavailable("down", backend="erp")
    reads: list[StaleRead] = []
    token = STALE_READS.set(reads)
    try:
        found = await cache.by_keys(PRODUCT, ["1"], backend.fetch, Product)
    finally:
        STALE_READS.reset(token)
    assert found == {"1": product("1")}
    assert [(r.backend, r.entity, r.key, round(r.age_s)) for r in reads] == [
        ("erp", "product", "1", 300)
    ]
    assert cache.stats.snapshot()["erp.product"]["stale"] == 1


async def test_without_a_stale_copy_the_outage_is_raised(store, backend):
    cache = caching(store, product=60)
    backend.failure = BackendUnavailable("down", backend="erp")
    with pytest.raises(BackendUnavailable):
        await cache.by_keys(PRODUCT, ["1"], backend.fetch, Product)


async def test_an_invalidated_record_is_fetched_again(store, backend):
    cache = caching(store, product=60)
    await cache.by_keys(PRODUCT, ["1", "2"], backend.fetch, Product)
    backend.prices["1"] = "12.00"
    await cache.invalidate(PRODUCT, ["1"])
    found = await cache.by_keys(PRODUCT, ["1", "2"], backend.fetch, Product)
    assert found["1"].list_price.amount == Decimal("12.00")
    assert backend.calls == [["1", "2"], ["1"]]


async def test_invalidating_a_list_drops_all_its_pages(store):
    cache = caching(store, orders_by_customer=60)
    calls = []

    async def pages(parents):
        calls.append(parents)
        return {p: Page((product(p),), 0, len(calls)) for p in parents}

    for page_key in ("0+20", "20+20", "0+20"):
        await cache.pages(ORDERS, ["7", "8"], page_key, pages, Page[Product])
    assert len(calls) == 2
    await cache.invalidate_lists(ORDERS, ["7"])
    again = await cache.pages(ORDERS, ["7", "8"], "0+20", pages, Page[Product])
    assert calls[-1] == ["7"]
    assert again["7"].total == 3
    assert again["8"].total == 1


async def test_an_entry_of_another_model_version_is_not_read(store, backend, clock):
    cache = caching(store, product=60)
    await cache.by_keys(PRODUCT, ["1"], backend.fetch, Product)
    other_version = RecordStore(store._cache, clock=clock)  # same backend, another deploy
    other_version.namespace = "erpgw:000000000000"
    other = Caching(other_version, cache.policy, CacheStats())
    await other.by_keys(PRODUCT, ["1"], backend.fetch, Product)
    assert backend.calls == [["1"], ["1"]]
    await other_version.clear()


async def test_entries_stay_under_role_and_name_where_clearing_an_entity_finds_them(store, backend):
    # "<role>:<name>" in the key, as before entities were an enum: a shared Redis keeps
    # serving what an older gateway stored, and `cache clear --entity` finds it
    cache = GatewayCache(store, CachePolicy(stale_ttl=600))
    await cache.caching.by_keys(PRODUCT, ["1"], backend.fetch, Product)
    await cache.caching.by_keys(Entity.ERP_PRODUCT_BY_SKU, ["1"], backend.fetch, Product)
    assert await store.get_many([store.key("erp", "product", "1")], Product)
    await cache.clear(PRODUCT)
    assert not await store.get_many([store.key("erp", "product", "1")], Product)
    assert await store.get_many([store.key("erp", "product_by_sku", "1")], Product)


def test_every_entity_has_a_default_ttl_and_a_role_dot_name_value():
    assert list(DEFAULT_TTLS) == list(Entity)
    for entity in Entity:
        assert entity.value == f"{entity.role}.{entity.local_name}"
        assert entity.role in ("erp", "crm", "shop")


def test_only_redis_calls_run_under_a_timeout():
    """aiocache runs a call with a timeout under `asyncio.wait_for`, a task per call:
    a bound on a Redis that hangs, a cost for nothing on a dict."""
    assert open_cache("memory://").timeout is None
    assert open_cache("redis://127.0.0.1:6379/0").timeout == 5
