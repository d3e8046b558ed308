"""What the worker would refuse later (or the ERP record wrongly) is refused at acceptance,
over HTTP against an Odoo emulator: each with its user error at the input at fault, and
nothing reaching the ERP. Countries in their common spellings reach it as ISO alpha-2."""

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest

from erp_backends.errors import UserErrorCode
from resolvers.node import encode_id
from resolvers.orders.input_checks import text_errors
from tests.commands.conftest import STAFF, customer_token, orders_with_reference
from tests.commands.test_mutations import PLACE, delivered_order, open_invoice, place
from tests.harness import EmulatorCalls, bearer, data_of, graphql, odoo_rpc

# Starts an emulator and a gateway with its worker on sockets.
pytestmark = pytest.mark.slow

PAY = """
mutation($input: PayInvoiceInput!) {
  payInvoice(input: $input) {
    receipt { status payment { amount { amount currency } } }
    userErrors { field code message }
  }
}
"""
RETURN = """
mutation($input: RequestReturnInput!) {
  requestReturn(input: $input) { receipt { status } userErrors { field code message } }
}
"""
REORDER = """
mutation($input: ReorderInput!) {
  reorder(input: $input) { receipt { status } userErrors { field code message } }
}
"""

REORDER_LINES = """
mutation($input: ReorderInput!) {
  reorder(input: $input) {
    receipt { status order { lines { quantity { value } product { sku } } } }
    userErrors { field code message }
  }
}
"""


def errors_of(payload) -> list[tuple[str, list[str] | None]]:
    """The code and field of each user error of a refusal at acceptance: no receipt,
    so no command was queued (one the worker refused later would have a receipt)."""
    assert payload["receipt"] is None, payload["receipt"]
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


def request_return(gateway, order, **fields) -> dict:
    variables = {"input": {"orderId": order, **fields}}
    return data_of(graphql(gateway, RETURN, variables, token=STAFF))["requestReturn"]


def count(odoo, model, domain=()) -> int:
    return odoo_rpc(odoo, model, "search_count", [list(domain)])


@pytest.fixture
def orders_unchanged(odoo):
    """The test's requests create no sale order in the ERP."""
    before = count(odoo, "sale.order")
    yield
    assert count(odoo, "sale.order") == before


def address(**fields):
    return {"name": "Dock 4", "street": f"{uuid.uuid4().hex[:8]} Main St", "city": "Reno", **fields}


def shipping_country(odoo, command_id) -> tuple[str, str | None]:
    """The country and state codes of the delivery address of the command's ERP order."""
    [order] = odoo_rpc(
        odoo,
        "sale.order",
        "search_read",
        [[["client_order_ref", "=", f"EGW-{command_id}"]]],
        {"fields": ["partner_shipping_id"]},
    )
    [partner] = odoo_rpc(
        odoo,
        "res.partner",
        "read",
        [[order["partner_shipping_id"][0]]],
        {"fields": ["country_id", "state_id"]},
    )
    [country] = odoo_rpc(odoo, "res.country", "read", [[partner["country_id"][0]]], {})
    state = None
    if partner["state_id"]:
        [row] = odoo_rpc(odoo, "res.country.state", "read", [[partner["state_id"][0]]], {})
        state = row["code"]
    return country["code"], state


# Countries and regions -----------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["USA", "U.S.A.", "United States", "us", "840"])
def test_the_united_states_in_any_spelling_reaches_the_erp_as_us(
    gateway, odoo, buyer, line, spelling
):
    # Given a shipping address whose country is spelt as people spell it
    answer = place(gateway, buyer, line, shippingAddress=address(countryCode=spelling))
    # Then the order is done, and its delivery address is in the country US
    assert answer["userErrors"] == []
    assert answer["receipt"]["status"] == "CONFIRMED"
    assert shipping_country(odoo, answer["receipt"]["commandId"]) == ("US", None)


def test_a_region_is_read_within_its_country(gateway, odoo, buyer, line):
    answer = place(gateway, buyer, line, shippingAddress=address(countryCode="USA", region="ca"))
    assert answer["receipt"]["status"] == "CONFIRMED"
    assert shipping_country(odoo, answer["receipt"]["commandId"]) == ("US", "CA")


def test_a_full_region_code_names_the_country(gateway, odoo, buyer, line):
    answer = place(gateway, buyer, line, shippingAddress=address(region="us-tx"))
    assert answer["receipt"]["status"] == "CONFIRMED"
    assert shipping_country(odoo, answer["receipt"]["commandId"]) == ("US", "TX")


