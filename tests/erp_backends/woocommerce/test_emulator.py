"""The WooCommerce emulator over real HTTP: REST v3 shapes, paging, filters, errors,
authentication by scheme (OAuth 1.0a over HTTP, Basic over HTTPS), the call log and
injected faults. Writes are in test_emulator_writes.py."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from erp_backends.emulation.faults import FaultOptions
from erp_backends.rate_limit import RateLimit
from erp_backends.woocommerce.auth import WooCommerceAuth
from erp_backends.woocommerce.emulator import EmulatorOptions, create_app
from tests.harness import EmulatorCalls
from tests.inprocess import serve_in_process
from tests.servers import serve_in_thread

API = "/wp-json/wc/v3"
AUTH = ("ck_demo", "cs_demo")
SIGNED = WooCommerceAuth(*AUTH)  # what WooCommerce wants for the URL's scheme
WP_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")
MONEY = re.compile(r"^\d+\.\d\d$")


def get(url: str, path: str, params: dict[str, Any] | None = None, **kw: Any) -> httpx.Response:
    kw.setdefault("auth", SIGNED)
    return httpx.get(f"{url}{API}/{path}", params=params, timeout=30, **kw)


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "data"}
    assert body["code"] == code
    assert body["data"]["status"] == status
    return body


def busiest_customer(url: str) -> int:
    orders = ok(get(url, "orders", {"per_page": 100}))
    counts: dict[int, int] = {}
    for order in orders:
        counts[order["customer_id"]] = counts.get(order["customer_id"], 0) + 1
    return max((c for c in counts if c), key=lambda c: counts[c])


# --- shapes and paging ---------------------------------------------------------------------


def test_orders_come_as_an_array_in_woocommerce_shapes(woocommerce_emulator_url):
    response = get(woocommerce_emulator_url, "orders")
    orders = ok(response)
    assert len(orders) == 10  # WordPress's default per_page
    for order in orders:
        assert isinstance(order["id"], int)
        assert order["number"] == str(order["id"])
        assert MONEY.match(order["total"])
        assert WP_DATETIME.match(order["date_created"])
        assert WP_DATETIME.match(order["date_created_gmt"])
        assert isinstance(order["customer_id"], int)
        assert "email" in order["billing"]
    dates = [o["date_created_gmt"] for o in orders]
    assert dates == sorted(dates, reverse=True)  # orderby=date, order=desc by default


def test_lists_carry_totals_and_links_to_the_neighbouring_pages(woocommerce_emulator_url):
    customer = busiest_customer(woocommerce_emulator_url)
    params = {"customer": customer, "per_page": 2, "page": 2}
    response = get(woocommerce_emulator_url, "orders", params)
    total = int(response.headers["X-WP-Total"])
    assert len(ok(response)) == 2
    assert int(response.headers["X-WP-TotalPages"]) == -(-total // 2)
    links = dict(
        (rel, target)
        for target, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers["Link"])
    )
    assert set(links) == {"prev", "next"}
    assert "page=1" in links["prev"]
    assert "page=3" in links["next"]
    assert f"customer={customer}" in links["next"]


def test_offset_and_page_select_the_same_rows(woocommerce_emulator_url):
    customer = busiest_customer(woocommerce_emulator_url)
    mine = {"customer": customer, "per_page": 3}
    by_page = ok(get(woocommerce_emulator_url, "orders", {**mine, "page": 2}))
    by_offset = ok(get(woocommerce_emulator_url, "orders", {**mine, "offset": 3}))
    assert [o["id"] for o in by_page] == [o["id"] for o in by_offset]


def test_customer_zero_is_no_filter_and_include_selects_ids(woocommerce_emulator_url):
    url = woocommerce_emulator_url
    everything = get(url, "orders", {"per_page": 1})
    assert (
        get(url, "orders", {"customer": 0, "per_page": 1}).headers["X-WP-Total"]
        == (everything.headers["X-WP-Total"])
    )
    chosen = ok(get(url, "orders", {"include": "1001,1002,5", "per_page": 100}))
    assert sorted(o["id"] for o in chosen) == [1001, 1002]


def test_products_by_comma_separated_skus_any_case(woocommerce_emulator_url):
    first_three = {"per_page": 3, "orderby": "id", "order": "asc"}
    listed = ok(get(woocommerce_emulator_url, "products", first_three))
    skus = [p["sku"] for p in listed]
    asked = f"{skus[0]},{skus[1].lower()},NOPE-0000"
    found = ok(get(woocommerce_emulator_url, "products", {"sku": asked, "per_page": 100}))
    assert sorted(p["sku"] for p in found) == sorted(skus[:2])
    for product in found:
        assert MONEY.match(product["price"])
        assert product["status"] in ("publish", "draft")


def test_customers_by_email_match_any_case(woocommerce_emulator_url):
    customer = ok(get(woocommerce_emulator_url, "customers", {"per_page": 1}))[0]
    found = ok(get(woocommerce_emulator_url, "customers", {"email": customer["email"].upper()}))
    assert [c["id"] for c in found] == [customer["id"]]
    assert ok(get(woocommerce_emulator_url, "customers", {"email": "nobody@example.org"})) == []


def test_one_record_by_id(woocommerce_emulator_url):
    order = ok(get(woocommerce_emulator_url, "orders/1001"))
    assert order["id"] == 1001
    product = ok(get(woocommerce_emulator_url, "products", {"per_page": 1}))[0]
    assert ok(get(woocommerce_emulator_url, f"products/{product['id']}")) == product


# --- _fields, WordPress's global parameter -----------------------------------------------


def test_fields_cut_every_item_of_a_list_and_keep_the_totals(woocommerce_emulator_url):
    whole = get(woocommerce_emulator_url, "products", {"per_page": 5})
    cut = get(woocommerce_emulator_url, "products", {"per_page": 5, "_fields": "id, sku,price"})
    assert ok(cut) == [{k: p[k] for k in ("id", "sku", "price")} for p in ok(whole)]
    assert cut.headers["X-WP-Total"] == whole.headers["X-WP-Total"]
    assert 'rel="next"' in cut.headers["Link"]


def test_fields_keep_the_answers_own_order_of_keys(woocommerce_emulator_url):
    """As PHP's array_intersect_key keeps the data's order, not the order asked in."""
    whole = ok(get(woocommerce_emulator_url, "products", {"per_page": 3}))
    cut = ok(get(woocommerce_emulator_url, "products", {"per_page": 3, "_fields": "price,sku,id"}))
    assert [list(p) for p in cut] == [[k for k in p if k in ("id", "sku", "price")] for p in whole]


def test_a_listing_on_one_page_links_no_other(woocommerce_emulator_url):
    skus = [p["sku"] for p in ok(get(woocommerce_emulator_url, "products", {"per_page": 2}))]
    one_page = get(woocommerce_emulator_url, "products", {"sku": ",".join(skus)})
    assert len(ok(one_page)) == 2
    assert one_page.headers["X-WP-TotalPages"] == "1"
    assert "Link" not in one_page.headers


def test_fields_reach_into_objects_but_not_into_lists(woocommerce_emulator_url):
    order = ok(get(woocommerce_emulator_url, "orders/1001"))
    asked = {"_fields": "id,billing.email,line_items.sku,no_such_field"}
    cut = ok(get(woocommerce_emulator_url, "orders/1001", asked))
    # WordPress intersects a list's numbered keys with the names: nothing is left.
    assert cut == {"id": 1001, "billing": {"email": order["billing"]["email"]}, "line_items": []}
    # A parent asked for whole keeps all of it, before or after its sub-fields.
    for fields in ("billing.email,billing", "billing,billing.email"):
        cut = ok(get(woocommerce_emulator_url, "orders/1001", {"_fields": fields}))
        assert cut == {"billing": order["billing"]}


def test_fields_left_blank_or_on_an_error_change_nothing(woocommerce_emulator_url):
    order = ok(get(woocommerce_emulator_url, "orders/1001"))
    assert ok(get(woocommerce_emulator_url, "orders/1001", {"_fields": " , "})) == order
    missing = get(woocommerce_emulator_url, "orders/12", {"_fields": "id"})
    error(missing, 404, "woocommerce_rest_shop_order_invalid_id")


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("orders/12", "woocommerce_rest_shop_order_invalid_id"),
        ("products/999999", "woocommerce_rest_product_invalid_id"),
        ("customers/999999", "woocommerce_rest_invalid_id"),
        ("coupons", "rest_no_route"),
        ("orders/abc", "rest_no_route"),
    ],
)
def test_unknown_ids_and_routes_are_404(woocommerce_emulator_url, path, code):
    error(get(woocommerce_emulator_url, path), 404, code)


def test_bad_parameters_are_named_in_one_error(woocommerce_emulator_url):
    params = {"per_page": 500, "page": "two", "email": "not-an-email"}
    body = error(get(woocommerce_emulator_url, "customers", params), 400, "rest_invalid_param")
    assert set(body["data"]["params"]) == {"per_page", "page", "email"}
    assert body["message"].startswith("Invalid parameter(s): ")
    assert body["data"]["details"]["per_page"]["code"] == "rest_out_of_bounds"


# --- authentication ----------------------------------------------------------------------


def test_no_credentials_may_not_list(woocommerce_emulator_url):
    error(get(woocommerce_emulator_url, "orders", auth=None), 401, "woocommerce_rest_cannot_view")


@pytest.mark.parametrize(
    ("auth", "message"),
    [
        (WooCommerceAuth("ck_other", "cs_demo"), "Consumer key is invalid."),
        (
            WooCommerceAuth("ck_demo", "cs_other"),
            "Invalid signature - provided signature does not match.",
        ),
    ],
)
def test_wrong_oauth_keys_are_refused_on_any_route(woocommerce_emulator, auth, message):
    for path in ("orders", "coupons"):
        answer = woocommerce_emulator.get(f"{API}/{path}", auth=auth)
        body = error(answer, 401, "woocommerce_rest_authentication_error")
        assert body["message"] == message


def test_over_plain_http_basic_and_query_keys_are_not_looked_at(woocommerce_emulator):
    basic = woocommerce_emulator.get(f"{API}/orders", auth=AUTH)
    error(basic, 401, "woocommerce_rest_cannot_view")
    keys = {"consumer_key": "ck_demo", "consumer_secret": "cs_demo"}
    error(
        woocommerce_emulator.get(f"{API}/orders", params=keys), 401, "woocommerce_rest_cannot_view"
    )
    assert woocommerce_emulator.get(f"{API}/orders", auth=SIGNED).status_code == 200


def signed(method: str, path: str, **params: Any) -> str:
    url = httpx.URL(f"http://in-process{API}/{path}", params=params)
    return str(SIGNED.signed_url(method, url))


def test_a_signed_url_is_good_once(woocommerce_emulator):
    url = signed("GET", "orders", per_page=1)
    assert woocommerce_emulator.get(url).status_code == 200
    body = error(woocommerce_emulator.get(url), 401, "woocommerce_rest_authentication_error")
    assert body["message"] == "Invalid nonce - nonce has already been used."


def test_a_signature_covers_the_method_and_every_parameter(woocommerce_emulator):
    url = httpx.URL(signed("GET", "orders", per_page=1))
    changed = url.copy_set_param("per_page", "2")
    mismatch = "Invalid signature - provided signature does not match."
    assert (
        error(woocommerce_emulator.get(changed), 401, "woocommerce_rest_authentication_error")[
            "message"
        ]
        == mismatch
    )
    as_post = woocommerce_emulator.post(signed("GET", "orders"), json={})
    assert error(as_post, 401, "woocommerce_rest_authentication_error")["message"] == mismatch


def test_oauth_parameters_may_come_in_an_authorization_header(woocommerce_emulator):
    url = httpx.URL(signed("GET", "orders", per_page=1))
    oauth = {k: v for k, v in url.params.items() if k.startswith("oauth_")}
    header = "OAuth " + ", ".join(f'{k}="{quote(v, safe="")}"' for k, v in oauth.items())
    bare = url.copy_with(params={k: v for k, v in url.params.items() if k not in oauth})
    answer = woocommerce_emulator.get(bare, headers={"Authorization": header})
    assert answer.status_code == 200, answer.text


def test_stale_timestamps_missing_parameters_and_unknown_methods_are_refused():
    now = 2_000_000_000.0
    app = create_app(EmulatorOptions(clock=lambda: now))
    with serve_in_process(app) as shop:
        ok_url = httpx.URL(signed("GET", "orders"))
        stamp = int(ok_url.params["oauth_timestamp"])
        # The signature is good, the clock is far from the timestamp: 15 minutes at most.
        assert abs(stamp - now) > 15 * 60
        answer = error(shop.get(ok_url), 401, "woocommerce_rest_authentication_error")
        assert answer["message"] == "Invalid timestamp."

        partial = ok_url.copy_remove_param("oauth_nonce").copy_remove_param("oauth_signature")
        body = error(shop.get(partial), 401, "woocommerce_rest_authentication_missing_parameter")
        assert body["message"] == "Missing OAuth parameters oauth_nonce, oauth_signature"

        plaintext = ok_url.copy_set_param("oauth_signature_method", "PLAINTEXT")
        body = error(shop.get(plaintext), 401, "woocommerce_rest_authentication_error")
        assert body["message"] == "Invalid signature - signature method is invalid."


def test_over_https_basic_and_query_keys_are_taken():
    with serve_in_process(create_app(), base_url="https://shop.in-process") as shop:
        assert len(ok(shop.get(f"{API}/orders", auth=AUTH))) == 10
        params: dict[str, str | int] = {
            "consumer_key": "ck_demo",
            "consumer_secret": "cs_demo",
            "per_page": 2,
        }
        response = shop.get(f"{API}/orders", params=params)
        assert len(ok(response)) == 2
        assert "cs_demo" not in response.headers["Link"]
        assert "ck_demo" not in response.headers["Link"]
        # OAuth still works over HTTPS.
        assert shop.get(f"{API}/orders", params={"per_page": 1}, auth=SIGNED).status_code == 200


def test_over_https_a_wrong_secret_is_refused_and_an_unknown_key_is_anonymous():
    with serve_in_process(create_app(), base_url="https://shop.in-process") as shop:
        for path in ("orders", "coupons"):
            answer = shop.get(f"{API}/{path}", auth=("ck_demo", "cs_other"))
            body = error(answer, 401, "woocommerce_rest_authentication_error")
            assert body["message"] == "Consumer secret is invalid."
        unknown = shop.get(f"{API}/orders", auth=("ck_other", "cs_demo"))
        error(unknown, 401, "woocommerce_rest_cannot_view")


def test_a_read_only_key_may_not_write():
    with serve_in_process(create_app(EmulatorOptions(permissions="read"))) as shop:
        assert shop.get(f"{API}/orders", auth=SIGNED).status_code == 200
        answer = shop.post(f"{API}/orders", json={}, auth=SIGNED)
        body = error(answer, 401, "woocommerce_rest_authentication_error")
        assert body["message"] == "The API key provided does not have write permissions."


# --- call log and faults -----------------------------------------------------------------


def test_calls_are_counted_by_route_and_reset(woocommerce_emulator_url):
    calls = EmulatorCalls(woocommerce_emulator_url)
    calls.reset()
    get(woocommerce_emulator_url, "orders")
    get(woocommerce_emulator_url, "orders/1001")
    get(woocommerce_emulator_url, "products", {"sku": "X"})
    snapshot = calls.snapshot()
    assert snapshot == {
        "total": 3,
        "calls": {"GET /orders": 1, "GET /orders/<id>": 1, "GET /products": 1},
        "faults": {},
    }
    calls.reset()
    assert calls.total() == 0


@pytest.mark.slow
def test_faults_apply_to_the_api_but_not_to_the_controls():
    options = EmulatorOptions(faults=FaultOptions(fail_rate=1.0))
    with serve_in_thread(create_app(options)) as url:
        assert get(url, "orders").status_code == 503
        assert httpx.get(f"{url}/_emulator/calls").status_code == 200


@pytest.mark.slow
def test_rate_limit_answers_429_with_retry_after():
    limit = RateLimit(count=2, period_s=60)
    with serve_in_thread(create_app(EmulatorOptions(faults=FaultOptions(rate_limit=limit)))) as url:
        statuses = [get(url, "products").status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        assert int(get(url, "products").headers["Retry-After"]) >= 1
