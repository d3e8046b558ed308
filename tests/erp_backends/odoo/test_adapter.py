"""The ErpBackend port over Odoo, against the emulator over HTTP, in every protocol.

A contract suite: each test runs once per protocol (JSON-RPC, JSON-2 and XML-RPC), with a fresh
adapter, and checks both the canonical records and the number of Odoo calls.
"""

from collections.abc import Mapping, Sequence
from decimal import Decimal

import httpx
import pytest

from erp_backends.http import BackendHttp
from erp_backends.models import AddressKind, OrderLineRef, PaymentStatus
from erp_backends.odoo.adapter import OdooErp
from erp_backends.odoo.client import OdooClient, OdooConnection
from erp_backends.paging import Page, PageRequest
from tests.harness import ODOO_PROTOCOLS, EmulatorCalls, first_customer_id, odoo_rpc


@pytest.fixture(params=ODOO_PROTOCOLS)
async def erp(request, odoo_emulator_url):
    connection = OdooConnection("demo", "admin", "admin", request.param)
    async with httpx.AsyncClient(timeout=30) as http:
        backend_http = BackendHttp(http, odoo_emulator_url, backend="erp", system="Odoo")
        yield OdooErp(OdooClient(backend_http, connection))


@pytest.fixture
def calls(odoo_emulator_url):
    return EmulatorCalls(odoo_emulator_url)


def rpc(url, model, domain, fields, **kwargs):
    return odoo_rpc(url, model, "search_read", [domain], {"fields": fields, **kwargs})


async def warm(erp):
    """Have the adapter learn the server's field names, so counts show only data calls."""
    await erp.lines_for_orders(["1"])
    await erp.get_payments(["1"])
    await erp.get_products(["1"])


async def test_customers_by_id_leave_out_unknown_ids(erp, odoo_emulator_url):
    first = first_customer_id(odoo_emulator_url)
    found = await erp.get_customers([str(first), "999999", "abc"])
    assert list(found) == [str(first)]
    customer = found[str(first)]
    assert customer.addresses[0].kind is AddressKind.MAIN
    assert customer.addresses[0].country_code is not None
    assert len(customer.addresses[0].country_code) == 2


async def test_only_keys_spelled_as_the_adapter_writes_them_name_records(erp, odoo_emulator_url):
    # Were "0<id>" read as <id>, the record would come back under "<id>", a key nobody
    # asked for (the cache, keyed by what was asked, failed on it).
    first = str(first_customer_id(odoo_emulator_url))
    spellings = [f"0{first}", f"+{first}", f" {first}", f"{first}.0", "٣"]
    assert await erp.get_customers(spellings) == {}
    orders = await erp.orders_for_customers(spellings, PageRequest(0, 5))
    assert {key: page.total for key, page in orders.items()} == dict.fromkeys(spellings, 0)


async def test_customers_by_id_are_one_read_with_their_addresses(erp, calls, odoo_emulator_url):
    """The customers and their billing and delivery addresses in one call, each as the
    search of customers (the customers first, their addresses after) answers it; a
    contact person or an address asked for by its id is no customer."""
    listed = await erp.search_customers(None, PageRequest(offset=0, limit=100, count=False))
    assert any(len(c.addresses) > 1 for c in listed.items)
    children = rpc(
        odoo_emulator_url,
        "res.partner",
        [["parent_id", "in", [int(c.id) for c in listed.items]]],
        ["id"],
    )
    assert children
    asked = [c.id for c in listed.items] + [str(row["id"]) for row in children]
    await erp.get_customers(asked)  # the country and region codes are learnt once
    calls.reset()

    found = await erp.get_customers(asked)

    assert calls.snapshot()["calls"] == {"res.partner.search_read": 1}
    assert found == {c.id: c for c in listed.items}


async def test_us_addresses_carry_iso_3166_2_regions(erp, odoo_emulator_url):
    domain = [["country_id.code", "=", "US"], ["parent_id", "=", False], ["customer_rank", ">", 0]]
    us = rpc(odoo_emulator_url, "res.partner", domain, ["id"], limit=5)
    found = await erp.get_customers([str(row["id"]) for row in us])
    regions = {c.addresses[0].region for c in found.values()}
    assert regions
    assert all(r is not None and r.startswith("US-") for r in regions)