@pytest.mark.parametrize("spelling", ["Atlantis", "XX", "USAA", "EU", "999"])
def test_an_unknown_country_is_refused_at_acceptance(
    gateway, buyer, line, orders_unchanged, spelling
):
    answer = place(gateway, buyer, line, shippingAddress=address(countryCode=spelling))
    assert errors_of(answer) == [("UNKNOWN_COUNTRY", ["shippingAddress", "countryCode"])]


def test_a_region_of_another_country_is_refused(gateway, buyer, line, orders_unchanged):
    refused = address(countryCode="US", region="DE-BY")
    answer = place(gateway, buyer, line, shippingAddress=refused)
    assert errors_of(answer) == [("UNKNOWN_REGION", ["shippingAddress", "region"])]
    answer = place(gateway, buyer, line, shippingAddress=address(region="Narnia"))
    assert errors_of(answer) == [("UNKNOWN_REGION", ["shippingAddress", "region"])]


def test_twenty_concurrent_bad_requests_all_get_the_user_error(
    gateway, buyer, line, orders_unchanged
):
    variables = {"input": {"lines": line, "shippingAddress": address(countryCode="Atlantis")}}

    def send(_):
        return data_of(graphql(gateway, PLACE, variables, token=buyer))["placeOrder"]

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(send, range(20)))
    assert all(
        errors_of(a) == [("UNKNOWN_COUNTRY", ["shippingAddress", "countryCode"])] for a in answers
    )


# Sizes ---------------------------------------------------------------------------------


def test_too_many_lines_are_refused_before_any_product_is_looked_up(
    gateway, odoo, buyer, orders_unchanged
):
    calls = EmulatorCalls(odoo)
    calls.reset()
    # 30,000 lines of distinct SKUs: as many as a 1 MiB body holds
    lines = [{"sku": f"N-{i}", "quantity": "1"} for i in range(30_000)]
    answer = place(gateway, buyer, lines)
    assert errors_of(answer) == [("TOO_MANY_LINES", ["lines"])]
    assert "30000 lines; at most 200" in answer["userErrors"][0]["message"]
    assert not [call for call in calls.snapshot()["calls"] if call.startswith("product.")]


def test_two_hundred_lines_pass_and_one_more_does_not(gateway, buyer, line, orders_unchanged):
    answer = place(gateway, buyer, [{"sku": "NO-SUCH-SKU", "quantity": "1"}] * 200)
    assert {code for code, _ in errors_of(answer)} == {"UNKNOWN_SKU"}
    answer = place(gateway, buyer, line * 201)
    assert errors_of(answer) == [("TOO_MANY_LINES", ["lines"])]


def test_a_reorder_with_too_many_changes_is_refused(gateway, catalogue, buyer, orders_unchanged):
    order = catalogue["customers"][0]["orders"]["nodes"][0]["id"]
    changes = [{"sku": f"N-{i}", "quantity": "1"} for i in range(5_000)]
    answer = data_of(
        graphql(gateway, REORDER, {"input": {"orderId": order, "lines": changes}}, token=buyer)
    )["reorder"]
    assert errors_of(answer) == [("TOO_MANY_LINES", ["lines"])]


def test_a_reorder_applies_the_last_change_of_each_sku(gateway, catalogue, buyer):
    first, second = catalogue["products"][0]["sku"], catalogue["products"][1]["sku"]
    past = place(
        gateway, buyer, [{"sku": first, "quantity": "1"}, {"sku": second, "quantity": "2"}]
    )
    changes = [
        {"sku": second, "quantity": "5"},
        {"sku": first, "quantity": "3"},
        {"sku": second, "quantity": "0"},
    ]
    variables = {"input": {"orderId": past["receipt"]["order"]["id"], "lines": changes}}
    answer = data_of(graphql(gateway, REORDER_LINES, variables, token=buyer))["reorder"]
    assert answer["userErrors"] == []
    lines = answer["receipt"]["order"]["lines"]
    assert [(line["product"]["sku"], Decimal(line["quantity"]["value"])) for line in lines] == [
        (first, Decimal(3))
    ]


