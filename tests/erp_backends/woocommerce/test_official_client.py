"""WooCommerce's official Python client (`woocommerce`, on `requests`) against the
emulator over real sockets: over plain HTTP it signs with OAuth 1.0a, over HTTPS (a
self-signed certificate made here) it sends Basic auth or, with `query_string_auth`,
the keys as query parameters. Written independently of the emulator and the adapter,
it is the check that the emulator authenticates, reads, writes, pages and fails as a
real shop does (shapes from ../shared/backend_apis.md, section 6)."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
import requests
from woocommerce import API  # type: ignore[import-untyped]
from woocommerce.oauth import OAuth  # type: ignore[import-untyped]

from erp_backends.woocommerce.emulator import create_app
from tests.servers import self_signed_certificate, serve_in_thread, serve_tls_in_thread

pytestmark = pytest.mark.slow

KEY, SECRET = "ck_demo", "cs_demo"
MONEY = re.compile(r"^\d+\.\d\d$")
WP_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")
ORDER_STATUSES = set(
    "pending processing on-hold completed cancelled refunded failed checkout-draft trash".split()
)
MODES = ["http-oauth", "https-basic", "https-query"]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def urls(certificate):
    """One shop of its own (the tests write to it), served both ways."""
    app = create_app()
    with (
        serve_in_thread(app) as http_url,
        serve_tls_in_thread(app, certificate.certfile, certificate.keyfile) as https_url,
    ):
        yield {"http": http_url, "https": https_url}


def client(urls, certificate, mode: str, key: str = KEY, secret: str = SECRET) -> API:
    scheme = mode.split("-")[0]
    return API(
        url=urls[scheme],
        consumer_key=key,
        consumer_secret=secret,
        version="wc/v3",
        timeout=30,
        verify_ssl=certificate.certfile,
        query_string_auth=mode == "https-query",
    )


def ok(response: requests.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def wp_error(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "data"}
    assert (body["code"], body["data"]["status"]) == (code, status)
    return body


# --- reads and paging ------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_orders_read_in_woocommerce_shapes(urls, certificate, mode):
    shop = client(urls, certificate, mode)
    response = shop.get("orders", params={"per_page": 5, "status": "completed"})
    orders = ok(response)
    assert len(orders) == 5
    assert int(response.headers["X-WP-Total"]) >= 5
    assert 'rel="next"' in response.headers["Link"]
    for order in orders:
        assert isinstance(order["id"], int)
        assert order["number"] == str(order["id"])
        assert order["status"] == "completed"
        assert MONEY.match(order["total"])
        assert WP_DATETIME.match(order["date_created"])
        assert WP_DATETIME.match(order["date_created_gmt"])
        assert {"first_name", "last_name", "email", "country"} <= set(order["billing"])
        for item in order["line_items"]:
            assert {"id", "name", "product_id", "variation_id", "quantity", "sku", "price"} <= set(
                item
            )
            assert MONEY.match(item["total"])
    one = ok(shop.get(f"orders/{orders[0]['id']}"))
    assert one["id"] == orders[0]["id"]
    assert one["status"] in ORDER_STATUSES


@pytest.mark.parametrize("mode", MODES)
def test_pages_follow_each_other(urls, certificate, mode):
    shop = client(urls, certificate, mode)
    mine = {"per_page": 4, "orderby": "id", "order": "asc"}
    first = shop.get("products", params={**mine, "page": 1})
    second = ok(shop.get("products", params={**mine, "page": 2}))
    ids = [p["id"] for p in ok(first)] + [p["id"] for p in second]
    assert ids == sorted(set(ids))
    assert int(first.headers["X-WP-TotalPages"]) == -(-int(first.headers["X-WP-Total"]) // 4)
    for product in second:
        assert MONEY.match(product["price"])
        assert product["stock_status"] in ("instock", "outofstock", "onbackorder")
    by_sku = ok(shop.get("products", params={"sku": second[0]["sku"]}))
    assert [p["id"] for p in by_sku] == [second[0]["id"]]
    # WordPress's `_fields`, comma-separated, or as a list (`_fields[]=`) where the client
    # can send one (its OAuth signing over HTTP flattens lists into one text).
    wanted = {"id": second[0]["id"], "sku": second[0]["sku"], "price": second[0]["price"]}
    forms: list[dict[str, Any]] = [{"_fields": "id,sku,price"}]
    if mode != "http-oauth":
        forms.append({"_fields[]": ["id", "sku", "price"]})
    for fields in forms:
        assert ok(shop.get("products", params={"sku": second[0]["sku"], **fields})) == [wanted]


@pytest.mark.parametrize("mode", MODES)
def test_customers_by_email(urls, certificate, mode):
    shop = client(urls, certificate, mode)
    customer = ok(shop.get("customers", params={"per_page": 1}))[0]
    found = ok(shop.get("customers", params={"email": customer["email"]}))
    assert [c["id"] for c in found] == [customer["id"]]


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_errors_come_in_wordpress_shape(urls, certificate, mode):
    shop = client(urls, certificate, mode)
    wp_error(shop.get("orders/12"), 404, "woocommerce_rest_shop_order_invalid_id")
    wp_error(shop.get("coupons"), 404, "rest_no_route")
    bad = wp_error(shop.get("orders", params={"per_page": 500}), 400, "rest_invalid_param")
    assert set(bad["data"]["params"]) == {"per_page"}


# --- authentication --------------------------------------------------------------------------


def test_over_http_wrong_keys_fail_oauth(urls, certificate):
    wrong_key = client(urls, certificate, "http-oauth", key="ck_other").get("orders")
    body = wp_error(wrong_key, 401, "woocommerce_rest_authentication_error")
    assert body["message"] == "Consumer key is invalid."
    wrong_secret = client(urls, certificate, "http-oauth", secret="cs_other").get("orders")
    body = wp_error(wrong_secret, 401, "woocommerce_rest_authentication_error")
    assert body["message"] == "Invalid signature - provided signature does not match."


def test_over_http_basic_auth_is_not_taken(urls):
    answer = requests.get(f"{urls['http']}/wp-json/wc/v3/orders", auth=(KEY, SECRET), timeout=30)
    wp_error(answer, 401, "woocommerce_rest_cannot_view")


@pytest.mark.parametrize("mode", ["https-basic", "https-query"])
def test_over_https_a_wrong_secret_fails_and_an_unknown_key_is_anonymous(urls, certificate, mode):
    wrong_secret = client(urls, certificate, mode, secret="cs_other").get("orders")
    body = wp_error(wrong_secret, 401, "woocommerce_rest_authentication_error")
    assert body["message"] == "Consumer secret is invalid."
    unknown = client(urls, certificate, mode, key="ck_other").get("orders")
    wp_error(unknown, 401, "woocommerce_rest_cannot_view")


def signed_url(urls, path: str, timestamp: int) -> str:
    """A URL signed by the client library's own OAuth signer."""
    url = f"{urls['http']}/wp-json/wc/v3/{path}"
    oauth = OAuth(url, KEY, SECRET, version="wc/v3", method="GET", oauth_timestamp=timestamp)
    return str(oauth.get_oauth_url())


