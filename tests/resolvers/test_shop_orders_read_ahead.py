"""A page of a customer's orders asks the shop for its shop orders the moment it
arrives, when the query selects `shopOrder` (`resolvers.orders.reading_ahead`): before
the orders' own fields are completed, in the one call each order's `shopOrder` then
finds in its loader, with the same answers as an order read alone; none is asked for
when the field is not selected, or may be left out by a directive."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import pytest

from erp_backends.woocommerce.adapter import WooCommerceShop
from resolvers.orders.types import Order
from tests.harness import data_of, federated_settings, graphql
from tests.inprocess import in_process_gateway
from tests.resolvers.conftest import CRM, ERP, SHOP

SHOP_ORDERS = """query ($id: ID!) { customer(id: $id) { orders(first: 50) { nodes {
    id number shopOrder { number status total { amount currency } } } } } }"""
ONE_ORDER = """query ($id: ID!) { order(id: $id) {
    id number shopOrder { number status total { amount currency } } } }"""
FIND_SHOP_CUSTOMER = """{ customers(first: 100) { nodes {
    id orders(first: 50) { nodes { channel } } } } }"""


@pytest.fixture(scope="module")
def shop_customer_id(federated_gateway) -> str:
    """The customer with most ERP orders that came from the shop."""
    customers = data_of(graphql(federated_gateway, FIND_SHOP_CUSTOMER))["customers"]["nodes"]
    return max(
        customers,
        key=lambda c: sum(o["channel"] == "SHOP" for o in c["orders"]["nodes"]),
    )["id"]


@pytest.fixture
def emulators(odoo_emulator_app, hubspot_emulator_app, woocommerce_emulator_app):
    return {"erp": odoo_emulator_app, "crm": hubspot_emulator_app, "shop": woocommerce_emulator_app}


@pytest.fixture
def shop_reads() -> Iterator[list[list[str]]]:
    """The numbers of each `orders_by_number` call to the shop."""
    reads: list[list[str]] = []
    orders_by_number = WooCommerceShop.orders_by_number

    async def counted(self, numbers):
        reads.append(list(numbers))
        return await orders_by_number(self, numbers)

    with mock.patch.object(WooCommerceShop, "orders_by_number", counted):
        yield reads


def test_the_shop_orders_are_asked_for_before_the_orders_are_built(emulators, shop_customer_id):
    events: list[str] = []
    orders_by_number, order_of = WooCommerceShop.orders_by_number, Order.of

    async def asked(self, numbers):
        events.append("shop orders asked")
        return await orders_by_number(self, numbers)

    def built(record):
        events.append("order built")
        return order_of(record)

    # A gateway of its own, made after the patches: ports keep the methods they bind.
    with (
        mock.patch.object(WooCommerceShop, "orders_by_number", asked),
        mock.patch.object(Order, "of", built),
        in_process_gateway(federated_settings(ERP, CRM, SHOP), emulators) as client,
    ):
        data_of(graphql(client, SHOP_ORDERS, {"id": shop_customer_id}))
    assert events.count("shop orders asked") == 1
    assert events.index("shop orders asked") < events.index("order built")


def test_shop_orders_read_ahead_are_each_orders_own_in_one_call(
    emulators, shop_reads, shop_customer_id
):
    with in_process_gateway(federated_settings(ERP, CRM, SHOP), emulators) as client:
        listed = data_of(graphql(client, SHOP_ORDERS, {"id": shop_customer_id}))
        from_shop = [o for o in listed["customer"]["orders"]["nodes"] if o["shopOrder"]]
        assert len(shop_reads) == 1
        assert len(from_shop) >= 2
        assert sorted(shop_reads[0]) == sorted(o["shopOrder"]["number"] for o in from_shop)
        for order in listed["customer"]["orders"]["nodes"][:10]:
            alone = data_of(graphql(client, ONE_ORDER, {"id": order["id"]}))["order"]
            assert alone == order


def test_the_shop_is_not_asked_when_no_shop_order_is_selected(
    emulators, shop_reads, shop_customer_id
):
    query = """query ($id: ID!) { customer(id: $id) { orders(first: 50) {
        nodes { number customerReference } } } }"""
    with in_process_gateway(federated_settings(ERP, CRM, SHOP), emulators) as client:
        data_of(graphql(client, query, {"id": shop_customer_id}))
    assert shop_reads == []


@pytest.mark.parametrize(("included", "reads"), [(False, 0), (True, 1)])
def test_shop_orders_a_directive_may_leave_out_are_not_read_ahead(
    emulators, shop_reads, shop_customer_id, included, reads
):
    """`@include` may leave `shopOrder` out: the shop is not asked ahead for what nobody
    may wait for; included, the orders' fields ask it, in one call all the same."""
    query = """query ($id: ID!, $with: Boolean!) { customer(id: $id) { orders(first: 50) {
        nodes { number shopOrder @include(if: $with) { number } } } } }"""
    with in_process_gateway(federated_settings(ERP, CRM, SHOP), emulators) as client:
        answer = data_of(graphql(client, query, {"id": shop_customer_id, "with": included}))
    assert len(shop_reads) == reads
    nodes = answer["customer"]["orders"]["nodes"]
    assert all(("shopOrder" in order) is included for order in nodes)
