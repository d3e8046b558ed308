"""The response cache's stores (in memory and in a real Redis) and what a response
records of the reads it was built from."""

from decimal import Decimal

import pytest
from redis.asyncio import Redis

from erp_backends.errors import BackendUnavailable
from erp_backends.models import Money, Product
from gateway.cache.caching import CachePolicy, CacheStats, Caching
from gateway.cache.entities import Entity
from gateway.cache.response_reads import RESPONSE_READS, ResponseReads, tag
from gateway.cache.responses import MemoryResponses, RedisResponses
from gateway.config import ConfigError, ResponseCacheSettings, settings_from_dict

BODY = b'{"data":{"products":[]}}'
MEDIA = "application/graphql-response+json"


async def fetch(keys):
    return {
        key: Product(key, f"SKU-{key}", "P", None, Money(Decimal(1), "EUR"), "C62", True)
        for key in keys
    }


async def failing(keys):
    raise BackendUnavailable("down", backend="erp")


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.slow)])
async def responses(request, clock):
    if request.param == "memory":
        yield MemoryResponses(1_000_000, clock=clock)
        return
    store = RedisResponses(Redis.from_url(request.getfixturevalue("redis_url")))
    await store.clear()
    yield store
    await store.clear()
    await store.close()


async def test_a_kept_response_is_found_with_its_media_type(responses):
    epoch = (await responses.lookup("k")).epoch
    assert await responses.put("k", BODY, MEDIA, 60, {"erp.product:1"}, epoch)
    found = await responses.lookup("k")
    assert (found.body, found.media_type) == (BODY, MEDIA)
    assert (await responses.lookup("other")).body is None


async def test_an_invalidation_evicts_the_responses_of_its_tags_only(responses):
    epoch = (await responses.lookup("a")).epoch
    await responses.put("a", BODY, MEDIA, 60, {"erp.stock:1", "erp.stock:2"}, epoch)
    await responses.put("b", BODY, MEDIA, 60, {"erp.stock:3"}, epoch)
    await responses.invalidate(["erp.stock:2"])
    assert (await responses.lookup("a")).body is None
    assert (await responses.lookup("b")).body == BODY


async def test_a_response_built_across_an_invalidation_is_not_kept(responses):
    """It may hold a record read before the invalidation evicted it."""
    epoch = (await responses.lookup("k")).epoch
    await responses.invalidate(["erp.stock:9"])  # any invalidation, while the query ran
    assert not await responses.put("k", BODY, MEDIA, 60, {"erp.stock:1"}, epoch)
    assert (await responses.lookup("k")).body is None
    fresh = (await responses.lookup("k")).epoch
    assert await responses.put("k", BODY, MEDIA, 60, {"erp.stock:1"}, fresh)


async def test_clear_forgets_every_response(responses):
    epoch = (await responses.lookup("k")).epoch
    await responses.put("k", BODY, MEDIA, 60, {"erp.stock:1"}, epoch)
    await responses.clear()
    assert (await responses.lookup("k")).body is None


async def test_memory_responses_expire_on_their_clock(clock):
    responses = MemoryResponses(1_000_000, clock=clock)
    await responses.put("k", BODY, MEDIA, 30, {"erp.stock:1"}, 0)
    clock.now += 29.9
    assert (await responses.lookup("k")).body == BODY
    clock.now += 0.1
    assert (await responses.lookup("k")).body is None
    assert len(responses) == 0


async def test_memory_responses_keep_to_their_bound_least_recently_used_first(clock):
    responses = MemoryResponses(4_000, clock=clock)
    body = b"x" * 500
    for key in "abcdef":
        await responses.put(key, body, MEDIA, 60, {f"t:{key}"}, 0)
        await responses.lookup("a")  # "a" stays in use
    assert responses.size_bytes <= 4_000
    assert (await responses.lookup("a")).body == body
    assert (await responses.lookup("b")).body is None  # the least recently used went first
    assert (await responses.lookup("f")).body == body
    # One answer may not take more than a quarter of the bound.
    assert not await responses.put("big", b"x" * 1_200, MEDIA, 60, {"t:big"}, 0)
    await responses.invalidate(["t:a", "t:b", "t:c", "t:d", "t:e", "t:f"])
    assert (len(responses), responses.size_bytes) == (0, 0)


async def test_reads_record_their_tags_and_the_earliest_expiry(store, clock):
    caching = Caching(store, CachePolicy(ttls={Entity.ERP_PRODUCT: 60}), CacheStats())
    await caching.by_keys(Entity.ERP_PRODUCT, ["1"], fetch, Product)
    clock.now += 50
    reads = ResponseReads()
    token = RESPONSE_READS.set(reads)
    try:
        await caching.by_keys(Entity.ERP_PRODUCT, ["1", "2"], fetch, Product)  # 2 is fetched
    finally:
        RESPONSE_READS.reset(token)
    assert reads.tags == {tag(Entity.ERP_PRODUCT, "1"), tag(Entity.ERP_PRODUCT, "2")}
    assert reads.expires_at == clock.now - 50 + 60  # when "1", stored 50 s ago, goes stale
    assert reads.refusal is None


async def test_an_uncached_entity_or_a_stale_read_is_not_kept(store, clock):
    caching = Caching(store, CachePolicy(ttls={Entity.ERP_PRODUCT: 0}), CacheStats())
    reads = ResponseReads()
    token = RESPONSE_READS.set(reads)
    try:
        await caching.by_keys(Entity.ERP_PRODUCT, ["1"], fetch, Product)
    finally:
        RESPONSE_READS.reset(token)
    assert reads.refusal == "erp.product is not cached"

    caching = Caching(store, CachePolicy(ttls={Entity.ERP_PRODUCT: 10}), CacheStats())
    await caching.by_keys(Entity.ERP_PRODUCT, ["7"], fetch, Product)
    clock.now += 20
    reads = ResponseReads()
    token = RESPONSE_READS.set(reads)
    try:
        await caching.by_keys(Entity.ERP_PRODUCT, ["7"], failing, Product)
    finally:
        RESPONSE_READS.reset(token)
    assert reads.refusal == "stale erp.product served while the backend fails"


def test_the_response_cache_is_configured_under_cache_responses():
    base = {
        "backends": {
            "erp": {
                "kind": "odoo",
                "url": "http://erp.test",
                "database": "demo",
                "credentials_env": "K",
            }
        }
    }
    environ = {"K": "secret", "ERP_GATEWAY_JWT_SECRET": "x" * 32}
    assert settings_from_dict(base, environ).cache.responses == ResponseCacheSettings()
    configured = {**base, "cache": {"responses": {"enabled": False, "max_bytes": 1024}}}
    settings = settings_from_dict(configured, environ).cache.responses
    assert (settings.enabled, settings.max_bytes) == (False, 1024)
    with pytest.raises(ConfigError, match=r"cache\.responses\.ttl"):
        settings_from_dict({**base, "cache": {"responses": {"ttl": 5}}}, environ)
    with pytest.raises(ConfigError, match=r"cache\.responses\.max_bytes"):
        settings_from_dict({**base, "cache": {"responses": {"max_bytes": 0}}}, environ)
