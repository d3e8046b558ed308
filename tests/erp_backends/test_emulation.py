"""FaultInjection and CallLog, driven through httpx's ASGI transport."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse as StarletteJSON
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from erp_backends.emulation.faults import (
    CallLog,
    FaultInjection,
    FaultOptions,
    call_log_routes,
    too_many_requests,
)
from erp_backends.emulation.responses import JSONResponse
from erp_backends.emulation.world import World, seed_world
from erp_backends.emulation.world.accounting import PAYMENT_STATES
from erp_backends.emulation.world.sales import FIRST_SHOP_NUMBER
from erp_backends.rate_limit import RateLimit

LOG = CallLog()


async def _ok(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def _client(options: FaultOptions, **middleware_options: Any) -> httpx.AsyncClient:
    app = Starlette(routes=[Route("/api", _ok), Route("/web/health", _ok), *call_log_routes(LOG)])
    faulty = FaultInjection(app, options, **middleware_options)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=faulty), base_url="http://emu")


async def _statuses(client: httpx.AsyncClient, path: str, count: int) -> list[int]:
    return [(await client.get(path)).status_code for _ in range(count)]


async def test_no_faults_pass_requests_through():
    async with _client(FaultOptions()) as client:
        response = await client.get("/api")
    assert (response.status_code, response.text) == (200, "ok")


async def test_latency_delays_every_request():
    # Given 60 ms of latency
    async with _client(FaultOptions(latency_ms=60)) as client:
        # When a request is made
        started = time.perf_counter()
        await client.get("/api")
        elapsed = time.perf_counter() - started
    # Then it took at least that long
    assert elapsed >= 0.06


async def test_fail_rate_one_answers_nginx_503():
    async with _client(FaultOptions(fail_rate=1.0)) as client:
        response = await client.get("/api")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert "503 Service Temporarily Unavailable" in response.text


async def test_fail_rate_is_deterministic_for_a_seed_and_close_to_the_rate():
    # Given two middlewares with the same seed and a 30 % failure rate
    options = FaultOptions(fail_rate=0.3, seed=7)
    async with _client(options) as first, _client(options) as second:
        # When both serve the same 300 requests
        a = await _statuses(first, "/api", 300)
        b = await _statuses(second, "/api", 300)
    # Then they fail on the same requests, about 30 % of the time
    assert a == b
    assert 60 <= a.count(503) <= 120
    assert set(a) == {200, 503}


async def test_different_seeds_fail_on_different_requests():
    async with (
        _client(FaultOptions(fail_rate=0.5, seed=1)) as first,
        _client(FaultOptions(fail_rate=0.5, seed=2)) as second,
    ):
        assert await _statuses(first, "/api", 50) != await _statuses(second, "/api", 50)


async def test_rate_limit_answers_429_with_retry_after_in_whole_seconds():
    # Given a limit of 3 requests a minute
    async with _client(FaultOptions(rate_limit=RateLimit(3, 60.0))) as client:
        # When 4 requests arrive at once
        statuses = await _statuses(client, "/api", 3)
        throttled = await client.get("/api")
    # Then the 4th is refused with a Retry-After of about 20 seconds
    assert statuses == [200, 200, 200]
    assert throttled.status_code == 429
    assert throttled.json() == {"message": "Too Many Requests"}
    assert 19 <= int(throttled.headers["Retry-After"]) <= 20


async def test_injected_faults_are_counted_in_the_call_log():
    # Given a limit of 2 requests a minute and a middleware that counts its faults
    LOG.reset()
    async with _client(FaultOptions(rate_limit=RateLimit(2, 60.0)), log=LOG) as client:
        # When 5 requests arrive at once
        statuses = await _statuses(client, "/api", 5)
        seen = (await client.get("/_emulator/calls")).json()
    # Then the 3 refused ones are counted as throttled
    assert statuses == [200, 200, 429, 429, 429]
    assert seen["faults"] == {"throttled": 3}


@pytest.mark.parametrize(("wait_s", "header"), [(0.01, "1"), (1.0, "1"), (2.1, "3")])
def test_retry_after_rounds_up_to_at_least_one_second(wait_s, header):
    assert too_many_requests(wait_s).headers["Retry-After"] == header


async def test_emulator_controls_never_see_faults():
    options = FaultOptions(fail_rate=1.0, rate_limit=RateLimit(1, 60.0))
    async with _client(options) as client:
        assert await _statuses(client, "/_emulator/calls", 5) == [200] * 5


async def test_unlimited_prefix_skips_only_the_rate_limit():
    # Given a limit of one request a minute and health checks exempt from it
    options = FaultOptions(rate_limit=RateLimit(1, 60.0))
    async with _client(options, unlimited_prefix="/web/health") as client:
        # When health is checked repeatedly after the budget is spent
        spent = await _statuses(client, "/api", 2)
        health = await _statuses(client, "/web/health", 3)
    # Then health still answers while the API is throttled
    assert spent == [200, 429]
    assert health == [200, 200, 200]


def test_call_log_counts_by_key_and_resets():
    log = CallLog()
    for key in ("sale.order.search_read", "sale.order.search_read", "res.partner.read"):
        log.record(key)
    assert log.snapshot() == {"sale.order.search_read": 2, "res.partner.read": 1}
    assert log.total == 3
    log.reset()
    assert (log.snapshot(), log.total) == ({}, 0)


async def test_call_log_routes_report_and_reset():
    # Given a log with two calls
    LOG.reset()
    LOG.record("res.partner.read")
    LOG.record("res.partner.read")
    async with _client(FaultOptions()) as client:
        # When it is read, then reset over HTTP
        before = (await client.get("/_emulator/calls")).json()
        reset = await client.delete("/_emulator/calls")
        after = (await client.get("/_emulator/calls")).json()
    # Then the counts come back as total and per key, then as zero
    assert before == {"total": 2, "calls": {"res.partner.read": 2}, "faults": {}}
    assert reset.status_code == 200
    assert after == {"total": 0, "calls": {}, "faults": {}}


# --- the neutral seeded world ------------------------------------------------------------


def _world_digest(world: World) -> str:
    facts = (
        [(c.name, c.email, c.address, c.created) for c in world.customers],
        [(p.sku, p.price, p.active, p.barcode) for p in world.products],
        [(s.product.sku, s.warehouse, s.quantity, s.reserved) for s in world.stock],
        [(o.when, o.customer.number, o.state, o.reference, o.total) for o in world.orders],
        [(i.order.number, i.day, i.state, i.payment_state, i.paid) for i in world.invoices],
        [(p.day, p.amount, p.method, p.state) for p in world.payments],
    )
    return hashlib.sha256(repr(facts).encode()).hexdigest()


def test_the_world_is_the_same_for_the_same_seed():
    first = seed_world(1)
    assert _world_digest(seed_world(1)) == _world_digest(first)
    assert _world_digest(seed_world(2)) != _world_digest(first)


def test_the_world_numbers_its_records_in_creation_order_and_shop_orders_by_date():
    world = seed_world(1)
    assert [o.number for o in world.orders] == list(range(1, len(world.orders) + 1))
    assert [i.number for i in world.invoices] == list(range(1, len(world.invoices) + 1))
    assert [p.number for p in world.products] == list(range(1, len(world.products) + 1))
    shop = [o.shop_number for o in world.orders if o.shop_number is not None]
    assert shop[0] == FIRST_SHOP_NUMBER
    assert shop == sorted(shop)
    assert len(set(shop)) == len(shop)
    assert {i.payment_state for i in world.invoices if i.state == "posted"} == set(PAYMENT_STATES)


# --- the emulators' JSON answers ----------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {
            "jsonrpc": "2.0",
            "id": 7,
            "result": [{"id": 1, "name": "Müller & Söhne 漢字", "x": False}],
        },
        {"total": 1740.1, "tiny": 1e-7, "big": 2**62, "neg": -0.5, "none": None, "list": []},
        {"escapes": 'quote " backslash \\ newline \n tab \t control \x01 slash /'},
        [1, "two", 3.0, {"nested": {"deeper": [True]}}],
    ],
)
def test_emulator_json_is_the_json_starlette_writes(body):
    assert json.loads(bytes(JSONResponse(body).body)) == json.loads(bytes(StarletteJSON(body).body))
    assert JSONResponse(body).headers["content-type"] == "application/json"


def test_emulator_json_writes_keys_that_are_not_text_as_text():
    assert json.loads(bytes(JSONResponse({1: "a", 2: "b"}).body)) == {"1": "a", "2": "b"}
