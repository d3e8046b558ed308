"""Returns are capped at what was delivered less what was returned and what returns in
flight ask back: at acceptance by the reservation ledger (`returnable:<order>:<product>`),
over HTTP against the Odoo emulator, and by the worker (tests/erp_backends/odoo/
test_returnable.py)."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from decimal import Decimal

import pytest

from resolvers.node import encode_id
from tests.commands.conftest import STAFF, SYNC_WAIT_MS, customer_token
from tests.harness import data_of, graphql, odoo_rpc, odoo_settings, own_queue, running_gateway

# Starts an emulator and gateways with their workers on sockets.
pytestmark = pytest.mark.slow

RETURN = """
mutation($input: RequestReturnInput!) {
  requestReturn(input: $input) {
    receipt { commandId status returnNumber }
    userErrors { field code message }
  }
}
"""
RACERS = 20


def delivered_line(odoo, index):
    """The first delivered line (by the unit, with a SKU, at least 3 delivered) of the
    `index`-th order having one: each test takes an order of its own."""
    domain = [
        ["qty_delivered", ">=", 3],
        ["product_uom_id.name", "=", "Units"],
        ["product_id.default_code", "!=", False],
    ]
    fields = ["order_id", "product_id", "qty_delivered"]
    lines = odoo_rpc(odoo, "sale.order.line", "search_read", [domain], {"fields": fields})
    firsts = {line["order_id"][0]: line for line in reversed(lines)}
    line = sorted(firsts.values(), key=lambda found: found["id"])[index]
    [product] = odoo_rpc(
        odoo, "product.product", "read", [[line["product_id"][0]]], {"fields": ["default_code"]}
    )
    return {
        "order": encode_id("Order", str(line["order_id"][0])),
        "order_key": line["order_id"][0],
        "sku": product["default_code"],
        "delivered": Decimal(str(line["qty_delivered"])),
        "product_key": line["product_id"][0],
    }


def delivered_of(odoo, line) -> Decimal:
    """All the order delivered of the line's product (it may have several lines of it)."""
    domain = [["order_id", "=", line["order_key"]], ["product_id", "=", line["product_key"]]]
    rows = odoo_rpc(odoo, "sale.order.line", "search_read", [domain], {"fields": ["qty_delivered"]})
    return sum((Decimal(str(row["qty_delivered"])) for row in rows), Decimal(0))


def request_return(gateway, line, quantity=None, token=STAFF):
    lines = None if quantity is None else [{"sku": line["sku"], "quantity": str(quantity)}]
    variables = {"input": {"orderId": line["order"], "lines": lines}}
    return data_of(graphql(gateway, RETURN, variables, token=token))["requestReturn"]


def race(gateway, line, quantity, racers):
    with ThreadPoolExecutor(racers) as pool:
        calls = [pool.submit(request_return, gateway, line, quantity) for _ in range(racers)]
        return [call.result() for call in calls]


def accepted(payloads):
    return [p for p in payloads if p["receipt"] is not None]


def refusals(payloads):
    return [e for p in payloads if p["receipt"] is None for e in p["userErrors"]]


def asked_back_in_erp(odoo, line) -> Decimal:
    """What the ERP's returns of the order, not cancelled, ask back of the product."""
    pickings = odoo_rpc(
        odoo,
        "stock.picking",
        "search_read",
        [[["sale_id", "=", line["order_key"]], ["state", "!=", "cancel"]]],
        {"fields": ["id"]},
    )
    domain = [
        ["picking_id", "in", [p["id"] for p in pickings]],
        ["product_id", "=", line["product_key"]],
    ]
    moves = odoo_rpc(odoo, "stock.move", "search_read", [domain], {"fields": ["product_uom_qty"]})
    return sum((Decimal(str(m["product_uom_qty"])) for m in moves), Decimal(0))


