"""Protocol edge cases of the WooCommerce client and mapping, against canned answers (respx).

The normal path runs against the emulator over HTTP in test_adapter.py; this file covers
answers the emulator does not give on demand: error bodies of every kind, proxies'
throttles, pages without totals, and records a plugin has bent out of shape.
"""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
import respx

from erp_backends.errors import (
    BackendAuthError,
    BackendDataError,
    BackendError,
    BackendRateLimited,
    BackendRequestError,
    BackendUnavailable,
)
from erp_backends.http import BackendHttp, Resilience
from erp_backends.paging import PageRequest
from erp_backends.woocommerce.adapter import WooCommerceShop
from erp_backends.woocommerce.client import WooCommerceClient, WooCommerceKeys
from erp_backends.woocommerce.errors import (
    WooCommerceAuthError,
    WooCommerceInvalidRequest,
    WooCommerceNotFound,
    WooCommerceServerError,
)
from erp_backends.woocommerce.mapping import ORDER_FIELDS

URL = "http://shop.test"
ORDERS = f"{URL}/wp-json/wc/v3/orders"
PRODUCTS = f"{URL}/wp-json/wc/v3/products"
KEY, SECRET = "ck_key_that_must_never_leak", "cs_secret_that_must_never_leak"
TOTALS = {"X-WP-Total": "1", "X-WP-TotalPages": "1"}


async def no_sleep(_):
    pass


def shop(http, retries=0):
    backend_http = BackendHttp(
        http,
        URL,
        backend="shop",
        system="WooCommerce",
        resilience=Resilience(retries=retries),
        sleep=no_sleep,
    )
    return WooCommerceShop(WooCommerceClient(backend_http, WooCommerceKeys(KEY, SECRET)))


def wp_error(status, code, message):
    body = {"code": code, "message": message, "data": {"status": status}}
    return httpx.Response(status, json=body)


def order(**changes: Any) -> dict[str, Any]:
    return {
        "id": 1001,
        "number": "1001",
        "status": "processing",
        "currency": "EUR",
        "date_created": "2026-03-29T03:30:00",
        "date_created_gmt": "2026-03-29T01:30:00",
        "total": "24.50",
        "customer_id": 0,
        "billing": {"email": "ann@example.org"},
        **changes,
    }


def product(**changes: Any) -> dict[str, Any]:
    return {
        "id": 501,
        "name": "Mug",
        "sku": "SKU-1",
        "status": "publish",
        "price": "9.50",
        "manage_stock": True,
        "stock_quantity": 12,
        **changes,
    }


@pytest.fixture
async def http():
    async with httpx.AsyncClient() as http:
        yield http


# --- the wire ----------------------------------------------------------------------------


@respx.mock
async def test_over_http_requests_are_signed_with_oauth_and_ask_100_ids_at_once(http):
    route = respx.get(ORDERS).mock(return_value=httpx.Response(200, json=[order()], headers=TOTALS))
    found = await shop(http).orders_by_number(["1001", "1002"])
    request = route.calls.last.request
    params = request.url.params
    assert "Authorization" not in request.headers  # WooCommerce ignores Basic over HTTP
    assert params["oauth_consumer_key"] == KEY
    assert params["oauth_signature_method"] == "HMAC-SHA256"
    assert params["oauth_signature"]
    assert params["oauth_nonce"]
    assert params["oauth_timestamp"].isdigit()
    assert SECRET not in str(request.url)
    assert params["include"] == "1001,1002"
    assert params["per_page"] == "100"
    assert params["_fields"] == ORDER_FIELDS  # only what the mapping reads
    assert found["1001"].total.amount == 24.5
    assert found["1001"].customer_id is None  # 0: a guest checkout


@respx.mock
async def test_a_retried_read_is_signed_anew(http):
    throttled = httpx.Response(429, headers={"Retry-After": "0"})
    answered = httpx.Response(200, json=[order()], headers=TOTALS)
    route = respx.get(ORDERS).mock(side_effect=[throttled, answered])
    await shop(http, retries=1).orders_by_number(["1001"])
    nonces = {call.request.url.params["oauth_nonce"] for call in route.calls}
    assert len(nonces) == 2  # WooCommerce refuses a nonce it has seen


