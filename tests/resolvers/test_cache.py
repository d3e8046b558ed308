"""The shared cache through the gateway over HTTP, with a real Redis where it is shared."""

import asyncio
import base64
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, ExitStack
from dataclasses import replace

import pytest

from erp_backends.emulation.faults import FaultOptions
from erp_backends.odoo import emulator
from gateway.cache.caching import DEFAULT_TTLS
from gateway.cache.entities import Entity
from gateway.cache.store import RecordStore, open_cache
from gateway.config import CacheSettings
from gateway.wiring.backends import open_gateway_cache
from tests.harness import EmulatorCalls, data_of, graphql, odoo_settings, running_gateway
from tests.servers import serve_in_thread

QUERY = """
query C($id: ID!) {
  customer(id: $id) {
    name
    orders(first: 10) { nodes { id number lines { quantity { value } product { sku } } } }
  }
}
"""


def cached(url, cache_url, ttls=None):
    policy = {**DEFAULT_TTLS, **(ttls or {})}
    return replace(odoo_settings(url), cache=CacheSettings(url=cache_url, ttls=policy))


def clear(cache_url):
    async def run():
        store = RecordStore(open_cache(cache_url))
        await store.clear()
        await store.close()

    asyncio.run(run())


@pytest.fixture
def redis(redis_url):
    clear(redis_url)
    yield redis_url
    clear(redis_url)


@pytest.fixture
def calls(odoo_emulator_url):
    counter = EmulatorCalls(odoo_emulator_url)
    counter.reset()
    return counter


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_a_second_identical_query_makes_no_backend_call(
    request, backend, odoo_emulator_url, customer_id, calls
):
    cache_url = "memory://" if backend == "memory" else request.getfixturevalue("redis")
    with running_gateway(cached(odoo_emulator_url, cache_url)) as gateway:
        first = data_of(graphql(gateway, QUERY, {"id": customer_id}))
        cold = calls.total()
        second = data_of(graphql(gateway, QUERY, {"id": customer_id}))
    assert cold > 0
    assert calls.total() == cold
    assert second == first


def test_two_gateways_sharing_redis_share_hits(redis, odoo_emulator_url, customer_id, calls):
    settings = cached(odoo_emulator_url, redis)
    with running_gateway(settings) as one, running_gateway(settings) as two:
        data_of(graphql(one, QUERY, {"id": customer_id}))
        cold = calls.total()
        data_of(graphql(two, QUERY, {"id": customer_id}))
    assert calls.total() == cold


def test_an_invalidated_record_is_fetched_again(redis, odoo_emulator_url, customer_id, calls):
    # Given a warm cache shared through Redis
    with running_gateway(cached(odoo_emulator_url, redis)) as gateway:
        data_of(graphql(gateway, QUERY, {"id": customer_id}))
        calls.reset()

        # When another process (a webhook, a mutation) invalidates the customer's order list
        async def invalidate():
            async with AsyncExitStack() as stack:
                cache = await open_gateway_cache(CacheSettings(url=redis), stack)
                key = _key(customer_id)
                await cache.invalidate_lists(Entity.ERP_ORDERS_BY_CUSTOMER, [key])

        asyncio.run(invalidate())
        data_of(graphql(gateway, QUERY, {"id": customer_id}))
    # Then only that list is read again (one customer's page, without a count: the query
    # has no totalCount; its orders are that customer's, no account is read); the
    # customer and the order lines still come from the cache
    fetched = calls.snapshot()["calls"]
    assert fetched == {"sale.order.search_read": 1}


def test_fifty_concurrent_identical_requests_make_one_call_per_batch(
    odoo_emulator_url, customer_id
):
    # Given a slow ERP, so that the requests overlap
    slow = emulator.create_app(emulator.EmulatorOptions(faults=FaultOptions(latency_ms=100)))
    with serve_in_thread(slow) as odoo, running_gateway(cached(odoo, "memory://")) as gateway:
        cold = EmulatorCalls(odoo)
        with running_gateway(odoo_settings(odoo)) as uncached:
            data_of(graphql(uncached, QUERY, {"id": customer_id}))  # warm logins, field names
            cold.reset()
            data_of(graphql(uncached, QUERY, {"id": customer_id}))
            one_request = cold.total()
        data_of(graphql(gateway, "{ products(first: 1) { totalCount } }"))  # log in
        cold.reset()
        # When 50 identical requests arrive at once
        with ThreadPoolExecutor(max_workers=50) as pool:
            answers = list(
                pool.map(lambda _: graphql(gateway, QUERY, {"id": customer_id}), range(50))
            )
        fifty_requests = cold.total()
    # Then the backend sees the calls of one request, not of fifty
    assert all("errors" not in a for a in answers)
    assert fifty_requests <= one_request + 2  # + the field names the gateway learns once


@pytest.mark.slow
def test_a_stale_record_is_served_when_the_erp_is_down_and_marked(customer_id):
    short = {entity: 1.0 for entity in Entity.of_role("erp")}
    with ExitStack() as stack:
        odoo_server = ExitStack()
        odoo = odoo_server.enter_context(serve_in_thread(emulator.create_app()))
        gateway = stack.enter_context(running_gateway(cached(odoo, "memory://", short)))
        fresh = data_of(graphql(gateway, QUERY, {"id": customer_id}))

        odoo_server.close()  # the ERP goes down...
        time.sleep(1.1)  # ...and the cached records pass their TTL
        answer = graphql(gateway, QUERY, {"id": customer_id})

    assert "errors" not in answer
    assert answer["data"] == fresh
    stale = answer["extensions"]["stale"]
    assert {s["entity"] for s in stale} >= {"customer", "orders_by_customer", "order_lines"}
    assert all(s["backend"] == "erp" and s["ageSeconds"] >= 1 for s in stale)


def _key(global_id):
    return base64.urlsafe_b64decode(global_id).decode().split(":", 1)[1]
