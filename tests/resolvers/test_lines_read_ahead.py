"""A page of a customer's orders asks for the orders' lines the moment it arrives, when
the query selects them (`resolvers.orders.reading_ahead`): before the orders'
own fields are completed, in the one call each order's `lines` then finds in its
loader, with the same answers as an order read alone; lines a directive may leave out
are not read ahead."""

from __future__ import annotations

from unittest import mock

import pytest

from erp_backends.odoo.adapter import OdooErp
from resolvers.orders.types import Order
from tests.harness import EmulatorCalls, data_of, graphql, odoo_settings
from tests.inprocess import in_process_gateway
from tests.resolvers.conftest import ERP

ORDERS_LINES = """query ($id: ID!) { customer(id: $id) { orders(first: 30) { nodes {
    id number lines { description quantity { value unit } product { sku } } } } } }"""
ORDERS_PRODUCTS = """query ($id: ID!) {{ customer(id: $id) {{ orders(first: 30) {{ nodes {{
    lines {{ {selection} }} }} }} }} }}"""
ONE_ORDER = """query ($id: ID!) { order(id: $id) {
    id number lines { description quantity { value unit } product { sku } } } }"""


def line_reads(calls: EmulatorCalls) -> int:
    snapshot = calls.snapshot()["calls"]
    return int(snapshot.get("sale.order.line.search_read", 0))


def test_the_lines_are_asked_for_before_the_orders_are_built(odoo_emulator_app, customer_id):
    events: list[str] = []
    lines_for_orders, order_of = OdooErp.lines_for_orders, Order.of

    async def asked(self, ids):
        events.append("lines asked")
        return await lines_for_orders(self, ids)

    def built(record):
        events.append("order built")
        return order_of(record)

    # A gateway of its own, made after the patches: ports keep the methods they bind.
    with (
        mock.patch.object(OdooErp, "lines_for_orders", asked),
        mock.patch.object(Order, "of", built),
        in_process_gateway(odoo_settings(ERP), {"erp": odoo_emulator_app}) as client,
    ):
        orders = data_of(graphql(client, ORDERS_LINES, {"id": customer_id}))
    assert len(orders["customer"]["orders"]["nodes"]) == events.count("order built") == 30
    assert events.count("lines asked") == 1
    assert events.index("lines asked") < events.index("order built")


def test_lines_read_ahead_are_each_orders_own_in_one_call(gateway, emulator_calls, customer_id):
    emulator_calls.reset()
    orders = data_of(graphql(gateway, ORDERS_LINES, {"id": customer_id}))
    assert line_reads(emulator_calls) == 1
    listed = orders["customer"]["orders"]["nodes"]
    assert sum(len(order["lines"]) for order in listed) > 30
    for order in listed[:8]:
        alone = data_of(graphql(gateway, ONE_ORDER, {"id": order["id"]}))["order"]
        assert alone == order


def test_no_lines_are_read_when_none_are_selected(gateway, emulator_calls, customer_id):
    emulator_calls.reset()
    query = """query ($id: ID!) { customer(id: $id) { orders(first: 30) {
        nodes { number } } } }"""
    data_of(graphql(gateway, query, {"id": customer_id}))
    assert line_reads(emulator_calls) == 0


@pytest.mark.parametrize(("included", "reads"), [(False, 0), (True, 1)])
def test_lines_a_directive_may_leave_out_are_not_read_ahead(
    odoo_emulator_app, customer_id, included, reads
):
    """`@include` may leave the lines out: they are not asked for ahead (the ERP's
    rate limit is not spent on what nobody may wait for); included, each order's field
    loads them, in one call all the same."""
    asked: list[int] = []
    lines_for_orders = OdooErp.lines_for_orders

    async def counted(self, ids):
        asked.append(len(ids))
        return await lines_for_orders(self, ids)

    query = """query ($id: ID!, $with: Boolean!) { customer(id: $id) { orders(first: 30) {
        nodes { number lines @include(if: $with) { description } } } } }"""
    with (
        mock.patch.object(OdooErp, "lines_for_orders", counted),
        in_process_gateway(odoo_settings(ERP), {"erp": odoo_emulator_app}) as client,
    ):
        orders = data_of(graphql(client, query, {"id": customer_id, "with": included}))
    assert len(asked) == reads
    nodes = orders["customer"]["orders"]["nodes"]
    assert all(("lines" in order) is included for order in nodes)


def test_products_a_directive_may_leave_out_are_not_read_ahead(
    gateway, emulator_calls, customer_id
):
    """The lines are read ahead, but not their products, which `@include` may leave
    out: no products call when it does."""
    query = """query ($id: ID!) { customer(id: $id) { orders(first: 30) {
        nodes { number lines { description product @include(if: false) { sku } } } } } }"""
    emulator_calls.reset()
    orders = data_of(graphql(gateway, query, {"id": customer_id}))
    assert line_reads(emulator_calls) == 1
    assert emulator_calls.snapshot()["calls"].get("product.product.search_read", 0) == 0
    assert all(
        "product" not in line for o in orders["customer"]["orders"]["nodes"] for line in o["lines"]
    )


def test_lines_read_as_references_bring_their_products(gateway, emulator_calls, customer_id):
    """Read as references, the lines come with their products (Odoo's `web_search_read`
    reads both in one call): no products call follows, their stock is asked for at
    once, and they answer as the products read on their own do."""
    products = "product { sku name salesUnit stock { available { value } } }"
    query = ORDERS_PRODUCTS.format(selection=products)
    emulator_calls.reset()
    by_reference = data_of(graphql(gateway, query, {"id": customer_id}))
    calls = emulator_calls.snapshot()["calls"]
    assert calls.get("sale.order.line.web_search_read") == 1
    assert "product.product.search_read" not in calls
    assert calls.get("stock.quant.search_read") == 1
    whole = ORDERS_PRODUCTS.format(selection=f"description {products}")  # lines, then products
    read_alone = data_of(graphql(gateway, whole, {"id": customer_id}))
    assert emulator_calls.snapshot()["calls"].get("product.product.search_read") == 1
    lines = [line for o in read_alone["customer"]["orders"]["nodes"] for line in o["lines"]]
    assert [{"product": line["product"]} for line in lines] == [
        line for o in by_reference["customer"]["orders"]["nodes"] for line in o["lines"]
    ]
    assert any(line["product"]["stock"] for line in lines)
