"""A list of products, or an order's lines' products, read their stock and shop listing
with them when that is free (`resolvers.products.reading_ahead`), so each product
answers them without an await: the same answers, the same batched calls, the same
errors in the same places, and nothing read for a principal who may not see stock."""

from __future__ import annotations

import gc
from unittest import mock

import pytest

from erp_backends.emulation.faults import FaultOptions
from erp_backends.odoo import emulator as odoo
from erp_backends.odoo.adapter import OdooErp
from erp_backends.woocommerce import emulator as woocommerce
from gateway.auth.scopes import CUSTOMERS_READ, ORDERS_READ, PRODUCTS_READ
from resolvers.orders import lines
from resolvers.orders import types as order_types
from resolvers.products import queries
from resolvers.products.reading_ahead import ReadAhead, read_ahead
from tests.harness import (
    EmulatorCalls,
    data_of,
    error_codes,
    federated_settings,
    graphql,
    odoo_settings,
    token_for,
)
from tests.inprocess import in_process_gateway, serve_in_process
from tests.resolvers.conftest import ERP, SHOP

LIST = """query ($first: Int!) { products(first: $first) { nodes {
    sku stock { onHand { value unit } available { value }
                warehouses { warehouse { code } reserved { value } } } } } }"""
ONE = """query ($sku: String!) { product(sku: $sku) { sku stock { onHand { value unit }
    available { value } warehouses { warehouse { code } reserved { value } } } } }"""


LISTING = "shopListing { name published listedStock inSync price { amount currency } }"
LINES = f"""query ($id: ID!) {{ customer(id: $id) {{ orders(first: 30) {{ nodes {{
    lines {{ product {{ sku stock {{ available {{ value }} }} {LISTING} }} }} }} }} }} }}"""
ONE_LISTED = f"""query ($sku: String!) {{ product(sku: $sku) {{ sku
    stock {{ available {{ value }} }} {LISTING} }} }}"""


def stock_reads(calls: EmulatorCalls) -> int:
    return sum(n for key, n in calls.snapshot()["calls"].items() if key.startswith("stock.quant"))


def test_a_list_answers_each_products_stock_as_the_product_itself_does(gateway):
    listed = data_of(graphql(gateway, LIST, {"first": 30}))["products"]["nodes"]
    assert any(p["stock"] is None for p in listed)  # services
    assert any(p["stock"] for p in listed)
    for product in listed:
        alone = data_of(graphql(gateway, ONE, {"sku": product["sku"]}))["product"]
        assert alone == product


def test_a_list_reads_its_products_stock_in_one_call(gateway, emulator_calls):
    emulator_calls.reset()
    data_of(graphql(gateway, LIST, {"first": 50}))
    assert stock_reads(emulator_calls) == 1


def test_without_the_stock_scope_nothing_is_read_ahead(gateway, emulator_calls):
    emulator_calls.reset()
    token = token_for(scopes={PRODUCTS_READ})
    answer = graphql(gateway, LIST, {"first": 10}, token=token)
    assert set(error_codes(answer)) == {"FORBIDDEN"}
    assert answer["data"]["products"]["nodes"][0]["sku"]
    assert stock_reads(emulator_calls) == 0


def test_a_failed_stock_read_fails_each_products_stock_alone():
    """The ERP refuses the stock read: the products are listed, each stocked product's
    `stock` is null with the error at its own path, as when each asked for itself."""
    refusing = odoo.create_app(
        odoo.EmulatorOptions(
            seed=1, faults=FaultOptions(refuse=frozenset({"stock.quant.search_read"}))
        )
    )
    with in_process_gateway(odoo_settings(ERP), {"erp": refusing}) as client:
        answer = graphql(client, LIST, {"first": 20})
        nodes = answer["data"]["products"]["nodes"]
        assert all(product["sku"] for product in nodes)
        failed = {tuple(error["path"]) for error in answer["errors"]}
        stocked = {
            ("products", "nodes", i, "stock") for i, p in enumerate(nodes) if p["stock"] is None
        }
        assert failed
        assert failed <= stocked
        alone = graphql(client, ONE, {"sku": nodes[min(failed)[2]]["sku"]})
        assert {e["message"] for e in answer["errors"]} == {alone["errors"][0]["message"]}
        assert set(error_codes(answer)) == set(error_codes(alone))
    with serve_in_process(refusing) as emulator:
        assert stock_reads(EmulatorCalls(emulator)) >= 1  # the refusal was the ERP's


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ products(first: 5) { nodes { stock { onHand { value } } } } }", (True, False)),
        ("{ products(first: 5) { edges { node { stock { onHand { value } } } } } }", (True, False)),
        (
            "{ products(first: 5) { nodes { ...P } } } "
            "fragment P on Product { stock { onHand { value } } }",
            (True, False),
        ),
        ("{ products(first: 5) { nodes { sku name } } }", None),
        ("{ products(first: 5) { nodes { sku shopListing { published } } } }", (False, True)),
        # Side by side: the two reads ahead run as the two fields' loads would.
        (
            "{ products(first: 5) { nodes { stock { onHand { value } } "
            "shopListing { published } } } }",
            (True, True),
        ),
    ],
)
def test_what_a_list_of_products_reads_ahead(federated_gateway, query, expected):
    with mock.patch.object(queries, "read_ahead", wraps=read_ahead) as spy:
        data_of(graphql(federated_gateway, query))
    if expected is None:
        assert not spy.called
    else:
        assert spy.call_args.args[2] == ReadAhead(*expected)