def test_a_stale_timestamp_and_a_reused_nonce_are_refused(urls):
    stale = signed_url(urls, "orders", int(time.time()) - 3600)  # 15 minutes is the limit
    body = wp_error(requests.get(stale, timeout=30), 401, "woocommerce_rest_authentication_error")
    assert body["message"] == "Invalid timestamp."
    fresh = signed_url(urls, "orders", int(time.time()))
    assert requests.get(fresh, timeout=30).status_code == 200
    replay = requests.get(fresh, timeout=30)
    body = wp_error(replay, 401, "woocommerce_rest_authentication_error")
    assert body["message"] == "Invalid nonce - nonce has already been used."


# --- writes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["http-oauth", "https-basic"])
def test_an_order_is_created_updated_noted_and_deleted(urls, certificate, mode):
    shop = client(urls, certificate, mode)
    product = ok(shop.get("products", params={"per_page": 1, "status": "publish"}))[0]
    created = ok(
        shop.post(
            "orders",
            {
                "status": "processing",
                "set_paid": True,
                "billing": {"first_name": "Ann", "email": "ann@example.org"},
                "line_items": [{"product_id": product["id"], "quantity": 2}],
                "meta_data": [{"key": "_gateway_ref", "value": "SHOP-1001"}],
            },
        ),
        201,
    )
    assert created["status"] == "processing"
    assert created["total"] == f"{float(product['price']) * 2:.2f}"
    assert created["line_items"][0]["sku"] == product["sku"]
    order = f"orders/{created['id']}"

    assert ok(shop.put(order, {"status": "completed"}))["status"] == "completed"
    note = ok(shop.post(f"{order}/notes", {"note": "Handed to the carrier"}), 201)
    assert ok(shop.get(f"{order}/notes"))[0]["id"] == note["id"]

    assert ok(shop.delete(order))["status"] == "trash"
    ok(shop.delete(order, params={"force": True}))
    wp_error(shop.get(order), 404, "woocommerce_rest_shop_order_invalid_id")


