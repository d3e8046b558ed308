"""A customer read by its id asks for the pages of its orders that the query selects
beside the customer itself (`resolvers.customers.types`): they are found by the key
the query names, so they do not wait for the customer's answer. The same pages, each in
the one call the `orders` field then finds in its loader, with the same answers; never
for a principal who may not see them, and no error logged for a page nobody awaits."""

from __future__ import annotations

import gc
import time
from unittest import mock

import pytest

from erp_backends.emulation.faults import FaultOptions
from erp_backends.odoo import emulator as odoo
from erp_backends.odoo.adapter import OdooErp
from gateway.auth.principal import PrincipalKind
from gateway.auth.scopes import CUSTOMERS_READ
from tests.harness import EmulatorCalls, data_of, error_codes, graphql, odoo_settings, token_for
from tests.inprocess import in_process_gateway
from tests.resolvers.conftest import ERP
from tests.resolvers.queries import encode

ORDERS = """query ($id: ID!, $first: Int!) { customer(id: $id) { name
    orders(first: $first) { totalCount nodes { number total { amount } } } } }"""
# Two pages under two aliases, one through a fragment, one with a literal argument.
PAGES = """...recent all: orders(first: 30) { nodes { number } }"""
RECENT = """fragment recent on Customer { recent: orders(first: 3) {
    totalCount nodes { number } } }"""
TWO_PAGES = f"query ($id: ID!) {{ customer(id: $id) {{ email {PAGES} }} }} {RECENT}"
LISTED = f"""query ($email: String!) {{ customers(search: $email) {{ nodes {{ id {PAGES} }} }} }}
    {RECENT}"""


def order_searches(calls: EmulatorCalls) -> int:
    return int(calls.snapshot()["calls"].get("sale.order.search_read", 0))


def test_the_orders_are_asked_for_before_the_customer_answers(odoo_emulator_url, customer_id):
    events: list[str] = []
    get_customers, orders_for_customers = OdooErp.get_customers, OdooErp.orders_for_customers

    async def customers(self, ids):
        found = await get_customers(self, ids)
        events.append("customer answered")
        return found

    async def orders(self, ids, page):
        events.append("orders asked")
        return await orders_for_customers(self, ids, page)

    # A gateway of its own, made after the patches (ports keep the methods they bind),
    # over HTTP: an emulator on the same loop may answer before the next task starts.
    with (
        mock.patch.object(OdooErp, "get_customers", customers),
        mock.patch.object(OdooErp, "orders_for_customers", orders),
        in_process_gateway(odoo_settings(odoo_emulator_url), {}) as client,
    ):
        data_of(graphql(client, ORDERS, {"id": customer_id, "first": 5}))
    assert events == ["orders asked", "customer answered"]


def test_the_pages_read_ahead_answer_as_the_list_of_customers_does(
    gateway, emulator_calls, customer_id
):
    """`customers` reads its customers' orders after them: the same pages answer the
    same, and each page read ahead is one call."""
    emulator_calls.reset()
    ahead = data_of(graphql(gateway, TWO_PAGES, {"id": customer_id}))["customer"]
    assert order_searches(emulator_calls) == 2
    listed = data_of(graphql(gateway, LISTED, {"email": ahead["email"]}))["customers"]["nodes"]
    mine = next(c for c in listed if c["id"] == customer_id)
    assert {"email": ahead["email"], "recent": mine["recent"], "all": mine["all"]} == ahead
    assert ahead["recent"]["totalCount"] > 30
    assert len(ahead["all"]["nodes"]) == 30


def test_no_orders_are_read_for_a_customer_bound_to_another(gateway, emulator_calls, customer_id):
    """A customer probing another's id: NOT_FOUND, and no orders asked of the ERP."""
    others = data_of(graphql(gateway, "{ customers(first: 5) { nodes { id } } }"))
    another = next(c["id"] for c in others["customers"]["nodes"] if c["id"] != customer_id)
    other = token_for(PrincipalKind.CUSTOMER, customer_id=another)
    emulator_calls.reset()
    answer = graphql(gateway, ORDERS, {"id": customer_id, "first": 5}, token=other)
    assert error_codes(answer) == ["NOT_FOUND"]
    assert order_searches(emulator_calls) == 0


def test_no_orders_are_read_without_the_scope(gateway, emulator_calls, customer_id):
    emulator_calls.reset()
    answer = graphql(
        gateway, ORDERS, {"id": customer_id, "first": 5}, token=token_for(scopes={CUSTOMERS_READ})
    )
    assert error_codes(answer) == ["FORBIDDEN"]
    assert answer["data"]["customer"]["name"]
    assert order_searches(emulator_calls) == 0


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (ORDERS, {"first": 500}),  # refused by the field itself: BAD_USER_INPUT
        (ORDERS.replace("orders(first: $first)", "orders(first: $first) @skip(if: true)"), {}),
        # under a directive of a fragment's spread
        (
            "query ($id: ID!) { customer(id: $id) { name ...recent @skip(if: true) } } " + RECENT,
            {},
        ),
    ],
)
def test_pages_the_field_will_not_read_are_not_read_ahead(
    gateway, emulator_calls, customer_id, query, variables
):
    emulator_calls.reset()
    answer = graphql(gateway, query, {"id": customer_id, "first": 5, **variables})
    assert order_searches(emulator_calls) == 0
    assert answer["data"]["customer"]["name"]


def test_a_customer_not_found_leaves_its_orders_unread(gateway, emulator_calls):
    emulator_calls.reset()
    answer = graphql(gateway, ORDERS, {"id": encode("Customer", 999_999), "first": 5})
    assert error_codes(answer) == ["NOT_FOUND"]
    assert answer["data"] == {"customer": None}
    # Asked for beside the customer, and so still on its way when the customer's
    # NOT_FOUND has answered the query (CI, on a loaded machine, counted none).
    deadline = time.monotonic() + 30
    while order_searches(emulator_calls) == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert order_searches(emulator_calls) == 1


def test_a_failed_read_of_orders_nobody_awaits_is_not_logged(caplog):
    """The customer is not found and the ERP refuses its orders: the answer is the
    customer's NOT_FOUND alone, and the orders' error is not logged as never retrieved."""
    refusing = odoo.create_app(
        odoo.EmulatorOptions(
            seed=1, faults=FaultOptions(refuse=frozenset({"sale.order.search_read"}))
        )
    )
    with in_process_gateway(odoo_settings(ERP), {"erp": refusing}) as client:
        answer = graphql(client, ORDERS, {"id": encode("Customer", 999_999), "first": 5})
        gc.collect()  # an error never retrieved is logged when its future is freed
    assert error_codes(answer) == ["NOT_FOUND"]
    assert "never retrieved" not in caplog.text