def test_a_return_with_too_many_lines_or_a_long_reason_is_refused(gateway, odoo):
    order = delivered_order(odoo)
    returns = count(odoo, "stock.picking")
    lines = [{"sku": "N", "quantity": "1"}] * 201
    answer = request_return(gateway, order, lines=lines)
    assert errors_of(answer) == [("TOO_MANY_LINES", ["lines"])]
    reason = "x" * 2001
    answer = request_return(gateway, order, reason=reason)
    assert errors_of(answer) == [("TEXT_TOO_LONG", ["reason"])]
    assert count(odoo, "stock.picking") == returns


def test_a_200_kb_note_and_a_100_kb_address_name_are_refused(
    gateway, buyer, line, orders_unchanged
):
    answer = place(gateway, buyer, line, note="n" * 200_000)
    assert errors_of(answer) == [("TEXT_TOO_LONG", ["note"])]
    answer = place(gateway, buyer, line, shippingAddress=address(name="n" * 100_000))
    assert errors_of(answer) == [("TEXT_TOO_LONG", ["shippingAddress", "name"])]
    long_city = address(city="c" * 201, postalCode="p" * 201)
    answer = place(gateway, buyer, line, shippingAddress=long_city)
    assert errors_of(answer) == [
        ("TEXT_TOO_LONG", ["shippingAddress", "postalCode"]),
        ("TEXT_TOO_LONG", ["shippingAddress", "city"]),
    ]


def test_text_the_erp_cannot_store_is_refused(gateway, buyer, line, orders_unchanged):
    # PostgreSQL stores no NUL
    answer = place(gateway, buyer, line, note="fragile\x00")
    assert errors_of(answer) == [("INVALID_TEXT", ["note"])]
    answer = place(gateway, buyer, line, shippingAddress=address(street="1 Main St\nApt 2"))
    assert errors_of(answer) == [("INVALID_TEXT", ["shippingAddress", "street"])]


def test_a_multiline_note_within_the_limit_is_kept(gateway, odoo, buyer, line):
    note = "Ring twice.\nLeave at the back door."
    answer = place(gateway, buyer, line, note=note)
    assert answer["receipt"]["status"] == "CONFIRMED"
    [order] = orders_with_reference(odoo, f"EGW-{answer['receipt']['commandId']}")
    [row] = odoo_rpc(
        odoo, "sale.order", "search_read", [[["name", "=", order["name"]]]], {"fields": ["note"]}
    )
    assert note in row["note"]


def test_a_lone_surrogate_is_invalid_text(gateway, buyer, line, orders_unchanged):
    # "\ud800" in the request's JSON: a str Python holds, but no UTF-8 can encode
    # (nor httpx's `json=`: the body is written by hand, as an ASCII escape)
    variables = {"input": {"lines": line, "note": "fragile \ud800"}}
    body = json.dumps({"query": PLACE, "variables": variables})
    headers = {**bearer(buyer), "content-type": "application/json"}
    response = httpx.post(f"{gateway}/graphql", content=body, headers=headers, timeout=30)
    answer = data_of(response.json())["placeOrder"]
    assert errors_of(answer) == [("INVALID_TEXT", ["note"])]
    [error] = text_errors("\ud800", 10, ("note",), multiline=True)
    assert (error.code, error.field) == (UserErrorCode.INVALID_TEXT, ["note"])
    assert text_errors("Straße 1\u00a0b", 20, ("street",)) == []


# Quantities ----------------------------------------------------------------------------


def test_quantities_a_float_cannot_carry_are_refused(gateway, buyer, catalogue, orders_unchanged):
    sku = catalogue["products"][0]["sku"]
    answer = place(
        gateway,
        buyer,
        [
            {"sku": sku, "quantity": "1" + "0" * 20},
            {"sku": sku, "quantity": "1000000000"},
            {"sku": sku, "quantity": "1", "unit": "Pack of 10000000000"},
        ],
    )
    assert errors_of(answer) == [
        ("INVALID_QUANTITY", ["lines", "0", "quantity"]),
        ("INVALID_QUANTITY", ["lines", "1", "quantity"]),
        ("INVALID_QUANTITY", ["lines", "2", "quantity"]),
    ]


# Returns -------------------------------------------------------------------------------


def delivered_lines(gateway, order) -> list[dict]:
    query = "query($id: ID!) { order(id: $id) { lines { delivered { value } product { sku } } } }"
    lines = data_of(graphql(gateway, query, {"id": order}))["order"]["lines"]
    return [line for line in lines if line["product"] and Decimal(line["delivered"]["value"])]