def test_two_returns_of_the_same_delivered_units_take_them_once(gateway, odoo):
    # given an order that delivered `all` of a product
    line = delivered_line(odoo, 0)
    everything = delivered_of(odoo, line)

    # when two returns of all of it are requested at once
    payloads = race(gateway, line, everything, racers=2)

    # then one is confirmed, the other refused at its line's quantity
    [taken] = accepted(payloads)
    assert taken["receipt"]["status"] == "CONFIRMED", taken
    [refused] = refusals(payloads)
    assert (refused["code"], refused["field"]) == (
        "ORDER_NOT_RETURNABLE",
        ["lines", "0", "quantity"],
    )
    assert asked_back_in_erp(odoo, line) == everything


def test_twenty_concurrent_returns_never_ask_back_more_than_was_delivered(gateway, odoo):
    line = delivered_line(odoo, 1)
    everything = delivered_of(odoo, line)

    payloads = race(gateway, line, 1, racers=RACERS)

    taken = accepted(payloads)
    assert len(taken) == min(RACERS, int(everything)), payloads
    assert {p["receipt"]["status"] for p in taken} == {"CONFIRMED"}
    assert {e["code"] for e in refusals(payloads)} <= {"ORDER_NOT_RETURNABLE"}
    assert asked_back_in_erp(odoo, line) == len(taken) <= everything


def test_an_open_return_in_the_erp_is_in_the_snapshot(gateway, odoo):
    """A second gateway, with a ledger of its own that holds nothing of the first one's
    returns, still refuses: what it read from the ERP shows the open return."""
    line = delivered_line(odoo, 2)
    everything = delivered_of(odoo, line)
    first = request_return(gateway, line, everything - 1)
    assert first["receipt"]["status"] == "CONFIRMED", first
    settings = replace(odoo_settings(odoo), queue=own_queue(sync_wait_ms=SYNC_WAIT_MS))

    with running_gateway(settings) as other:
        refused = request_return(other, line, 2)
        taken = request_return(other, line, 1)

    [error] = refused["userErrors"]
    assert (error["code"], error["field"]) == ("ORDER_NOT_RETURNABLE", ["lines", "0", "quantity"])
    assert error["message"] == f"{line['sku']}: 1 C62 can still be returned, 2 asked"
    assert taken["receipt"]["status"] == "CONFIRMED", taken
    assert asked_back_in_erp(odoo, line) == everything


def test_a_return_of_everything_after_another_return_is_refused_at_the_order(gateway, odoo):
    line = delivered_line(odoo, 3)
    assert request_return(gateway, line, 1)["receipt"]["status"] == "CONFIRMED"

    refused = request_return(gateway, line)

    assert refused["receipt"] is None
    assert {(e["code"], tuple(e["field"])) for e in refused["userErrors"]} == {
        ("ORDER_NOT_RETURNABLE", ("orderId",))
    }
    assert any(e["message"].startswith(f"{line['sku']}: ") for e in refused["userErrors"])


def test_the_figures_are_only_for_a_caller_who_may_read_orders(gateway, odoo):
    # given an order of a customer whose product was all returned already
    line = delivered_line(odoo, 4)
    [order] = odoo_rpc(
        odoo, "sale.order", "read", [[line["order_key"]]], {"fields": ["partner_id"]}
    )
    [partner] = odoo_rpc(
        odoo,
        "res.partner",
        "read",
        [[order["partner_id"][0]]],
        {"fields": ["commercial_partner_id"]},
    )
    customer = encode_id("Customer", str(partner["commercial_partner_id"][0]))
    blind = customer_token(customer, scopes=frozenset({"orders:write", "products:read"}))
    assert request_return(gateway, line, delivered_of(odoo, line))["receipt"] is not None

    # when the customer, without orders:read, asks for some of it again, or all
    [some] = request_return(gateway, line, 1, token=blind)["userErrors"]
    [all_of_it] = request_return(gateway, line, token=blind)["userErrors"]

    # then it is refused without saying how much is left, or of which product
    assert some["code"] == all_of_it["code"] == "ORDER_NOT_RETURNABLE"
    assert some["message"] == f"{line['sku']}: 1 C62 cannot be returned"
    assert all_of_it == {
        "field": ["orderId"],
        "code": "ORDER_NOT_RETURNABLE",
        "message": "This order cannot be returned in full",
    }
