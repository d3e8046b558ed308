"""A page of a customer's orders asks for the orders' lines the moment it arrives, when
the query selects them (`resolvers.orders.reading_ahead`): before the orders'
own fields are completed, in the one call each order's `lines` then finds in its
loader, with the same answers as an order read alone; lines a directive leaves out cost
that call, but a failure of it is not logged as never retrieved."""

from __future__ import annotations

import gc
from unittest import mock

from erp_backends.emulation.faults import FaultOptions
from erp_backends.odoo import emulator as odoo
from erp_backends.odoo.adapter import OdooErp
from resolvers.orders.types import Order
from tests.harness import EmulatorCalls, data_of, graphql, odoo_settings
from tests.inprocess import in_process_gateway
from tests.resolvers.conftest import ERP

ORDERS_LINES = """query ($id: ID!) { customer(id: $id) { orders(first: 30) { nodes {
    id number lines { description quantity { value unit } product { sku } } } } } }"""
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


def test_a_failed_read_of_lines_left_out_is_not_logged(customer_id, caplog):
    """`@include` leaves the lines out after they were asked for, and the ERP refuses
    them: nobody waits for that answer, and its error is neither in the answer nor in
    the log as an exception never retrieved."""
    refusing = odoo.create_app(
        odoo.EmulatorOptions(
            seed=1, faults=FaultOptions(refuse=frozenset({"sale.order.line.search_read"}))
        )
    )
    query = """query ($id: ID!, $with: Boolean!) { customer(id: $id) { orders(first: 30) {
        nodes { number lines @include(if: $with) { description } } } } }"""
    with in_process_gateway(odoo_settings(ERP), {"erp": refusing}) as client:
        answer = graphql(client, query, {"id": customer_id, "with": False})
        gc.collect()  # an error never retrieved is logged when its future is freed
    assert "errors" not in answer
    assert all("lines" not in order for order in answer["data"]["customer"]["orders"]["nodes"])
    assert "never retrieved" not in caplog.text
