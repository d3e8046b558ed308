"""The ShopBackend port over WooCommerce, against the emulator over HTTP.

A contract suite: each test uses a fresh adapter and checks both the canonical records
and the number of calls the emulator received.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import httpx
import pytest

from erp_backends.http import BackendHttp
from erp_backends.models import ShopOrderStatus
from erp_backends.odoo.emulator.seed import build_world
from erp_backends.paging import PageRequest
from erp_backends.woocommerce.adapter import WooCommerceShop
from erp_backends.woocommerce.auth import WooCommerceAuth
from erp_backends.woocommerce.client import WooCommerceClient, WooCommerceKeys
from tests.harness import EmulatorCalls

API = "/wp-json/wc/v3"
AUTH = ("ck_demo", "cs_demo")
SIGNED = WooCommerceAuth(*AUTH)  # OAuth 1.0a over http://, Basic over https://


@pytest.fixture
async def shop(woocommerce_emulator_url):
    async with httpx.AsyncClient(timeout=30) as http:
        backend_http = BackendHttp(
            http, woocommerce_emulator_url, backend="shop", system="WooCommerce"
        )
        yield WooCommerceShop(WooCommerceClient(backend_http, WooCommerceKeys(*AUTH)))


@pytest.fixture
def calls(woocommerce_emulator_url):
    calls = EmulatorCalls(woocommerce_emulator_url)
    calls.reset()
    return calls


@pytest.fixture(scope="module")
def erp_world():
    return build_world(1)


def woo(url: str, path: str, **params: Any) -> Any:
    response = httpx.get(f"{url}{API}/{path}", params=params, auth=SIGNED, timeout=30)
    response.raise_for_status()
    return response.json()


def woo_total(url: str, path: str, **params: Any) -> int:
    response = httpx.get(f"{url}{API}/{path}", params=params, auth=SIGNED, timeout=30)
    return int(response.headers["X-WP-Total"])


def customers_with_orders(url: str, count: int) -> list[int]:
    orders = woo(url, "orders", per_page=100)
    return list(dict.fromkeys(o["customer_id"] for o in orders if o["customer_id"]))[:count]


# --- customers -----------------------------------------------------------------------------


async def test_customers_by_email_match_any_case_and_keep_the_keys_given(
    shop, calls, woocommerce_emulator_url
):
    accounts = woo(woocommerce_emulator_url, "customers", per_page=3, orderby="id")
    keys = [
        accounts[0]["email"].upper(),
        accounts[1]["email"],
        accounts[2]["email"].lower(),
        accounts[1]["email"].lower(),
        "nobody@example.org",
        "not an email",
    ]
    calls.reset()

    found = await shop.customers_by_email(keys)

    assert set(found) == set(keys[:4])
    assert found[keys[0]].id == str(accounts[0]["id"])
    assert found[keys[1]] == found[keys[3]]
    assert found[keys[2]].first_name == accounts[2]["first_name"]
    assert found[keys[2]].created_at is not None
    # one request per distinct valid email: WooCommerce filters one email per call
    assert calls.snapshot()["calls"] == {"GET /customers": 4}


# --- orders of customers -------------------------------------------------------------------


async def test_orders_of_several_customers_are_one_call_each(shop, calls, woocommerce_emulator_url):
    customers = customers_with_orders(woocommerce_emulator_url, 3)
    keys = [str(c) for c in customers]
    calls.reset()

    pages = await shop.orders_for_customers([*keys, keys[0], "0", "abc"], PageRequest(0, 5))

    assert calls.snapshot()["calls"] == {"GET /orders": 3}
    for key in keys:
        page = pages[key]
        assert page.total == woo_total(woocommerce_emulator_url, "orders", customer=key)
        assert len(page.items) == min(5, page.total)
        assert all(order.customer_id == key for order in page.items)
        assert [o.created_at for o in page.items] == sorted(
            (o.created_at for o in page.items), reverse=True
        )
    assert pages["0"].total == pages["abc"].total == 0  # not customers: no call, no orders


async def test_pages_follow_each_other_at_any_offset(shop, woocommerce_emulator_url):
    key = str(customers_with_orders(woocommerce_emulator_url, 1)[0])
    whole = (await shop.orders_for_customers([key], PageRequest(0, 12)))[key]
    aligned = (await shop.orders_for_customers([key], PageRequest(4, 4)))[key]
    unaligned = (await shop.orders_for_customers([key], PageRequest(3, 5)))[key]
    empty = (await shop.orders_for_customers([key], PageRequest(2, 0)))[key]
    assert [o.id for o in aligned.items] == [o.id for o in whole.items[4:8]]
    assert [o.id for o in unaligned.items] == [o.id for o in whole.items[3:8]]
    assert empty.items == ()
    assert empty.total == whole.total


# --- orders by number --------------------------------------------------------------------


async def test_erp_shop_references_find_their_shop_orders_in_one_call(
    shop, calls, erp_world, woocommerce_emulator_url
):
    orders = erp_world.table("sale.order").records.values()
    erp_orders = [o for o in orders if o["origin"] == "Web Shop"][:60]
    numbers = [o["client_order_ref"].removeprefix("SHOP-") for o in erp_orders]
    calls.reset()

    found = await shop.orders_by_number([*numbers, "99", "SHOP-1001", ""])

    assert calls.snapshot()["calls"] == {"GET /orders": 1}
    assert set(found) == set(numbers)
    for erp_order, number in zip(erp_orders, numbers, strict=True):
        order = found[number]
        assert order.number == number
        assert order.total.amount == Decimal(repr(erp_order["amount_total"])).quantize(
            Decimal("0.01")
        )
        assert order.created_at.tzinfo is not None
        assert order.email is None or "@" in order.email


async def test_more_than_100_numbers_take_one_call_per_100(shop, calls, woocommerce_emulator_url):
    numbers = [str(n) for n in range(1001, 1151)]
    calls.reset()
    found = await shop.orders_by_number(numbers)
    assert calls.snapshot()["calls"] == {"GET /orders": 2}
    assert 100 < len(found) <= 150


async def test_guest_checkouts_have_no_customer(shop, woocommerce_emulator_url):
    guests = woo(woocommerce_emulator_url, "orders", per_page=100, customer=0)
    guest = next(o for o in guests if o["customer_id"] == 0)
    found = await shop.orders_by_number([guest["number"]])
    assert found[guest["number"]].customer_id is None
    assert found[guest["number"]].status in set(ShopOrderStatus)


# --- listings ----------------------------------------------------------------------------


async def test_listings_by_sku_one_call_per_100(shop, calls, woocommerce_emulator_url):
    by_id: dict[str, Any] = {"per_page": 100, "orderby": "id", "order": "asc"}
    products = woo(woocommerce_emulator_url, "products", **by_id)
    products += woo(woocommerce_emulator_url, "products", **by_id, page=2)
    skus = [p["sku"] for p in products[:150]]
    calls.reset()

    found = await shop.listings_by_sku([*skus, skus[0].lower(), "NOPE-0000", " "])

    assert calls.snapshot()["calls"] == {"GET /products": 2}
    assert set(found) == {*skus, skus[0].lower()}
    by_sku = {p["sku"]: p for p in products}
    for sku in skus:
        listing, product = found[sku], by_sku[sku]
        assert listing.id == str(product["id"])
        assert listing.published == (product["status"] == "publish")
        assert listing.price.amount == Decimal(product["price"])
        assert listing.price.currency == "EUR"
        expected = Decimal(product["stock_quantity"]) if product["manage_stock"] else None
        assert listing.listed_stock == expected
    assert any(not listing.published for listing in found.values())
    assert any(listing.listed_stock is None for listing in found.values())


async def test_every_port_answers_empty_input_without_calling(shop, calls):
    assert await shop.customers_by_email([]) == {}
    assert await shop.orders_for_customers([], PageRequest()) == {}
    assert await shop.orders_by_number([]) == {}
    assert await shop.listings_by_sku([]) == {}
    assert calls.total() == 0


# --- concurrency ---------------------------------------------------------------------------


async def test_requests_per_email_run_concurrently_but_at_most_eight_at_once():
    in_flight = peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return httpx.Response(200, json=[], headers={"X-WP-Total": "0", "X-WP-TotalPages": "0"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        backend_http = BackendHttp(http, "http://shop.test", backend="shop", system="WooCommerce")
        shop = WooCommerceShop(WooCommerceClient(backend_http, WooCommerceKeys(*AUTH)))
        await shop.customers_by_email([f"buyer{n}@example.org" for n in range(30)])
    assert peak == 8