async def test_orders_of_several_customers_are_three_calls(erp, calls, odoo_emulator_url):
    domain = [["customer_rank", ">", 0], ["parent_id", "=", False]]
    customers = rpc(odoo_emulator_url, "res.partner", domain, ["id"], limit=3, order="id")
    keys = [str(row["id"]) for row in customers]
    await warm(erp)
    calls.reset()

    pages = await erp.orders_for_customers(keys, PageRequest(offset=0, limit=10))

    assert calls.total() == 3  # index, the partners' accounts, the page's orders
    for key in keys:
        of_customer = [["partner_id.commercial_partner_id", "=", int(key)]]
        expected = odoo_rpc(odoo_emulator_url, "sale.order", "search_count", [of_customer])
        page = pages[key]
        assert page.total == expected
        assert len(page.items) == min(10, expected)
        assert all(order.customer_id == key for order in page.items)
        assert [o.ordered_at for o in page.items] == sorted(
            (o.ordered_at for o in page.items), reverse=True
        )


async def test_orders_of_one_customer_are_one_read_and_its_count(erp, calls, odoo_emulator_url):
    # Odoo pages one list itself: the page and the count go side by side (no index scan
    # before), and every order found is the customer's (no read of the accounts).
    key = str(first_customer_id(odoo_emulator_url))
    of_customer = [["partner_id.commercial_partner_id", "=", int(key)]]
    expected = odoo_rpc(odoo_emulator_url, "sale.order", "search_count", [of_customer])
    newest = rpc(
        odoo_emulator_url, "sale.order", of_customer, ["id"], order="date_order desc, id desc"
    )
    assert expected > 5
    await warm(erp)
    calls.reset()

    pages = await erp.orders_for_customers([key, f"0{key}"], PageRequest(offset=2, limit=3))

    assert calls.snapshot()["calls"] == {"sale.order.search_read": 1, "sale.order.search_count": 1}
    page = pages[key]
    assert (page.total, page.offset, page.has_next) == (expected, 2, expected > 5)
    assert [o.id for o in page.items] == [str(row["id"]) for row in newest[2:5]]
    assert all(order.customer_id == key for order in page.items)
    assert pages[f"0{key}"] == Page((), 2, 0)  # not the customer's spelling of its key


async def test_without_its_count_one_customers_page_is_one_call(erp, calls, odoo_emulator_url):
    key = str(first_customer_id(odoo_emulator_url))
    await warm(erp)
    calls.reset()

    pages = await erp.orders_for_customers([key], PageRequest(offset=0, limit=2, count=False))

    assert calls.total() == 1
    assert (len(pages[key].items), pages[key].total, pages[key].has_next) == (2, None, True)


async def test_pages_follow_each_other_without_overlap(erp, odoo_emulator_url):
    key = str(first_customer_id(odoo_emulator_url))
    first = (await erp.orders_for_customers([key], PageRequest(0, 20)))[key]
    second = (await erp.orders_for_customers([key], PageRequest(20, 20)))[key]
    assert first.has_next
    assert second.offset == 20
    assert not {o.id for o in first.items} & {o.id for o in second.items}


async def test_lines_come_grouped_per_order_in_one_call(erp, calls, odoo_emulator_url):
    orders = rpc(odoo_emulator_url, "sale.order", [], ["id", "amount_untaxed"], limit=40)
    await warm(erp)
    calls.reset()

    lines = await erp.lines_for_orders([str(o["id"]) for o in orders] + ["999999"])

    assert calls.total() == 1
    assert lines["999999"] == []
    for order in orders:
        total = sum((line.subtotal.amount for line in lines[str(order["id"])]), Decimal(0))
        assert total == Decimal(repr(order["amount_untaxed"])).quantize(Decimal("0.01"))