@pytest.mark.parametrize("mode", ["http-oauth", "https-basic"])
def test_product_writes_and_batches(urls, certificate, mode):
    shop = client(urls, certificate, mode)
    product = ok(shop.get("products", params={"per_page": 1, "orderby": "id", "order": "asc"}))[0]
    path = f"products/{product['id']}"
    assert ok(shop.put(path, {"regular_price": "21.00"}))["price"] == "21.00"
    number = wp_error(shop.put(path, {"regular_price": 21}), 400, "rest_invalid_param")
    assert "regular_price" in number["data"]["params"]

    batch = ok(
        shop.post(
            "products/batch",
            {
                "create": [{"name": "Batch Mug", "sku": "BATCH-MUG-1", "regular_price": "4.00"}],
                "update": [{"id": product["id"], "stock_quantity": 3, "manage_stock": True}],
            },
        )
    )
    assert batch["create"][0]["price"] == "4.00"
    assert batch["update"][0]["stock_quantity"] == 3
    again = ok(shop.post("products/batch", {"create": [{"sku": "BATCH-MUG-1"}]}))
    assert again["create"][0]["error"]["code"] == "product_invalid_sku"
    ok(shop.post("products/batch", {"delete": [batch["create"][0]["id"]]}))


@pytest.mark.parametrize("mode", ["http-oauth", "https-basic"])
def test_a_customer_is_created_updated_batched_and_deleted(urls, certificate, mode):
    shop = client(urls, certificate, mode)
    email = f"client.{mode}@example.org"
    created = ok(shop.post("customers", {"email": email, "first_name": "Cleo"}), 201)
    assert (created["email"], created["role"]) == (email, "customer")
    taken = wp_error(
        shop.post("customers", {"email": email}), 400, "registration-error-email-exists"
    )
    assert "already registered" in taken["message"]
    path = f"customers/{created['id']}"

    assert ok(shop.put(path, {"last_name": "Client"}))["last_name"] == "Client"
    assert [c["id"] for c in ok(shop.get("customers", params={"email": email}))] == [created["id"]]
    batch = ok(
        shop.post(
            "customers/batch",
            {
                "create": [{"email": f"batch.{mode}@example.org"}],
                "update": [{"id": created["id"], "first_name": "Batch"}, {"id": 999999}],
            },
        )
    )
    assert batch["create"][0]["email"] == f"batch.{mode}@example.org"
    assert batch["update"][0]["first_name"] == "Batch"
    assert batch["update"][1]["error"]["code"] == "woocommerce_rest_invalid_id"

    wp_error(shop.delete(path), 501, "woocommerce_rest_trash_not_supported")
    ok(shop.delete(path, params={"force": True}))
    wp_error(shop.get(path), 404, "woocommerce_rest_invalid_id")
    ok(shop.post("customers/batch", {"delete": [batch["create"][0]["id"]]}))
    assert ok(shop.get("customers", params={"email": f"batch.{mode}@example.org"})) == []