@respx.mock
async def test_over_https_requests_carry_basic_auth(http):
    https_orders = ORDERS.replace("http://", "https://")
    answer = httpx.Response(200, json=[order()], headers=TOTALS)
    route = respx.get(https_orders).mock(return_value=answer)
    backend_http = BackendHttp(
        http, URL.replace("http://", "https://"), backend="shop", system="WooCommerce"
    )
    await WooCommerceShop(
        WooCommerceClient(backend_http, WooCommerceKeys(KEY, SECRET))
    ).orders_by_number(["1001"])
    request = route.calls.last.request
    expected = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert "oauth_signature" not in request.url.params


@respx.mock
async def test_the_shops_order_number_must_match_the_one_asked_for(http):
    # A sequential-numbers plugin renumbered order 1001: it is not order number "1001".
    renumbered = httpx.Response(200, json=[order(number="WC-77")], headers=TOTALS)
    respx.get(ORDERS).mock(return_value=renumbered)
    assert await shop(http).orders_by_number(["1001"]) == {}


@respx.mock
async def test_a_sku_with_a_comma_is_asked_for_alone(http):
    route = respx.get(PRODUCTS).mock(return_value=httpx.Response(200, json=[], headers=TOTALS))
    await shop(http).listings_by_sku(["A-1", "B,2", "C-3"])
    asked = sorted(call.request.url.params["sku"] for call in route.calls)
    assert asked == ["A-1,C-3", "B,2"]


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "typed", "generic"),
    [
        (
            wp_error(401, "woocommerce_rest_authentication_error", "Consumer key is invalid."),
            WooCommerceAuthError,
            BackendAuthError,
        ),
        (
            wp_error(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
            WooCommerceAuthError,
            BackendAuthError,
        ),
        (
            wp_error(
                404, "rest_no_route", "No route was found matching the URL and request method."
            ),
            WooCommerceNotFound,
            BackendRequestError,
        ),
        (
            wp_error(400, "rest_invalid_param", "Invalid parameter(s): per_page"),
            WooCommerceInvalidRequest,
            BackendRequestError,
        ),
        (
            wp_error(
                500, "internal_server_error", "There has been a critical error on this website."
            ),
            WooCommerceServerError,
            BackendUnavailable,
        ),
    ],
)
@respx.mock
async def test_error_bodies_become_typed_errors(http, answer, typed, generic):
    respx.get(ORDERS).mock(return_value=answer)
    with pytest.raises(typed) as caught:
        await shop(http).orders_by_number(["1001"])
    assert isinstance(caught.value, generic)
    assert caught.value.backend == "shop"
    assert caught.value.code == answer.json()["code"]
    assert KEY not in str(caught.value)
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("answer", "generic"),
    [
        (httpx.Response(401, text="Unauthorized"), BackendAuthError),
        (httpx.Response(404, text="<html>Not Found</html>"), BackendRequestError),
        (httpx.Response(500, text="<html>Error</html>"), BackendUnavailable),
        (httpx.Response(503, text="<html>nginx</html>"), BackendUnavailable),
    ],
)
@respx.mock
async def test_bodies_that_are_no_error_objects_still_become_backend_errors(http, answer, generic):
    respx.get(ORDERS).mock(return_value=answer)
    with pytest.raises(generic):
        await shop(http).orders_by_number(["1001"])


@respx.mock
async def test_a_throttling_proxy_is_retried_after_its_hint(http):
    throttled = httpx.Response(
        429, json={"message": "Too Many Requests"}, headers={"Retry-After": "1"}
    )
    answered = httpx.Response(200, json=[order()], headers=TOTALS)
    route = respx.get(ORDERS).mock(side_effect=[throttled, answered])
    assert "1001" in await shop(http, retries=1).orders_by_number(["1001"])
    assert route.call_count == 2


@respx.mock
async def test_a_throttle_without_retries_left_is_rate_limited(http):
    respx.get(ORDERS).mock(return_value=httpx.Response(429, headers={"Retry-After": "3"}))
    with pytest.raises(BackendRateLimited) as caught:
        await shop(http).orders_by_number(["1001"])
    assert caught.value.retry_after == 3


