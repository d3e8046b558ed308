"""Writes to the WooCommerce emulator, in-process, each test on a fresh shop: orders,
their notes, products, customers and batches, with WooCommerce's answers and error
codes; and OAuth signatures over form bodies."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, SIGNATURE_TYPE_AUTH_HEADER, Client

from erp_backends.woocommerce.auth import WooCommerceAuth
from erp_backends.woocommerce.emulator import create_app
from tests.inprocess import serve_in_process

API = "/wp-json/wc/v3"
SIGNED = WooCommerceAuth("ck_demo", "cs_demo")


@pytest.fixture
def shop():
    with serve_in_process(create_app()) as client:
        yield client


def send(shop: httpx.Client, method: str, path: str, **kw: Any) -> httpx.Response:
    return shop.request(method, f"{API}/{path}", auth=SIGNED, **kw)


def answer(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert (body["code"], body["data"]["status"]) == (code, status)
    return body


def a_product(shop: httpx.Client) -> dict[str, Any]:
    params = {"per_page": 1, "orderby": "id", "order": "asc", "status": "publish"}
    return answer(send(shop, "GET", "products", params=params))[0]


def test_an_order_is_created_priced_from_its_products_and_found_again(shop):
    product = a_product(shop)
    body = {
        "customer_id": 0,
        "set_paid": True,
        "billing": {"first_name": "Ann", "email": "ann@example.org"},
        "line_items": [{"product_id": product["id"], "quantity": 2}],
        "meta_data": [{"key": "_gateway_ref", "value": "SHOP-1"}],
    }
    order = answer(send(shop, "POST", "orders", json=body), 201)
    assert order["status"] == "processing"  # set_paid
    assert order["number"] == str(order["id"])
    assert order["total"] == f"{float(product['price']) * 2:.2f}"
    assert order["line_items"][0]["sku"] == product["sku"]
    assert order["meta_data"][0]["key"] == "_gateway_ref"
    assert order["date_paid_gmt"] is not None
    assert answer(send(shop, "GET", f"orders/{order['id']}")) == order
    found = answer(send(shop, "GET", "orders", params={"include": order["id"]}))
    assert [o["id"] for o in found] == [order["id"]]


def test_order_updates_and_their_errors(shop):
    changed = answer(send(shop, "PUT", "orders/1001", json={"status": "on-hold"}))
    assert changed["status"] == "on-hold"
    assert answer(send(shop, "GET", "orders/1001"))["status"] == "on-hold"
    refused(send(shop, "PUT", "orders/9", json={}), 400, "woocommerce_rest_shop_order_invalid_id")
    body = refused(
        send(shop, "PUT", "orders/1001", json={"status": "shipped"}), 400, "rest_invalid_param"
    )
    assert body["data"]["details"]["status"]["code"] == "rest_not_in_enum"
    refused(
        send(shop, "POST", "orders", json={"customer_id": 99999}),
        400,
        "woocommerce_rest_invalid_customer_id",
    )
    refused(
        send(shop, "POST", "orders", json={"line_items": [{"quantity": 1}]}),
        400,
        "woocommerce_rest_required_product_reference",
    )
    broken = shop.post(f"{API}/orders", content=b"{not json", auth=SIGNED)
    refused(broken, 400, "rest_invalid_json")


def test_deleting_an_order_trashes_it_once_and_force_removes_it(shop):
    assert answer(send(shop, "DELETE", "orders/1001"))["status"] == "trash"
    refused(send(shop, "DELETE", "orders/1001"), 410, "woocommerce_rest_already_trashed")
    answer(send(shop, "DELETE", "orders/1001", params={"force": "true"}))
    refused(send(shop, "GET", "orders/1001"), 404, "woocommerce_rest_shop_order_invalid_id")


def test_order_notes(shop):
    note = answer(
        send(shop, "POST", "orders/1001/notes", json={"note": "Shipped", "customer_note": True}),
        201,
    )
    assert (note["note"], note["customer_note"]) == ("Shipped", True)
    assert answer(send(shop, "GET", "orders/1001/notes")) == [note]
    assert answer(send(shop, "GET", f"orders/1001/notes/{note['id']}")) == note
    refused(send(shop, "POST", "orders/1001/notes", json={}), 400, "rest_missing_callback_param")
    refused(send(shop, "GET", "orders/9/notes"), 404, "woocommerce_rest_order_invalid_id")
    refused(
        send(shop, "DELETE", f"orders/1001/notes/{note['id']}"),
        501,
        "woocommerce_rest_trash_not_supported",
    )
    answer(send(shop, "DELETE", f"orders/1001/notes/{note['id']}", params={"force": "true"}))
    assert answer(send(shop, "GET", "orders/1001/notes")) == []


def test_product_updates_take_money_as_strings_and_keep_skus_unique(shop):
    product = a_product(shop)
    path = f"products/{product['id']}"
    changed = answer(send(shop, "PUT", path, json={"regular_price": "12.50"}))
    assert (changed["regular_price"], changed["price"]) == ("12.50", "12.50")
    on_sale = answer(send(shop, "PUT", path, json={"sale_price": "9.99"}))
    assert (on_sale["price"], on_sale["on_sale"]) == ("9.99", True)
    body = refused(send(shop, "PUT", path, json={"regular_price": 12.5}), 400, "rest_invalid_param")
    assert body["data"]["params"] == {"regular_price": "regular_price is not of type string."}
    stock = answer(send(shop, "PUT", path, json={"manage_stock": True, "stock_quantity": 0}))
    assert stock["stock_status"] == "outofstock"
    other = answer(send(shop, "GET", "products", params={"per_page": 2, "orderby": "id"}))[1]
    refused(send(shop, "PUT", path, json={"sku": other["sku"]}), 400, "product_invalid_sku")
    refused(send(shop, "PUT", "products/1", json={}), 400, "woocommerce_rest_product_invalid_id")


def test_a_batch_answers_each_item_on_its_own(shop):
    product = a_product(shop)
    body = {
        "create": [{"line_items": [{"product_id": product["id"], "quantity": 1}]}],
        "update": [{"id": 1001, "status": "completed"}, {"id": 9, "status": "completed"}],
        "delete": [1002, 9],
    }
    result = answer(send(shop, "POST", "orders/batch", json=body))
    assert result["create"][0]["status"] == "pending"
    assert result["update"][0]["status"] == "completed"
    assert result["update"][1]["error"]["code"] == "woocommerce_rest_shop_order_invalid_id"
    assert result["delete"][0]["id"] == 1002
    assert result["delete"][1] == {
        "id": 9,
        "error": {
            "code": "woocommerce_rest_shop_order_invalid_id",
            "message": "Invalid ID.",
            "data": {"status": 404},
        },
    }
    refused(send(shop, "GET", "orders/1002"), 404, "woocommerce_rest_shop_order_invalid_id")
    too_many = {"delete": list(range(1, 102))}
    refused(
        send(shop, "POST", "products/batch", json=too_many),
        413,
        "woocommerce_rest_request_entity_too_large",
    )


def test_anonymous_writes_are_refused_by_what_they_try(shop):
    cases = [
        ("POST", "orders", "woocommerce_rest_cannot_create"),
        ("PUT", "orders/1001", "woocommerce_rest_cannot_edit"),
        ("DELETE", "products/12", "woocommerce_rest_cannot_delete"),
        ("POST", "orders/batch", "woocommerce_rest_cannot_batch"),
    ]
    for method, path, code in cases:
        refused(shop.request(method, f"{API}/{path}", json={}), 401, code)
    refused(
        shop.post(f"{API}/customers", json={"email": "a@example.org"}),
        401,
        "woocommerce_rest_cannot_create",
    )
    refused(send(shop, "POST", "coupons", json={}), 404, "rest_no_route")


# --- customers -------------------------------------------------------------------------------


NEW_CUSTOMER = {
    "email": "Zoe.Quill@example.org",
    "first_name": "Zoe",
    "last_name": "Quill",
    "billing": {"city": "Lyon", "country": "FR", "phone": "+33 4 00 00 00 00"},
}


def test_a_customer_is_created_and_found_by_email(shop):
    created = answer(send(shop, "POST", "customers", json=NEW_CUSTOMER), 201)
    assert isinstance(created["id"], int)
    assert (created["email"], created["first_name"], created["role"]) == (
        "Zoe.Quill@example.org",
        "Zoe",
        "customer",
    )
    assert created["username"] == "zoe.quill"
    assert created["billing"]["city"] == "Lyon"
    assert created["billing"]["address_1"] == ""  # WooCommerce's blanks are ""
    assert created["is_paying_customer"] is False
    assert answer(send(shop, "GET", f"customers/{created['id']}")) == created
    found = answer(send(shop, "GET", "customers", params={"email": "zoe.quill@EXAMPLE.org"}))
    assert [c["id"] for c in found] == [created["id"]]


def test_creating_a_customer_refuses_taken_and_missing_emails(shop):
    existing = answer(send(shop, "GET", "customers", params={"per_page": 1}))[0]
    body = refused(
        send(shop, "POST", "customers", json={"email": existing["email"].upper()}),
        400,
        "registration-error-email-exists",
    )
    assert body["message"].startswith("An account is already registered with your email")
    refused(
        send(shop, "POST", "customers", json={"first_name": "A"}),
        400,
        "rest_missing_callback_param",
    )
    refused(
        send(shop, "POST", "customers", json={"email": "not-an-address"}),
        400,
        "registration-error-invalid-email",
    )
    refused(
        send(
            shop,
            "POST",
            "customers",
            json={"email": "u@example.org", "username": existing["username"]},
        ),
        400,
        "registration-error-username-exists",
    )
    refused(
        send(shop, "POST", "customers", json={"id": 5, "email": "u@example.org"}),
        400,
        "woocommerce_rest_customer_exists",
    )
    total = send(shop, "GET", "customers").headers["X-WP-Total"]
    assert send(shop, "GET", "customers").headers["X-WP-Total"] == total  # nothing was made


def test_customer_updates_and_their_errors(shop):
    first, second = answer(send(shop, "GET", "customers", params={"per_page": 2}))
    path = f"customers/{first['id']}"
    changed = answer(
        send(shop, "PUT", path, json={"last_name": "Renamed", "billing": {"city": "Bern"}})
    )
    assert (changed["last_name"], changed["billing"]["city"]) == ("Renamed", "Bern")
    assert changed["billing"]["email"] == first["billing"]["email"]  # the rest is kept
    assert changed["date_modified_gmt"] >= first["date_modified_gmt"]
    moved = answer(send(shop, "POST", path, json={"email": "moved@example.org"}))
    assert moved["email"] == "moved@example.org"
    assert answer(send(shop, "GET", path))["last_name"] == "Renamed"
    assert answer(send(shop, "GET", "customers", params={"email": first["email"]})) == []
    refused(
        send(shop, "PUT", path, json={"email": second["email"]}),
        400,
        "woocommerce_rest_customer_invalid_email",
    )
    refused(
        send(shop, "PUT", path, json={"username": "someone-else"}),
        400,
        "woocommerce_rest_customer_invalid_argument",
    )
    body = refused(send(shop, "PUT", path, json={"email": "nope"}), 400, "rest_invalid_param")
    assert body["data"]["details"]["email"]["code"] == "rest_invalid_email"
    refused(send(shop, "PUT", "customers/999999", json={}), 400, "woocommerce_rest_invalid_id")


def test_customers_cannot_be_trashed_only_deleted(shop):
    customer = answer(send(shop, "GET", "customers", params={"per_page": 1}))[0]
    path = f"customers/{customer['id']}"
    body = refused(send(shop, "DELETE", path), 501, "woocommerce_rest_trash_not_supported")
    assert body["message"] == "Customers do not support trashing."
    assert answer(send(shop, "GET", path))["id"] == customer["id"]  # still there
    assert answer(send(shop, "DELETE", path, params={"force": "true"}))["id"] == customer["id"]
    refused(send(shop, "GET", path), 404, "woocommerce_rest_invalid_id")
    refused(
        send(shop, "DELETE", path, params={"force": "true"}), 400, "woocommerce_rest_invalid_id"
    )
    refused(send(shop, "DELETE", "customers/999999"), 501, "woocommerce_rest_trash_not_supported")


def test_a_customer_batch_answers_each_item_on_its_own(shop):
    first, second = answer(send(shop, "GET", "customers", params={"per_page": 2}))
    body = {
        "create": [{"email": "batch.one@example.org"}, {"email": first["email"]}],
        "update": [{"id": first["id"], "first_name": "Batched"}, {"id": 999999, "first_name": "X"}],
        "delete": [second["id"], 999999],
    }
    result = answer(send(shop, "POST", "customers/batch", json=body))
    made, taken = result["create"]
    assert made["email"] == "batch.one@example.org"
    assert taken["id"] == 0
    assert taken["error"]["code"] == "registration-error-email-exists"
    assert taken["error"]["data"] == {"status": 400}
    assert result["update"][0]["first_name"] == "Batched"
    assert result["update"][1]["error"]["code"] == "woocommerce_rest_invalid_id"
    assert result["delete"][0]["id"] == second["id"]  # deleted: batches force
    assert result["delete"][1] == {
        "id": 999999,
        "error": {
            "code": "woocommerce_rest_invalid_id",
            "message": "Invalid resource id.",
            "data": {"status": 400},
        },
    }
    assert answer(send(shop, "GET", f"customers/{made['id']}"))["email"] == made["email"]
    assert answer(send(shop, "GET", f"customers/{first['id']}"))["first_name"] == "Batched"
    refused(send(shop, "GET", f"customers/{second['id']}"), 404, "woocommerce_rest_invalid_id")
    refused(shop.put(f"{API}/customers/batch", json={}), 401, "woocommerce_rest_cannot_batch")


# --- OAuth over form bodies ------------------------------------------------------------------


def form_post(shop: httpx.Client, path: str, form: str, *, sign_body: bool) -> httpx.Response:
    """A form POST signed by oauthlib with an `Authorization: OAuth` header; the body's
    parameters are in the signature (RFC 5849 3.4.1.3) unless `sign_body` is False."""
    url = f"{shop.base_url}{API}/{path}".replace("//wp-json", "/wp-json")
    signer = Client(
        "ck_demo",
        client_secret="cs_demo",
        signature_method=SIGNATURE_HMAC_SHA256,
        signature_type=SIGNATURE_TYPE_AUTH_HEADER,
    )
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    if sign_body:
        _, headers, _ = signer.sign(url, http_method="POST", body=form, headers=form_type)
    else:
        _, headers, _ = signer.sign(url, http_method="POST")
    return shop.post(url, content=form.encode(), headers={**form_type, **headers})


def test_oauth_signs_the_parameters_of_a_form_body(shop):
    form = "email=form.buyer%40example.org&first_name=Form&billing%5Bcity%5D=Gent"
    created = answer(form_post(shop, "customers", form, sign_body=True), 201)
    assert (created["email"], created["first_name"]) == ("form.buyer@example.org", "Form")
    assert created["billing"]["city"] == "Gent"
    assert answer(send(shop, "GET", f"customers/{created['id']}"))["first_name"] == "Form"


def test_a_signature_that_leaves_out_the_form_body_is_refused(shop):
    form = "note=Unsigned+note"
    body = refused(
        form_post(shop, "orders/1001/notes", form, sign_body=False),
        401,
        "woocommerce_rest_authentication_error",
    )
    assert body["message"] == "Invalid signature - provided signature does not match."
    assert answer(send(shop, "GET", "orders/1001/notes")) == []
    note = answer(form_post(shop, "orders/1001/notes", form, sign_body=True), 201)
    assert note["note"] == "Unsigned note"