def products_of_lines(answer: dict) -> list[dict]:
    """The lines' products of an answer, errors or not."""
    orders = answer["data"]["customer"]["orders"]["nodes"]
    return [line["product"] for order in orders for line in order["lines"] if line["product"]]


def test_order_lines_answer_their_products_as_each_product_itself_does(
    federated_gateway, customer_id
):
    with mock.patch.object(lines, "read_ahead", wraps=read_ahead) as spy:
        answer = graphql(federated_gateway, LINES, {"id": customer_id})
    assert "errors" not in answer
    assert spy.call_args.args[2] == ReadAhead(stock=True, listing=True)
    products = products_of_lines(answer)
    assert len(products) > 30
    assert any(p["shopListing"] and p["shopListing"]["inSync"] is not None for p in products)
    assert any(p["shopListing"] is None for p in products)  # not listed in the shop
    for product in {p["sku"]: p for p in products}.values():
        alone = data_of(graphql(federated_gateway, ONE_LISTED, {"sku": product["sku"]}))
        assert alone["product"] == product


def test_order_lines_read_their_products_stock_and_listings_in_one_batch_each(
    odoo_emulator_app, hubspot_emulator_app, customer_id
):
    shop = woocommerce.create_app()
    emulators = {"erp": odoo_emulator_app, "crm": hubspot_emulator_app, "shop": shop}
    settings = federated_settings(ERP, "http://crm.in-process", SHOP)
    with in_process_gateway(settings, emulators) as client, serve_in_process(shop) as shop_url:
        shop_calls = EmulatorCalls(shop_url)
        shop_calls.reset()
        products = products_of_lines(graphql(client, LINES, {"id": customer_id}))
        listing_reads = shop_calls.snapshot()["calls"]
    skus = {p["sku"] for p in products}
    # 100 SKUs per request (WooCommerce's per_page), all of them asked in one batch.
    assert sum(listing_reads.values()) == -(-len(skus) // 100)


def product_reads(calls: EmulatorCalls) -> int:
    return sum(n for key, n in calls.snapshot()["calls"].items() if key.startswith("product."))


LINE_PRODUCTS = """query ($id: ID!) { customer(id: $id) { orders(first: 30) { nodes {
    lines { description %s } } } } }"""


def test_order_lines_read_their_products_in_one_call_and_only_when_asked(
    gateway, emulator_calls, customer_id
):
    emulator_calls.reset()
    # Read with the lines: no line loads its product on its own.
    with mock.patch.object(order_types, "load_product") as line_by_line:
        asked = data_of(graphql(gateway, LINE_PRODUCTS % "product { sku }", {"id": customer_id}))
    assert not line_by_line.called
    assert product_reads(emulator_calls) == 1
    emulator_calls.reset()
    unasked = data_of(graphql(gateway, LINE_PRODUCTS % "", {"id": customer_id}))
    assert product_reads(emulator_calls) == 0
    orders = asked["customer"]["orders"]["nodes"]
    assert [[line["description"] for line in order["lines"]] for order in orders] == [
        [line["description"] for line in order["lines"]]
        for order in unasked["customer"]["orders"]["nodes"]
    ]
    assert sum(1 for order in orders for line in order["lines"] if line["product"]) > 30


def test_each_selection_of_lines_reads_what_it_asks(federated_gateway, customer_id):
    query = """query ($id: ID!) { customer(id: $id) { orders(first: 10) { nodes {
        plain: lines { product { sku } }
        stocked: lines { product { sku stock { available { value } } } } } } } }"""
    orders = data_of(graphql(federated_gateway, query, {"id": customer_id}))
    for order in orders["customer"]["orders"]["nodes"]:
        plain = [line["product"] for line in order["plain"]]
        stocked = [line["product"] for line in order["stocked"]]
        assert plain == [p and {"sku": p["sku"]} for p in stocked]
        assert all("stock" not in p for p in plain if p)
        assert all("stock" in p for p in stocked if p)


def test_a_failed_product_read_fails_each_lines_product_alone(customer_id):
    """The ERP refuses the products read: the lines are listed, each line's `product`
    is null with the error at its own path, as when each asked for itself."""
    refusing = odoo.create_app(
        odoo.EmulatorOptions(
            seed=1, faults=FaultOptions(refuse=frozenset({"product.product.search_read"}))
        )
    )
    with in_process_gateway(odoo_settings(ERP), {"erp": refusing}) as client:
        answer = graphql(client, LINE_PRODUCTS % "product { sku }", {"id": customer_id})
    orders = answer["data"]["customer"]["orders"]["nodes"]
    listed = [line for order in orders for line in order["lines"]]
    assert all(line["description"] for line in listed)
    assert all(line["product"] is None for line in listed)
    paths = {tuple(error["path"]) for error in answer["errors"]}
    assert {path[-1] for path in paths} == {"product"}
    assert len(paths) == len(answer["errors"]) > 30
    assert len(set(error_codes(answer))) == 1


def test_without_the_stock_scope_lines_read_no_stock_ahead(gateway, emulator_calls, customer_id):
    emulator_calls.reset()
    token = token_for(scopes={CUSTOMERS_READ, ORDERS_READ, PRODUCTS_READ})
    query = """query ($id: ID!) { customer(id: $id) { orders(first: 5) { nodes {
        lines { product { sku stock { available { value } } } } } } } }"""
    answer = graphql(gateway, query, {"id": customer_id}, token=token)
    assert set(error_codes(answer)) == {"FORBIDDEN"}
    assert products_of_lines(answer)[0]["sku"]
    assert stock_reads(emulator_calls) == 0


def test_a_failed_listing_read_fails_each_products_listing_alone(
    odoo_emulator_app, hubspot_emulator_app, customer_id
):
    """The shop is down: each listed product's `shopListing` is null with the error at
    its own path, as when each asked for itself; its stock is still answered."""
    down = woocommerce.create_app(woocommerce.EmulatorOptions(faults=FaultOptions(fail_rate=1)))
    emulators = {"erp": odoo_emulator_app, "crm": hubspot_emulator_app, "shop": down}
    settings = federated_settings(ERP, "http://crm.in-process", SHOP)
    with in_process_gateway(settings, emulators) as client:
        answer = graphql(client, LINES, {"id": customer_id})
    products = products_of_lines(answer)
    assert all(p["shopListing"] is None for p in products)
    assert all(p["stock"] for p in products if p["sku"] and p["stock"] is not None)
    assert any(p["stock"] for p in products)
    paths = {tuple(error["path"][-2:]) for error in answer["errors"]}
    assert paths == {("product", "shopListing")}
    assert len(answer["errors"]) == sum(1 for p in products if p["sku"])
    assert set(error_codes(answer)) == {"BACKEND_UNAVAILABLE"}


# Whole lines (their description too): read as references, Odoo's lines bring their
# products, and no products call is made at all (`tests/resolvers/test_lines_read_ahead.py`).
LINES_STOCK = """query ($id: ID!) { customer(id: $id) { orders(first: 30) { nodes {
    lines { description product { sku stock { onHand { value unit } available { value }
        warehouses { warehouse { code } reserved { value } } } } } } } } }"""


def test_lines_ask_for_their_products_stock_beside_the_products(odoo_emulator_app, customer_id):
    """Nothing is read after the products (no listing): the stock, which takes only the
    products' ids, is asked for before the products have answered, one round trip
    sooner, in one call; each product answers as it does alone."""
    events: list[str] = []
    products, stock = OdooErp.get_products, OdooErp.stock_for_products

    async def get_products(self, ids):
        events.append("products asked")
        found = await products(self, ids)
        events.append("products answered")
        return found

    async def stock_for_products(self, ids):
        events.append("stock asked")
        return await stock(self, ids)

    with (
        in_process_gateway(odoo_settings(ERP), {"erp": odoo_emulator_app}) as client,
        mock.patch.object(OdooErp, "get_products", get_products),
        mock.patch.object(OdooErp, "stock_for_products", stock_for_products),
    ):
        answer = data_of(graphql(client, LINES_STOCK, {"id": customer_id}))
        assert events.count("stock asked") == events.count("products asked") == 1
        assert events.index("stock asked") < events.index("products answered")
        listed = products_of_lines({"data": answer})
        assert any(p["stock"] is None for p in listed)  # services keep no stock
        assert any(p["stock"] and p["stock"]["warehouses"] for p in listed)
        for product in {p["sku"]: p for p in listed}.values():
            alone = data_of(graphql(client, ONE, {"sku": product["sku"]}))["product"]
            assert alone == product


def test_a_failed_stock_read_fails_each_lines_stock_alone(customer_id, caplog):
    """The ERP refuses the stock read asked for beside the products: each stocked
    product's `stock` is null with the error at its own path; the products themselves
    are answered, and no error is left unretrieved for asyncio to log."""
    refusing = odoo.create_app(
        odoo.EmulatorOptions(
            seed=1, faults=FaultOptions(refuse=frozenset({"stock.quant.search_read"}))
        )
    )
    with in_process_gateway(odoo_settings(ERP), {"erp": refusing}) as client:
        answer = graphql(client, LINES_STOCK, {"id": customer_id})
        gc.collect()  # an error never retrieved is logged when its future is freed
    listed = products_of_lines(answer)
    assert all(p["sku"] for p in listed)
    paths = {tuple(error["path"][-2:]) for error in answer["errors"]}
    assert paths == {("product", "stock")}
    # The stocked ones: a service keeps no stock, and answers null without an error.
    assert 0 < len(answer["errors"]) < sum(1 for p in listed if p["stock"] is None)
    assert len(set(error_codes(answer))) == 1
    assert "never retrieved" not in caplog.text