@respx.mock
async def test_a_site_without_pretty_permalinks_answers_html(http):
    respx.get(ORDERS).mock(
        return_value=httpx.Response(
            200, text="<!doctype html><html>", headers={"content-type": "text/html"}
        )
    )
    with pytest.raises(BackendDataError, match="pretty permalinks"):
        await shop(http).orders_by_number(["1001"])


@respx.mock
async def test_an_answer_behind_a_byte_order_mark_is_read(http):
    # WordPress sends one when a theme or plugin file starts with it.
    body = b"\xef\xbb\xbf" + httpx.Response(200, json=[order()]).content
    respx.get(ORDERS).mock(return_value=httpx.Response(200, content=body, headers=TOTALS))
    found = await shop(http).orders_by_number(["1001"])
    assert found["1001"].total.amount == 24.5


@respx.mock
async def test_a_page_without_totals_is_a_data_error(http):
    respx.get(ORDERS).mock(return_value=httpx.Response(200, json=[order()]))
    with pytest.raises(BackendDataError, match="X-WP-Total"):
        await shop(http).orders_for_customers(["7"], PageRequest())


@respx.mock
async def test_one_failed_request_fails_the_port_call_with_its_own_error(http):
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params["email"] == "bad@example.org":
            return wp_error(500, "internal_server_error", "Critical error.")
        return httpx.Response(200, json=[], headers={"X-WP-Total": "0"})

    respx.get(f"{URL}/wp-json/wc/v3/customers").mock(side_effect=answer)
    emails = [f"buyer{n}@example.org" for n in range(5)] + ["bad@example.org"]
    with pytest.raises(WooCommerceServerError):
        await shop(http).customers_by_email(emails)


# --- records out of shape ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"total": "twelve"}, "total"),
        ({"status": "wc-shipped"}, "status"),
        ({"currency": "XXY"}, "currency"),
        ({"date_created_gmt": None}, "date_created_gmt"),
        ({"customer_id": "7"}, "customer_id"),
        ({"billing": []}, "billing"),
    ],
)
@respx.mock
async def test_bad_order_fields_are_data_errors_naming_the_field(http, changes, field):
    answer = httpx.Response(200, json=[order(**changes)], headers=TOTALS)
    respx.get(ORDERS).mock(return_value=answer)
    with pytest.raises(BackendDataError, match=f"order 1001: field '{field}'"):
        await shop(http).orders_by_number(["1001"])


@respx.mock
async def test_listings_read_stock_kept_by_a_parent_and_skip_products_without_price(http):
    rows = [
        product(),
        product(id=502, sku="SKU-2", manage_stock="parent", stock_quantity=4),
        product(id=503, sku="SKU-3", manage_stock=False, stock_quantity=None, status="draft"),
        product(id=504, sku="SKU-4", price=""),
    ]
    respx.get(PRODUCTS).mock(return_value=httpx.Response(200, json=rows, headers=TOTALS))
    found = await shop(http).listings_by_sku(["SKU-1", "SKU-2", "SKU-3", "SKU-4"])
    assert found["SKU-1"].listed_stock == 12
    assert found["SKU-2"].listed_stock == 4
    assert found["SKU-3"].listed_stock is None
    assert not found["SKU-3"].published
    assert "SKU-4" not in found


@respx.mock
async def test_an_answer_that_is_no_list_is_a_data_error(http):
    respx.get(PRODUCTS).mock(return_value=httpx.Response(200, json={"id": 1}, headers=TOTALS))
    with pytest.raises(BackendDataError, match="unexpected shape"):
        await shop(http).listings_by_sku(["SKU-1"])


def test_keys_from_one_secret_and_never_in_their_repr():
    keys = WooCommerceKeys.from_secret(f"{KEY}:{SECRET}")
    assert (keys.consumer_key, keys.consumer_secret) == (KEY, SECRET)
    assert SECRET not in repr(keys)
    assert KEY not in repr(keys)
    with pytest.raises(ValueError, match="consumer_key:consumer_secret"):
        WooCommerceKeys.from_secret(KEY)


def test_every_typed_error_is_a_backend_error():
    for cls in (
        WooCommerceAuthError,
        WooCommerceNotFound,
        WooCommerceInvalidRequest,
        WooCommerceServerError,
    ):
        assert issubclass(cls, BackendError)