@pytest.mark.parametrize("protocol", ODOO_PROTOCOLS)
async def test_line_references_come_with_their_products_in_one_call(protocol, odoo_emulator_url):
    """The web client's `web_search_read`: each line's order id and its product's own
    fields in one answer, not the products in a second call after the lines."""
    sent: list[bytes] = []

    async def keep(request: httpx.Request) -> None:
        sent.append(request.url.raw_path + request.content)  # JSON-2 names the method in its path

    keys = [str(o["id"]) for o in rpc(odoo_emulator_url, "sale.order", [], ["id"], limit=10)]
    connection = OdooConnection("demo", "admin", "admin", protocol)
    async with httpx.AsyncClient(timeout=30, event_hooks={"request": [keep]}) as http:
        backend_http = BackendHttp(http, odoo_emulator_url, backend="erp", system="Odoo")
        erp = OdooErp(OdooClient(backend_http, connection))
        whole = await erp.lines_for_orders(keys)
        await erp.get_products(["1"])  # learns once which field flags stock tracking
        sent.clear()
        refs = await erp.line_refs_for_orders(keys)
        assert len(sent) == 1
        assert b"web_search_read" in sent[0]
        read_alone = await erp.get_products([r.product_id for r in _all(refs) if r.product_id])
    assert {k: [(r.id, r.order_id, r.product_id) for r in v] for k, v in refs.items()} == {
        k: [(w.id, w.order_id, w.product_id) for w in v] for k, v in whole.items()
    }
    assert all(r.product is not None for r in _all(refs) if r.product_id)
    assert {r.product_id: r.product for r in _all(refs) if r.product_id} == read_alone


def _all(lines: Mapping[str, Sequence[OrderLineRef]]) -> list[OrderLineRef]:
    return [line for group in lines.values() for line in group]


async def test_archived_products_are_still_found_by_id(erp, odoo_emulator_url):
    archived = rpc(odoo_emulator_url, "product.product", [["active", "=", False]], ["id"])
    assert archived
    found = await erp.get_products([str(archived[0]["id"])])
    assert str(archived[0]["id"]) in found


async def test_products_by_sku_and_their_stock(erp, odoo_emulator_url):
    fields = ["default_code", "qty_available"]
    rows = rpc(odoo_emulator_url, "product.product", [["is_storable", "=", True]], fields, limit=20)
    products = await erp.products_by_sku([r["default_code"] for r in rows] + ["NOPE"])
    assert set(products) == {r["default_code"] for r in rows}
    stock = await erp.stock_for_products([p.id for p in products.values()])
    for row in rows:
        product = products[row["default_code"]]
        level = stock.get(product.id)
        on_hand = level.on_hand.value if level else Decimal(0)
        assert on_hand == Decimal(repr(row["qty_available"]))
        if level:
            assert level.unit == product.sales_unit
            assert {w.warehouse_code for w in level.warehouses} <= {"WH", "CHI"}


async def test_invoices_exclude_credit_notes(erp, odoo_emulator_url):
    url = odoo_emulator_url
    refund = rpc(url, "account.move", [["move_type", "=", "out_refund"]], ["id"], limit=1)
    invoice = rpc(url, "account.move", [["move_type", "=", "out_invoice"]], ["id"], limit=1)
    found = await erp.get_invoices([str(refund[0]["id"]), str(invoice[0]["id"])])
    assert list(found) == [str(invoice[0]["id"])]


async def test_payments_settle_their_invoices(erp, odoo_emulator_url):
    domain = [["payment_state", "=", "paid"], ["move_type", "=", "out_invoice"]]
    paid = rpc(odoo_emulator_url, "account.move", domain, ["id", "amount_total"], limit=10)
    keys = [str(row["id"]) for row in paid]
    invoices = await erp.get_invoices(keys)
    payments = await erp.payments_for_invoices(keys)
    for key in keys:
        assert invoices[key].payment_status is PaymentStatus.PAID
        assert invoices[key].amount_due.amount == 0
        assert payments[key], f"paid invoice {key} without payments"
        assert all(key in p.invoice_ids for p in payments[key])


async def test_every_port_answers_empty_input_without_calling_odoo(erp, calls):
    await warm(erp)
    calls.reset()
    assert await erp.get_customers([]) == {}
    assert await erp.get_orders([]) == {}
    assert await erp.get_invoices([]) == {}
    assert await erp.get_payments([]) == {}
    assert calls.total() == 0
