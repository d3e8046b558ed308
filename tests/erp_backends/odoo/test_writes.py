"""The ErpWriter port over Odoo, against a private emulator over HTTP, in every protocol.

Writes change the emulator's world, so this module serves its own (never the session's
shared one); every test writes under its own references and records.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import httpx
import pytest

from erp_backends.errors import BusinessRuleViolation, UserErrorCode
from erp_backends.http import BackendHttp
from erp_backends.models import (
    Address,
    AddressKind,
    InvoicingStatus,
    Money,
    OrderStatus,
    PaymentState,
    PaymentStatus,
    Quantity,
)
from erp_backends.odoo.adapter import OdooErp
from erp_backends.odoo.client import OdooClient, OdooConnection
from erp_backends.odoo.emulator import EmulatorOptions, create_app
from erp_backends.odoo.writes import OdooWriter, open_odoo_writer
from erp_backends.writes import DraftLine, OrderDraft, ReturnDraft
from tests.harness import ODOO_PROTOCOLS, EmulatorCalls, odoo_rpc
from tests.servers import serve_in_thread

CUSTOMERS = [["customer_rank", ">", 0], ["parent_id", "=", False]]
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def url():
    with serve_in_thread(create_app(EmulatorOptions(seed=1))) as served:
        yield served


@pytest.fixture(params=ODOO_PROTOCOLS)
async def http(request, url):
    async with httpx.AsyncClient(timeout=30) as client:
        yield BackendHttp(client, url, backend="erp", system="Odoo"), request.param


@pytest.fixture
def offset(http):
    """Tests that take records read-only by position take another one per protocol."""
    return ODOO_PROTOCOLS.index(http[1])


@pytest.fixture
def writer(http):
    backend_http, protocol = http
    return open_odoo_writer(backend_http, OdooConnection("demo", "admin", "admin", protocol))


@pytest.fixture
def reader(http):
    backend_http, protocol = http
    return OdooErp(OdooClient(backend_http, OdooConnection("demo", "admin", "admin", protocol)))


def reference(kind: str) -> str:
    return f"TEST-{kind}-{next(_numbers)}"


def search_read(url, model, domain, fields, **kwargs):
    return odoo_rpc(url, model, "search_read", [domain], {"fields": fields, **kwargs})


def storable_products(url, count, offset=0):
    """Products in Units with plenty of free stock."""
    domain = [["is_storable", "=", True], ["free_qty", ">", 50], ["uom_id.name", "=", "Units"]]
    return search_read(
        url, "product.product", domain, ["free_qty"], limit=count, offset=offset, order="id"
    )


def customers(url, count, offset=0):
    return search_read(
        url, "res.partner", CUSTOMERS, ["name"], limit=count, offset=offset, order="id"
    )


def units(n) -> Quantity:
    return Quantity(Decimal(n), "C62")


def draft_for(url, ref, *, customer_offset=0, product_offset=0, qty=2):
    customer = customers(url, 1, customer_offset)[0]["id"]
    product = storable_products(url, 1, product_offset)[0]["id"]
    return OrderDraft(ref, str(customer), (DraftLine(str(product), units(qty)),))


def orders_with(url, ref):
    return search_read(url, "sale.order", [["client_order_ref", "=", ref]], ["state"])


# --- orders ----------------------------------------------------------------------------


async def test_placing_an_order_twice_creates_one_confirmed_order(url, writer):
    # Given a draft under a new reference
    draft = draft_for(url, reference("order"), product_offset=1)
    # When it is placed twice
    first = await writer.place_order(draft)
    again = await writer.place_order(draft)
    # Then Odoo holds one confirmed order with that reference, returned both times
    assert first == again
    assert first.status is OrderStatus.CONFIRMED
    assert first.invoicing_status is InvoicingStatus.TO_INVOICE
    assert first.customer_reference == draft.reference
    assert first.number.startswith("S0")
    assert len(orders_with(url, draft.reference)) == 1


async def test_an_order_left_unconfirmed_by_a_crash_is_confirmed_not_duplicated(url, writer):
    # Given an attempt that created the order and crashed before confirming it
    draft = draft_for(url, reference("crash"), customer_offset=1, product_offset=2)
    vals = {
        "partner_id": int(draft.customer_id),
        "client_order_ref": draft.reference,
        "order_line": [
            [0, 0, {"product_id": int(draft.lines[0].product_id), "product_uom_qty": 2}]
        ],
    }
    created = odoo_rpc(url, "sale.order", "create", [vals])
    assert orders_with(url, draft.reference) == [{"id": created, "state": "draft"}]
    # When the command runs again
    order = await writer.place_order(draft)
    # Then that order is confirmed, and it is still the only one
    assert order.id == str(created)
    assert order.status is OrderStatus.CONFIRMED
    assert len(orders_with(url, draft.reference)) == 1


async def test_a_confirmed_order_reserves_its_stock(url, writer, reader):
    # Given a product's stock
    product = storable_products(url, 1, 3)[0]["id"]
    before = (await reader.stock_for_products([str(product)]))[str(product)]
    draft = OrderDraft(
        reference("stock"), str(customers(url, 1, 2)[0]["id"]), (DraftLine(str(product), units(5)),)
    )
    # When an order for 5 units is placed
    order = await writer.place_order(draft)
    # Then 5 more units are reserved and 5 fewer available, on hand unchanged
    after = (await reader.stock_for_products([str(product)]))[str(product)]
    assert after.reserved.value == before.reserved.value + 5
    assert after.available.value == before.available.value - 5
    assert after.on_hand == before.on_hand
    lines = (await reader.lines_for_orders([order.id]))[order.id]
    assert [(line.product_id, line.quantity) for line in lines] == [(str(product), units(5))]
    assert order.total.amount > 0


async def test_lines_in_another_unit_are_converted_to_the_products(url, writer, reader):
    draft = draft_for(url, reference("dozen"), customer_offset=3, product_offset=4)
    line = DraftLine(draft.lines[0].product_id, Quantity(Decimal(1), "DZN"))
    order = await writer.place_order(OrderDraft(draft.reference, draft.customer_id, (line,)))
    lines = (await reader.lines_for_orders([order.id]))[order.id]
    assert lines[0].quantity == units(12)


async def test_an_order_in_a_unit_of_another_dimension_is_refused(url, writer):
    draft = draft_for(url, reference("kg"), customer_offset=3, product_offset=4)
    line = DraftLine(draft.lines[0].product_id, Quantity(Decimal(1), "KGM"))
    with pytest.raises(BusinessRuleViolation) as refused:
        await writer.place_order(OrderDraft(draft.reference, draft.customer_id, (line,)))
    assert refused.value.code is UserErrorCode.UNIT_NOT_CONVERTIBLE  # as the resolver says
    assert orders_with(url, draft.reference) == []


async def test_an_order_without_lines_is_refused(url, writer):
    draft = draft_for(url, reference("empty"))
    with pytest.raises(BusinessRuleViolation) as refused:
        await writer.place_order(OrderDraft(draft.reference, draft.customer_id, ()))
    assert refused.value.code is UserErrorCode.NO_LINES  # as the resolver says
    assert orders_with(url, draft.reference) == []


async def test_a_new_shipping_address_becomes_a_delivery_contact_once(url, writer):
    # Given a draft shipping to an address the customer does not have yet
    street = f"Quai {next(_numbers)}"
    address = Address(AddressKind.SHIPPING, "Dock 4", street, None, "1000", "Brussels", None, "BE")
    base = draft_for(url, reference("ship"), customer_offset=5, product_offset=5)
    drafts = [
        OrderDraft(reference("ship"), base.customer_id, base.lines, address) for _ in range(2)
    ]
    # When two orders ship there
    for draft in drafts:
        await writer.place_order(draft)
    # Then both ship to the same new delivery address of the customer
    orders = [
        search_read(
            url, "sale.order", [["client_order_ref", "=", d.reference]], ["partner_shipping_id"]
        )[0]
        for d in drafts
    ]
    shipped = [order["partner_shipping_id"] for order in orders]
    assert shipped[0] == shipped[1]
    fields = ["type", "commercial_partner_id", "street"]
    contact = search_read(url, "res.partner", [["id", "=", shipped[0][0]]], fields)[0]
    assert contact["type"] == "delivery"
    assert contact["commercial_partner_id"][0] == int(base.customer_id)
    assert contact["street"] == address.street


async def test_unknown_customers_and_products_are_refused(url, writer):
    draft = draft_for(url, reference("unknown"))
    with pytest.raises(BusinessRuleViolation, match="999999") as refused:
        await writer.place_order(OrderDraft(draft.reference, "999999", draft.lines))
    assert refused.value.code == "CUSTOMER_NOT_FOUND"
    bad_line = (DraftLine("999999", units(1)),)
    with pytest.raises(BusinessRuleViolation) as refused:
        await writer.place_order(OrderDraft(draft.reference, draft.customer_id, bad_line))
    assert refused.value.code == "PRODUCT_NOT_SELLABLE"


async def test_cancelling_releases_the_stock_and_is_idempotent(url, writer, reader):
    product = storable_products(url, 1, 6)[0]["id"]
    before = (await reader.stock_for_products([str(product)]))[str(product)]
    draft = OrderDraft(
        reference("cancel"),
        str(customers(url, 1, 6)[0]["id"]),
        (DraftLine(str(product), units(3)),),
    )
    order = await writer.place_order(draft)

    cancelled = await writer.cancel_order(order.id, reference("cancel"))
    again = await writer.cancel_order(order.id, reference("cancel"))

    assert cancelled.status is OrderStatus.CANCELLED
    assert again == cancelled
    after = (await reader.stock_for_products([str(product)]))[str(product)]
    assert after.available == before.available


@pytest.mark.parametrize("kind", ["delivered", "invoiced"])
async def test_a_delivered_or_invoiced_order_is_not_cancellable(url, writer, kind):
    domain = [["state", "=", "sale"]]
    if kind == "delivered":
        line = search_read(
            url, "sale.order.line", [["qty_delivered", ">", 0]], ["order_id"], limit=1
        )[0]
        order_id = line["order_id"][0]
    else:
        invoices = [["state", "=", "posted"], ["move_type", "=", "out_invoice"]]
        posted = search_read(url, "account.move", invoices, ["invoice_origin"], limit=1)
        domain.append(["name", "=", posted[0]["invoice_origin"]])
        order_id = search_read(url, "sale.order", domain, ["id"])[0]["id"]
    with pytest.raises(BusinessRuleViolation) as refused:
        await writer.cancel_order(str(order_id), reference("no-cancel"))
    assert refused.value.code == "ORDER_NOT_CANCELLABLE"
    assert search_read(url, "sale.order", [["id", "=", order_id]], ["state"])[0]["state"] == "sale"


async def test_odoos_own_refusal_to_cancel_is_a_business_rule(url, http):
    # Given a writer that does not check first, and an order Odoo refuses to cancel
    backend_http, protocol = http
    writer = open_odoo_writer(backend_http, OdooConnection("demo", "admin", "admin", protocol))
    line = search_read(
        url, "sale.order.line", [["qty_delivered", ">", 0]], ["order_id"], limit=1, offset=5
    )[0]

    async def nothing_to_check(*args):
        return None

    writer._check_cancellable = nothing_to_check  # type: ignore[method-assign]
    with pytest.raises(BusinessRuleViolation, match="already been delivered") as refused:
        await writer.cancel_order(str(line["order_id"][0]), reference("odoo-no"))
    assert refused.value.code == "ORDER_NOT_CANCELLABLE"


# --- payments --------------------------------------------------------------------------


def unpaid_invoice(url, offset):
    domain = [
        ["state", "=", "posted"],
        ["move_type", "=", "out_invoice"],
        ["payment_state", "=", "not_paid"],
        ["amount_residual", ">", 100],
    ]
    fields = ["amount_residual", "currency_id"]
    return search_read(url, "account.move", domain, fields, limit=1, offset=offset, order="id")[0]


async def test_paying_part_then_the_rest(url, writer, reader, offset):
    # Given an unpaid invoice
    invoice = unpaid_invoice(url, offset)
    currency, due = invoice["currency_id"][1], Decimal(repr(invoice["amount_residual"]))
    ref = reference("pay")
    # When a part is paid, then the rest
    first = await writer.pay_invoice(str(invoice["id"]), Money(Decimal("40.00"), currency), ref)
    partly = (await reader.get_invoices([str(invoice["id"])]))[str(invoice["id"])]
    rest = await writer.pay_invoice(str(invoice["id"]), Money(due - 40, currency), reference("p"))
    paid = (await reader.get_invoices([str(invoice["id"])]))[str(invoice["id"])]
    # Then the invoice is partly paid, then in payment with nothing due
    assert (first.amount, first.memo, first.invoice_ids) == (
        Money(Decimal("40.00"), currency),
        ref,
        (str(invoice["id"]),),
    )
    assert first.state is PaymentState.IN_PROCESS
    assert partly.payment_status is PaymentStatus.PARTIAL
    assert partly.amount_due.amount == due - 40
    assert rest.amount.amount == due - 40
    assert paid.payment_status is PaymentStatus.IN_PAYMENT
    assert paid.amount_due.amount == 0
    # And the payments-by-invoice read finds both
    found = (await reader.payments_for_invoices([str(invoice["id"])]))[str(invoice["id"])]
    assert {p.id for p in found} >= {first.id, rest.id}


async def test_paying_twice_with_one_reference_pays_once(url, writer, offset):
    invoice = unpaid_invoice(url, 3 + offset)
    amount = Money(Decimal("10.00"), invoice["currency_id"][1])
    ref = reference("pay-once")
    first = await writer.pay_invoice(str(invoice["id"]), amount, ref)
    again = await writer.pay_invoice(str(invoice["id"]), amount, ref)
    assert first == again
    payments = search_read(url, "account.payment", [["memo", "=", ref]], ["amount"])
    assert len(payments) == 1
    residual = search_read(url, "account.move", [["id", "=", invoice["id"]]], ["amount_residual"])
    assert residual[0]["amount_residual"] == round(invoice["amount_residual"] - 10, 2)


@pytest.mark.parametrize(
    ("extra", "currency", "code"),
    [(Decimal("0.01"), None, "AMOUNT_EXCEEDS_DUE"), (Decimal(0), "CHF", "CURRENCY_MISMATCH")],
)
async def test_paying_too_much_or_in_another_currency_is_refused(
    url, writer, extra, currency, code
):
    invoice = unpaid_invoice(url, 6)
    due = Decimal(repr(invoice["amount_residual"])) + extra
    amount = Money(due, currency or invoice["currency_id"][1])
    with pytest.raises(BusinessRuleViolation) as refused:
        await writer.pay_invoice(str(invoice["id"]), amount, reference("too-much"))
    assert (refused.value.code, refused.value.field) == (code, "amount")


# --- returns ---------------------------------------------------------------------------


def delivered_order(url, offset):
    """A delivered line of the `offset`-th order with one (two tests, two orders: a
    return asks back what the other tests' returns left)."""
    domain = [["qty_delivered", ">", 1], ["product_uom_id.name", "=", "Units"]]
    fields = ["order_id", "product_id", "qty_delivered"]
    lines = search_read(url, "sale.order.line", domain, fields, order="id")
    firsts = {line["order_id"][0]: line for line in reversed(lines)}
    return sorted(firsts.values(), key=lambda line: line["id"])[offset]


async def test_a_return_of_a_delivered_order_is_opened_once(url, writer, offset):
    line = delivered_order(url, offset)
    order_id, product = str(line["order_id"][0]), str(line["product_id"][0])
    draft = ReturnDraft(reference("return"), order_id, (DraftLine(product, units(1)),), "Broken")

    receipt = await writer.request_return(draft)
    again = await writer.request_return(draft)

    assert receipt == again
    assert receipt.order_id == order_id
    assert receipt.number.startswith("WH/IN/")
    fields = ["picking_type_code", "sale_id", "move_ids", "note"]
    picking = search_read(url, "stock.picking", [["origin", "=", draft.reference]], fields)
    assert len(picking) == 1
    assert picking[0]["picking_type_code"] == "incoming"
    assert picking[0]["sale_id"][0] == int(order_id)
    in_picking = [["picking_id", "=", picking[0]["id"]]]
    moves = search_read(url, "stock.move", in_picking, ["product_id", "product_uom_qty"])
    assert [(m["product_id"][0], m["product_uom_qty"]) for m in moves] == [(int(product), 1.0)]


async def test_a_return_without_lines_takes_back_everything_delivered(url, writer, offset):
    line = delivered_order(url, 3 + offset)
    draft = ReturnDraft(reference("return-all"), str(line["order_id"][0]), ())
    receipt = await writer.request_return(draft)
    moves = search_read(
        url, "stock.move", [["picking_id", "=", int(receipt.id)]], ["product_uom_qty"]
    )
    domain = [["order_id", "=", line["order_id"][0]], ["qty_delivered", ">", 0]]
    delivered = search_read(url, "sale.order.line", domain, ["qty_delivered"])
    assert sum(m["product_uom_qty"] for m in moves) == sum(d["qty_delivered"] for d in delivered)


async def test_nothing_delivered_or_more_than_delivered_is_not_returnable(url, writer):
    undelivered = search_read(url, "sale.order", [["state", "=", "draft"]], ["id"], limit=1)
    with pytest.raises(BusinessRuleViolation) as refused:
        await writer.request_return(
            ReturnDraft(reference("no-return"), str(undelivered[0]["id"]), ())
        )
    assert refused.value.code == "ORDER_NOT_RETURNABLE"
    line = delivered_order(url, 6)
    too_many = DraftLine(str(line["product_id"][0]), units(line["qty_delivered"] + 1))
    with pytest.raises(BusinessRuleViolation) as refused:
        await writer.request_return(
            ReturnDraft(reference("no-return"), str(line["order_id"][0]), (too_many,))
        )
    assert (refused.value.code, refused.value.field) == ("ORDER_NOT_RETURNABLE", "lines")


# --- credit ----------------------------------------------------------------------------


def company_amount(row):
    return Decimal(repr(row["amount_total"])) / Decimal(repr(row["currency_rate"]))


async def test_credit_is_the_receivable_plus_what_is_confirmed_but_not_invoiced(url, writer):
    # Given customers with and without a credit limit
    fields = ["credit", "credit_limit", "use_partner_credit_limit"]
    partners = search_read(url, "res.partner", CUSTOMERS, fields, limit=40, order="id")
    limited = next(p for p in partners if p["use_partner_credit_limit"] and p["credit"] > 0)
    unlimited = next(p for p in partners if not p["use_partner_credit_limit"])
    # When their credit is read
    found = await writer.credit_of([str(limited["id"]), str(unlimited["id"]), "999999"])
    # Then the limit is the partner's, in the company's euros, or none
    assert set(found) == {str(limited["id"]), str(unlimited["id"])}
    credit = found[str(limited["id"])]
    assert credit.limit == Money(
        Decimal(repr(limited["credit_limit"])).quantize(Decimal("0.01")), "EUR"
    )
    assert found[str(unlimited["id"])].limit is None
    # And the balance is the receivable plus confirmed orders still to invoice
    domain = [
        ["partner_id", "=", limited["id"]],
        ["state", "=", "sale"],
        ["invoice_status", "=", "to invoice"],
    ]
    open_orders = search_read(url, "sale.order", domain, ["amount_total", "currency_rate"])
    expected = Decimal(repr(limited["credit"])) + sum(map(company_amount, open_orders))
    assert credit.open_balance == Money(expected.quantize(Decimal("0.01")), "EUR")


async def test_credit_follows_orders_and_payments(url, writer):
    # Given a customer's credit
    customer = customers(url, 1, 20)[0]["id"]
    before = (await writer.credit_of([str(customer)]))[str(customer)].open_balance.amount
    # When it places an order
    draft = draft_for(url, reference("credit"), customer_offset=20, product_offset=8)
    order = await writer.place_order(draft)
    after_order = (await writer.credit_of([str(customer)]))[str(customer)].open_balance.amount
    # Then the order's total (in euros) is added
    rate = search_read(url, "sale.order", [["id", "=", int(order.id)]], ["currency_rate"])
    added = order.total.amount / Decimal(repr(rate[0]["currency_rate"]))
    assert abs(after_order - before - added) <= Decimal("0.01")


async def test_payments_lower_the_receivable(url, writer):
    invoice = unpaid_invoice(url, 7)
    partner = search_read(
        url, "account.move", [["id", "=", invoice["id"]]], ["commercial_partner_id"]
    )[0]["commercial_partner_id"][0]
    before = (await writer.credit_of([str(partner)]))[str(partner)].open_balance.amount
    await writer.pay_invoice(
        str(invoice["id"]), Money(Decimal(50), invoice["currency_id"][1]), reference("credit-pay")
    )
    after = (await writer.credit_of([str(partner)]))[str(partner)].open_balance.amount
    rate = {"EUR": Decimal(1), "USD": Decimal("1.08"), "GBP": Decimal("0.86")}
    paid = Decimal(50) / rate[invoice["currency_id"][1]]
    assert abs(before - after - paid) <= Decimal("0.01")


# --- the wire ----------------------------------------------------------------------------


async def test_writes_are_sent_once_and_counted(url, writer):
    # Given a reset call log
    calls = EmulatorCalls(url)
    draft = draft_for(url, reference("count"), customer_offset=9, product_offset=9)
    await writer.place_order(draft_for(url, reference("warm"), customer_offset=9))
    calls.reset()
    # When an order is placed
    await writer.place_order(draft)
    # Then create and confirm were each called once, with the reads around them
    counted = calls.snapshot()["calls"]
    assert counted["sale.order.create"] == 1
    assert counted["sale.order.action_confirm"] == 1
    assert isinstance(writer, OdooWriter)
