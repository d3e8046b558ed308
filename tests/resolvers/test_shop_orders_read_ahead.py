"""A page of a customer's shop orders asks the ERP for their orders the moment it
arrives, when the query selects `erpOrder` (`resolvers.shop.reading_ahead`): before the
shop orders are built, in the one call each `erpOrder` then finds in its loader, with
the same answers; an `erpOrder` a directive may leave out is not read ahead. A shop
account asks for its pages of orders the same way."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

import httpx
import pytest

from erp_backends.odoo.adapter import OdooErp
from erp_backends.woocommerce.adapter import WooCommerceShop
from resolvers import loading
from resolvers.shop import reading_ahead
from resolvers.shop.types import ShopAccount, ShopOrder
from tests.harness import data_of, federated_settings, graphql
from tests.inprocess import in_process_gateway
from tests.resolvers.conftest import CRM, ERP, SHOP

SHOP_ORDERS = """query ($id: ID!) { customer(id: $id) { shop { orders(first: 20) {
    nodes { number erpOrder { number customer { id } } } } } } }"""
MAYBE = SHOP_ORDERS.replace("($id: ID!)", "($id: ID!, $with: Boolean!)").replace(
    "erpOrder", "erpOrder @include(if: $with)"
)
LINKED = """{ customers(first: 100) { nodes { id shop { orders(first: 1) { totalCount } } } } }"""


@pytest.fixture
def patched_gateway(odoo_emulator_app, hubspot_emulator_app, woocommerce_emulator_app):
    """A federated gateway of its own, made under the given patches: ports keep the
    methods they bind when the gateway is made."""
    emulators = {
        "erp": odoo_emulator_app,
        "crm": hubspot_emulator_app,
        "shop": woocommerce_emulator_app,
    }

    @contextmanager
    def patched(*patches: Any) -> Iterator[httpx.Client]:
        with ExitStack() as stack:
            for patch in patches:
                stack.enter_context(patch)
            yield stack.enter_context(
                in_process_gateway(federated_settings(ERP, CRM, SHOP), emulators)
            )

    return patched


def noting(events: list[str], what: Any, function: Any) -> Any:
    """`function`, noting `what` (or what `what` says of the arguments) in `events`
    before it runs."""

    def note(*args: Any) -> None:
        events.append(what(*args) if callable(what) else what)

    if inspect.iscoroutinefunction(function):

        async def noted_async(*args: Any) -> Any:
            note(*args)
            return await function(*args)

        return noted_async

    def noted(*args: Any) -> Any:
        note(*args)
        return function(*args)

    return noted


@pytest.fixture
def recording(patched_gateway):
    """A federated gateway of its own, recording when the ERP's orders are loaded ahead
    and asked for by reference, and when shop orders are built."""

    @contextmanager
    def record() -> Iterator[tuple[httpx.Client, list[str]]]:
        events: list[str] = []
        load_ahead = loading.load_ahead

        def started(load):
            if sys._getframe(1).f_code is reading_ahead.read_ahead_of_shop_orders.__code__:
                events.append("load started")  # not the account's page of orders
            load_ahead(load)

        erp_asked = noting(
            events, lambda _, refs: f"erp asked for {len(refs)}", OdooErp.orders_by_reference
        )
        with patched_gateway(
            mock.patch.object(OdooErp, "orders_by_reference", erp_asked),
            mock.patch.object(ShopOrder, "of", noting(events, "shop order built", ShopOrder.of)),
            mock.patch.object(reading_ahead, "load_ahead", started),
        ) as client:
            yield client, events

    return record


@pytest.fixture(scope="module")
def shop_customer(federated_gateway) -> str:
    nodes = data_of(graphql(federated_gateway, LINKED))["customers"]["nodes"]
    return next(n["id"] for n in nodes if n["shop"] and n["shop"]["orders"]["totalCount"] >= 5)


def test_the_erp_orders_are_asked_for_before_the_shop_orders_are_built(recording, shop_customer):
    with recording() as (client, events):
        answer = data_of(graphql(client, SHOP_ORDERS, {"id": shop_customer}))
    nodes = answer["customer"]["shop"]["orders"]["nodes"]
    asked = [e for e in events if e.startswith("erp asked")]
    assert asked == [f"erp asked for {len(nodes)}"]  # one call, for the whole page
    assert events[: len(nodes)] == ["load started"] * len(nodes)  # before any is built
    assert any(node["erpOrder"] for node in nodes)


def test_each_erp_order_is_the_one_its_erp_reference_names(federated_gateway, shop_customer):
    query = SHOP_ORDERS.replace("number customer { id }", "number customerReference")
    answer = data_of(graphql(federated_gateway, query, {"id": shop_customer}))
    linked = [n for n in answer["customer"]["shop"]["orders"]["nodes"] if n["erpOrder"]]
    assert linked
    for node in linked:
        assert node["erpOrder"]["customerReference"] == f"SHOP-{node['number']}"


@pytest.mark.parametrize("included", [False, True])
def test_an_erp_order_a_directive_may_leave_out_is_not_read_ahead(
    recording, shop_customer, included
):
    """`@include` may leave `erpOrder` out: it is not asked for ahead; included, each
    field loads it, in one call all the same."""
    with recording() as (client, events):
        answer = data_of(graphql(client, MAYBE, {"id": shop_customer, "with": included}))
    nodes = answer["customer"]["shop"]["orders"]["nodes"]
    assert "load started" not in events
    assert [e for e in events if e.startswith("erp asked")] == (
        [f"erp asked for {len(nodes)}"] if included else []
    )
    assert all(("erpOrder" in n) is included for n in nodes)


ACCOUNT_ORDERS = """query ($id: ID!) { customer(id: $id) { shop { email
    recent: orders(first: 3) { totalCount nodes { number } }
    orders(first: 20) { nodes { number } } } } }"""


def test_a_shop_account_asks_for_its_orders_before_it_is_built(patched_gateway, shop_customer):
    """The account's pages of orders are found by its id: asked for the moment the
    account arrives, one load per page the selection names, each the one its field then
    finds (no second call)."""
    events: list[str] = []
    shop_asked = noting(
        events,
        lambda _, ids, page: f"shop asked for {page.limit}",
        WooCommerceShop.orders_for_customers,
    )
    with patched_gateway(
        mock.patch.object(WooCommerceShop, "orders_for_customers", shop_asked),
        mock.patch.object(ShopAccount, "of", noting(events, "account built", ShopAccount.of)),
    ) as client:
        shop = data_of(graphql(client, ACCOUNT_ORDERS, {"id": shop_customer}))["customer"]["shop"]
    assert sorted(events[:2]) == ["shop asked for 20", "shop asked for 3"]
    assert events[2:] == ["account built"]
    assert shop["recent"]["totalCount"] >= 5
    assert shop["recent"]["nodes"] == shop["orders"]["nodes"][:3]
