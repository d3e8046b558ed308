"""A customer with its orders, lines, products, stock, invoices and payments, in one
query through the gateway to the Odoo emulator."""

from decimal import Decimal

import pytest

from tests.harness import data_of, first_customer_id, graphql, odoo_rpc
from tests.resolvers.queries import CUSTOMER_360


@pytest.fixture(scope="module")
def customer_360(gateway, customer_id):
    return data_of(graphql(gateway, CUSTOMER_360, {"id": customer_id, "first": 50}))["customer"]


def test_the_customer_comes_with_its_newest_50_orders(customer_360, customer_id, odoo_emulator):
    # Given the seeded customer with the most orders, when the app asks for 50 of them,
    # then it gets the same 50 orders Odoo lists for that partner, newest first.
    partner = first_customer_id(odoo_emulator)
    newest_first = {"fields": ["name"], "order": "date_order desc, id desc", "limit": 50}
    of_partner = [["partner_id", "=", partner]]
    expected = odoo_rpc(odoo_emulator, "sale.order", "search_read", [of_partner], newest_first)
    orders = customer_360["orders"]
    assert customer_360["id"] == customer_id
    assert [o["number"] for o in orders["nodes"]] == [row["name"] for row in expected]
    assert orders["totalCount"] >= 60
    assert orders["pageInfo"]["hasNextPage"] is True
    assert {o["customer"]["id"] for o in orders["nodes"]} == {customer_id}


def test_order_lines_add_up_to_the_order(customer_360):
    for order in customer_360["orders"]["nodes"]:
        assert order["lines"], order["number"]
        subtotal = sum(Decimal(line["subtotal"]["amount"]) for line in order["lines"])
        assert subtotal == Decimal(order["untaxed"]["amount"]), order["number"]


def test_amounts_are_decimal_strings_never_floats(customer_360):
    order = customer_360["orders"]["nodes"][0]
    for money in (order["total"], order["untaxed"], order["lines"][0]["subtotal"]):
        assert isinstance(money["amount"], str)
        assert Decimal(money["amount"]).as_tuple().exponent == -2
        assert money["currency"] in {"EUR", "USD", "GBP", "CHF"}


def test_products_carry_stock_totals_and_warehouses(customer_360):
    stocked = [
        line["product"]
        for order in customer_360["orders"]["nodes"]
        for line in order["lines"]
        if line["product"] and line["product"]["stock"]
    ]
    assert stocked
    for product in stocked:
        stock = product["stock"]
        by_warehouse = sum(Decimal(w["onHand"]["value"]) for w in stock["warehouses"])
        assert Decimal(stock["onHand"]["value"]) == by_warehouse
        assert stock["onHand"]["unit"] == product["salesUnit"]
        assert {w["warehouse"]["code"] for w in stock["warehouses"]} <= {"WH", "CHI"}


def test_invoices_carry_their_payments(customer_360):
    invoices = [i for o in customer_360["orders"]["nodes"] for i in o["invoices"]]
    statuses = {i["paymentStatus"] for i in invoices}
    assert "PAID" in statuses
    for invoice in invoices:
        if invoice["paymentStatus"] == "PAID":
            assert Decimal(invoice["amountDue"]["amount"]) == 0
            assert invoice["payments"], invoice["number"]
        if invoice["paymentStatus"] == "NOT_PAID":
            assert invoice["amountDue"] == invoice["total"]
            assert invoice["payments"] == []


def test_the_customer_lists_invoices_and_payments_too(customer_360):
    assert customer_360["invoices"]["totalCount"] > 0
    assert customer_360["payments"]["totalCount"] > 0
    assert customer_360["addresses"][0]["kind"] == "MAIN"
    assert customer_360["addresses"][0]["countryCode"]


def test_backend_calls_grow_with_depth_not_with_list_length(gateway, customer_id, emulator_calls):
    # Given a warm gateway (logged in, field names known), when the same query asks for
    # 5 and then 50 orders with everything under them, then both cost the same few calls.
    graphql(gateway, CUSTOMER_360, {"id": customer_id, "first": 50})
    counts = {}
    for first in (5, 50):
        emulator_calls.reset()
        data_of(graphql(gateway, CUSTOMER_360, {"id": customer_id, "first": first}))
        counts[first] = emulator_calls.snapshot()
    assert counts[5]["total"] == counts[50]["total"], counts
    # The customer and its addresses (2), the orders' index, their accounts and the
    # orders (3), lines, products, stock (3), invoices and payments of the orders (2),
    # and the customer's own invoice and payment lists, an index and a read each (4).
    assert counts[50]["total"] <= 14, counts[50]
