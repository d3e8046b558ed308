"""What may still come back of an order (`ErpWriter.returnable`), and the worker's own
cap on a return (`request_return`), against a private Odoo emulator over HTTP: delivered
(net of the returns done) less what open returns ask back."""

from __future__ import annotations

import itertools
from decimal import Decimal

import httpx
import pytest

from erp_backends.errors import BusinessRuleViolation
from erp_backends.http import BackendHttp
from erp_backends.models import Quantity
from erp_backends.odoo.client import OdooConnection
from erp_backends.odoo.emulator import EmulatorOptions, create_app
from erp_backends.odoo.writes import open_odoo_writer
from erp_backends.writes import DraftLine, ReturnDraft
from tests.harness import EmulatorCalls, odoo_rpc
from tests.servers import serve_in_thread

_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def url():
    with serve_in_thread(create_app(EmulatorOptions(seed=5))) as served:
        yield served


@pytest.fixture
async def writer(url):
    async with httpx.AsyncClient(timeout=30) as client:
        http = BackendHttp(client, url, backend="erp", system="Odoo")
        yield open_odoo_writer(http, OdooConnection("demo", "admin", "admin", "jsonrpc"))


def delivered_lines(url, count, offset):
    """The first delivered line (by the unit, at least 3) of `count` orders from the
    `offset`-th having one: order id, product id, delivered of the product."""
    domain = [["qty_delivered", ">=", 3], ["product_uom_id.name", "=", "Units"]]
    fields = ["order_id", "product_id", "qty_delivered"]
    rows = odoo_rpc(url, "sale.order.line", "search_read", [domain], {"fields": fields})
    firsts = {row["order_id"][0]: row for row in reversed(rows)}
    chosen = sorted(firsts.values(), key=lambda row: row["id"])[offset : offset + count]
    return [(str(r["order_id"][0]), str(r["product_id"][0]), delivered(url, r)) for r in chosen]


def delivered(url, row) -> Decimal:
    domain = [["order_id", "=", row["order_id"][0]], ["product_id", "=", row["product_id"][0]]]
    lines = odoo_rpc(url, "sale.order.line", "search_read", [domain], {"fields": ["qty_delivered"]})
    return sum((Decimal(str(line["qty_delivered"])) for line in lines), Decimal(0))


def units(n) -> Quantity:
    return Quantity(Decimal(n), "C62")


def draft(order, product, qty) -> ReturnDraft:
    return ReturnDraft(f"TEST-return-{next(_numbers)}", order, (DraftLine(product, units(qty)),))


def picking_of(url, reference):
    return odoo_rpc(
        url, "stock.picking", "search_read", [[["origin", "=", reference]]], {"fields": ["state"]}
    )


async def test_an_open_return_is_what_no_longer_comes_back(url, writer):
    # given an order that delivered `sent` of a product
    [(order, product, sent)] = delivered_lines(url, 1, 0)
    assert (await writer.returnable([order]))[order][product] == units(sent)

    # when a return of one unit is opened
    await writer.request_return(draft(order, product, 1))

    # then one fewer may come back, and the worker refuses a return of all that was sent
    assert (await writer.returnable([order]))[order][product] == units(sent - 1)
    everything = draft(order, product, sent)
    with pytest.raises(BusinessRuleViolation) as refused:
        await writer.request_return(everything)
    assert (refused.value.code, refused.value.field) == ("ORDER_NOT_RETURNABLE", "lines")
    assert "1 in open returns" in str(refused.value)
    assert picking_of(url, everything.reference) == []  # nothing was created
    with pytest.raises(BusinessRuleViolation):
        await writer.request_return(ReturnDraft(f"TEST-all-{next(_numbers)}", order, ()))


async def test_a_done_return_is_taken_off_what_was_delivered_not_twice(url, writer):
    [(order, product, sent)] = delivered_lines(url, 1, 1)
    receipt = await writer.request_return(draft(order, product, 2))

    odoo_rpc(url, "stock.picking", "button_validate", [[int(receipt.id)]])

    assert delivered(url, {"order_id": [int(order)], "product_id": [int(product)]}) == sent - 2
    assert (await writer.returnable([order]))[order][product] == units(sent - 2)
    await writer.request_return(draft(order, product, sent - 2))  # the rest still may
    assert (await writer.returnable([order]))[order][product] == units(0)


async def test_a_cancelled_return_gives_back_what_it_asked(url, writer):
    [(order, product, sent)] = delivered_lines(url, 1, 2)
    receipt = await writer.request_return(draft(order, product, sent))
    assert (await writer.returnable([order]))[order][product] == units(0)

    odoo_rpc(url, "stock.picking", "action_cancel", [[int(receipt.id)]])

    assert (await writer.returnable([order]))[order][product] == units(sent)


async def test_many_orders_are_read_in_a_few_calls(url, writer):
    chosen = delivered_lines(url, 12, 3)
    orders = [order for order, _, _ in chosen]
    first_order, first_product, _ = chosen[0]
    await writer.request_return(draft(first_order, first_product, 1))  # an open return
    calls = EmulatorCalls(url)
    await writer.returnable(orders[:1])  # the writer learns the field names once
    calls.reset()

    found = await writer.returnable([*orders, "not-an-id", "999999"])

    assert calls.total() <= 4
    assert {order: found[order][product] for order, product, _ in chosen} == {
        order: units(sent - 1 if n == 0 else sent) for n, (order, _, sent) in enumerate(chosen)
    }
    assert "999999" not in found