def test_a_return_of_more_than_was_delivered_is_refused_at_acceptance(gateway, odoo):
    order = delivered_order(odoo)
    sent = delivered_lines(gateway, order)[0]
    too_many = str(Decimal(sent["delivered"]["value"]) + 1)
    returns = count(odoo, "stock.picking")
    answer = request_return(
        gateway, order, lines=[{"sku": sent["product"]["sku"], "quantity": too_many}]
    )
    assert errors_of(answer) == [("ORDER_NOT_RETURNABLE", ["lines", "0", "quantity"])]
    assert count(odoo, "stock.picking") == returns


def test_a_return_of_a_product_the_order_did_not_deliver_is_refused(gateway, odoo, catalogue):
    order = delivered_order(odoo)
    skus = {line["product"]["sku"] for line in delivered_lines(gateway, order)}
    other = next(p["sku"] for p in catalogue["products"] if p["sku"] not in skus)
    answer = request_return(gateway, order, lines=[{"sku": other, "quantity": "1"}])
    assert errors_of(answer) == [("ORDER_NOT_RETURNABLE", ["lines", "0", "sku"])]


def test_a_return_within_what_was_delivered_is_accepted(gateway, odoo):
    order = delivered_order(odoo)
    sent = delivered_lines(gateway, order)[0]
    answer = request_return(
        gateway,
        order,
        lines=[{"sku": sent["product"]["sku"], "quantity": sent["delivered"]["value"]}],
    )
    assert answer["userErrors"] == []
    assert answer["receipt"]["status"] == "CONFIRMED"


# Payments ------------------------------------------------------------------------------


@pytest.fixture
def payments_unchanged(odoo):
    before = count(odoo, "account.payment")
    yield
    assert count(odoo, "account.payment") == before


def pay(gateway, token, invoice_id, amount, currency):
    variables = {
        "input": {"invoiceId": invoice_id, "amount": {"amount": amount, "currency": currency}}
    }
    return data_of(graphql(gateway, PAY, variables, token=token))["payInvoice"]


def test_an_amount_finer_than_the_currency_is_refused(gateway, payments_unchanged):
    customer, invoice = open_invoice(gateway)
    currency = invoice["amountDue"]["currency"]
    answer = pay(gateway, customer_token(customer), invoice["id"], "0.001", currency)
    assert errors_of(answer) == [("AMOUNT_PRECISION", ["amount", "amount"])]
    assert f"{currency} amounts have at most 2 decimals" in answer["userErrors"][0]["message"]


@pytest.mark.parametrize("currency", ["EURO", "XAU", "XXX", ""])
def test_a_currency_that_is_no_iso_4217_money_is_refused(gateway, payments_unchanged, currency):
    customer, invoice = open_invoice(gateway)
    answer = pay(gateway, customer_token(customer), invoice["id"], "1.00", currency)
    assert errors_of(answer) == [("UNKNOWN_CURRENCY", ["amount", "currency"])]


def test_another_known_currency_is_a_mismatch(gateway, payments_unchanged):
    customer, invoice = open_invoice(gateway)
    other = "JPY" if invoice["amountDue"]["currency"] != "JPY" else "EUR"
    answer = pay(gateway, customer_token(customer), invoice["id"], "0.5", other)
    # 0.5 JPY is also finer than a yen: both faults are named
    assert errors_of(answer) == [
        ("AMOUNT_PRECISION", ["amount", "amount"]),
        ("CURRENCY_MISMATCH", ["amount", "currency"]),
    ]


def test_trailing_zeros_are_no_finer_than_cents(gateway):
    customer, invoice = open_invoice(gateway)
    currency = invoice["amountDue"]["currency"]
    answer = pay(gateway, customer_token(customer), invoice["id"], "1.100", currency.lower())
    assert answer["userErrors"] == []
    assert answer["receipt"]["payment"]["amount"] == {"amount": "1.10", "currency": currency}


def test_a_draft_invoice_is_refused_at_acceptance(gateway, odoo, payments_unchanged):
    drafts = odoo_rpc(
        odoo,
        "account.move",
        "search_read",
        [[["move_type", "=", "out_invoice"], ["state", "=", "draft"]]],
        {"fields": ["id", "currency_id"], "limit": 1},
    )
    assert drafts, "the seeded world has draft invoices"
    invoice = encode_id("Invoice", str(drafts[0]["id"]))
    answer = pay(gateway, STAFF, invoice, "1.00", drafts[0]["currency_id"][1])
    assert errors_of(answer) == [("INVOICE_NOT_PAYABLE", ["invoiceId"])]
