"""A batch of orders in a handful of Odoo calls (erp_backends/odoo/writes_orders.py),
against the emulator over every protocol: every draft placed once, a refused draft
refused alone, a batch retried after a crash finds what the first attempt did."""

from __future__ import annotations

import itertools

import httpx
import pytest

from erp_backends.emulation.faults import FaultOptions
from erp_backends.errors import BusinessRuleViolation, UserErrorCode
from erp_backends.http import BackendHttp
from erp_backends.models import Order
from erp_backends.odoo.client import OdooConnection
from erp_backends.odoo.emulator import EmulatorOptions, create_app
from erp_backends.odoo.errors import OdooUserError
from erp_backends.odoo.writes import open_odoo_writer
from erp_backends.odoo.writes_orders import _split
from erp_backends.writes import DraftLine, OrderDraft
from tests.erp_backends.odoo.test_writes import customers, storable_products, units
from tests.harness import ODOO_PROTOCOLS, EmulatorCalls, odoo_rpc
from tests.servers import serve_in_thread

_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def url():
    with serve_in_thread(create_app(EmulatorOptions(seed=2))) as served:
        yield served


@pytest.fixture(params=ODOO_PROTOCOLS)
async def writer(request, url):
    async with httpx.AsyncClient(timeout=30) as client:
        http = BackendHttp(client, url, backend="erp", system="Odoo")
        yield open_odoo_writer(http, OdooConnection("demo", "admin", "admin", request.param))


def drafts(url, count, offset=0) -> list[OrderDraft]:
    """`count` drafts of new references, over a few customers and products."""
    people = customers(url, 5, offset)
    products = storable_products(url, 5, offset)
    return [
        OrderDraft(
            f"BATCH-{next(_numbers)}",
            str(people[n % len(people)]["id"]),
            (DraftLine(str(products[n % len(products)]["id"]), units(1 + n % 3)),),
        )
        for n in range(count)
    ]


def orders_of(url, references):
    domain = [["client_order_ref", "in", list(references)]]
    return odoo_rpc(
        url, "sale.order", "search_read", [domain], {"fields": ["client_order_ref", "state"]}
    )


@pytest.mark.slow
async def test_a_batch_is_placed_in_a_handful_of_calls_each_order_once(url, writer):
    await writer.place_orders(drafts(url, 1))  # logs in, learns the unit field's name
    batch = drafts(url, 40)
    calls = EmulatorCalls(url)
    calls.reset()

    placed = await writer.place_orders(batch)

    assert all(isinstance(placed[d.reference], Order) for d in batch), placed
    seen = calls.snapshot()
    # references, customers, products, create, confirm, then the orders read back
    assert seen["total"] <= 7, seen
    assert seen["calls"]["sale.order.create"] == 1
    rows = orders_of(url, [d.reference for d in batch])
    assert sorted(r["client_order_ref"] for r in rows) == sorted(d.reference for d in batch)
    assert {r["state"] for r in rows} == {"sale"}
    for draft in batch:
        order = placed[draft.reference]
        assert isinstance(order, Order)
        assert order.customer_reference == draft.reference
        assert order.status.value == "confirmed"


@pytest.mark.slow
async def test_a_batch_tried_again_finds_what_it_did_and_finishes_a_left_draft(url, writer):
    # given a batch placed once, and a draft a crashed attempt created but did not confirm
    batch = drafts(url, 6, offset=1)
    first = await writer.place_orders(batch[:5])
    left = batch[5]
    odoo_rpc(
        url,
        "sale.order",
        "create",
        [
            {
                "partner_id": int(left.customer_id),
                "client_order_ref": left.reference,
                "order_line": [[0, 0, {"product_id": int(left.lines[0].product_id)}]],
            }
        ],
    )
    calls = EmulatorCalls(url)
    calls.reset()

    again = await writer.place_orders(batch)

    assert "sale.order.create" not in calls.snapshot()["calls"]
    for draft in batch[:5]:
        assert again[draft.reference] == first[draft.reference]
    rows = orders_of(url, [d.reference for d in batch])
    assert len(rows) == 6
    assert {r["state"] for r in rows} == {"sale"}


@pytest.mark.slow
async def test_drafts_the_erp_cannot_take_are_refused_alone(url, writer):
    good = drafts(url, 4, offset=2)
    [not_for_sale] = odoo_rpc(
        url,
        "product.product",
        "search_read",
        [[["sale_ok", "=", False]]],
        {"fields": ["id"], "limit": 1},
    )
    unknown_customer = OrderDraft(f"BATCH-{next(_numbers)}", "999999", good[0].lines)
    unsellable = OrderDraft(
        f"BATCH-{next(_numbers)}",
        good[0].customer_id,
        (DraftLine(str(not_for_sale["id"]), units(1)),),
    )

    placed = await writer.place_orders([*good[:2], unknown_customer, unsellable, *good[2:]])

    assert isinstance(placed[unknown_customer.reference], BusinessRuleViolation)
    assert placed[unknown_customer.reference].code is UserErrorCode.CUSTOMER_NOT_FOUND
    assert isinstance(placed[unsellable.reference], BusinessRuleViolation)
    assert placed[unsellable.reference].code is UserErrorCode.PRODUCT_NOT_SELLABLE
    assert all(isinstance(placed[d.reference], Order) for d in good)
    assert orders_of(url, [unknown_customer.reference, unsellable.reference]) == []


@pytest.mark.slow
async def test_a_batch_whose_confirmation_odoo_refuses_is_split_and_each_draft_undone():
    refusing = EmulatorOptions(
        seed=2, faults=FaultOptions(refuse=frozenset({"sale.order.action_confirm"}))
    )
    with serve_in_thread(create_app(refusing)) as url:
        async with httpx.AsyncClient(timeout=30) as client:
            http = BackendHttp(client, url, backend="erp", system="Odoo")
            writer = open_odoo_writer(http, OdooConnection("demo", "admin", "admin"))
            batch = drafts(url, 4)

            placed = await writer.place_orders(batch)

        for draft in batch:
            refusal = placed[draft.reference]
            assert isinstance(refusal, BusinessRuleViolation)
            assert refusal.code is UserErrorCode.ERP_REFUSED
            assert refusal.compensated is not None
            assert refusal.compensated.startswith("cancelled draft order")
        rows = orders_of(url, [d.reference for d in batch])
        assert {r["state"] for r in rows} == {"cancel"}


# --- splitting, on its own ------------------------------------------------------------


async def test_split_isolates_the_refused_items_and_does_the_others():
    calls: list[list[str]] = []
    refused: list[str] = []
    bad = {"c", "f"}

    async def call(batch):
        calls.append([key for key, _ in batch])
        if bad & {key for key, _ in batch}:
            raise OdooUserError("refused", backend="erp", odoo_name="odoo.exceptions.UserError")
        return {key: value for key, value in batch}

    async def refuse(key, exc):
        refused.append(key)

    items = [(key, n) for n, key in enumerate("abcdefgh")]
    done = await _split(items, call, refuse)

    assert done == {key: n for key, n in items if key not in bad}
    assert sorted(refused) == ["c", "f"]
    assert len(calls) < 2 * len(items)  # a call per node of the halving, not per item
