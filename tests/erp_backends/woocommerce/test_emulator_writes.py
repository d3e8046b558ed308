"""Writes to the WooCommerce emulator, in-process, each test on a fresh shop: orders,
their notes, products and batches, with WooCommerce's answers and error codes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

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
    refused(send(shop, "POST", "customers/2", json={}), 404, "rest_no_route")
