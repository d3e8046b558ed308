"""Odoo under the ERP contract: the adapter opened as the gateway opens it, against the
seed-1 emulator (in-process, and over HTTP in the slow lane), and the facts of the
emulator's data, read over JSON-RPC as any Odoo client would (not through the adapter
under test)."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import replace
from decimal import Decimal
from typing import Any

import httpx
import pytest

from gateway.wiring.backends import backend_http, erp_side
from tests.contracts.erp_world import Documents, ErpFacts, ErpUnderTest
from tests.harness import Target, emulated_backend, odoo_rpc

OUT_INVOICE = ["move_type", "=", "out_invoice"]
Opener = Callable[[pytest.FixtureRequest, AsyncExitStack], Awaitable[ErpUnderTest]]

# See ErpUnderTest.known_faults.
# Contract tests this adapter is known to fail, by name, with the reason (a strict
# xfail: fixing the adapter makes the entry fail until it is removed).
KNOWN_FAULTS: dict[str, str] = {}


async def open_odoo(request: pytest.FixtureRequest, stack: AsyncExitStack) -> ErpUnderTest:
    """The adapter against the emulator's app in-process: the path of the fast lane."""
    return await _open_in_process(request, stack, "jsonrpc")


def open_odoo_over(protocol: str) -> Opener:
    """The same, with the adapter's `protocol` option set ("json2", "xmlrpc")."""

    async def open_odoo_protocol(
        request: pytest.FixtureRequest, stack: AsyncExitStack
    ) -> ErpUnderTest:
        return await _open_in_process(request, stack, protocol)

    return open_odoo_protocol


async def _open_in_process(
    request: pytest.FixtureRequest, stack: AsyncExitStack, protocol: str
) -> ErpUnderTest:
    app = request.getfixturevalue("odoo_emulator_app")
    settings = emulated_backend("erp", "odoo", "http://erp.in-process")
    settings = replace(settings, options=replace(settings.options, protocol=protocol))
    transport = httpx.ASGITransport(app=app)
    ports = erp_side(settings, await backend_http(settings, stack, transport=transport))
    facts = odoo_facts(request.getfixturevalue("odoo_emulator"))
    return ErpUnderTest(ports.reader, facts, KNOWN_FAULTS)


async def open_odoo_over_http(
    request: pytest.FixtureRequest, stack: AsyncExitStack
) -> ErpUnderTest:
    """The same, over a real socket, as against a real Odoo."""
    url = request.getfixturevalue("odoo_emulator_url")
    settings = emulated_backend("erp", "odoo", url)  # the sandbox's credentials and options
    ports = erp_side(settings, await backend_http(settings, stack))
    return ErpUnderTest(ports.reader, odoo_facts(url), KNOWN_FAULTS)


@functools.cache
def odoo_facts(url: Target) -> ErpFacts:
    def read(model: str, domain: list[Any], fields: list[str], **options: Any) -> list[Any]:
        rows: list[Any] = odoo_rpc(
            url, model, "search_read", [domain], {"fields": fields, **options}
        )
        return rows

    # A customer is a top-level partner that buys; documents addressed to its contacts
    # and addresses are its commercial partner's.
    partners = read(
        "res.partner", [], ["name", "parent_id", "commercial_partner_id", "customer_rank"]
    )
    account = {p["id"]: p["commercial_partner_id"][0] for p in partners}
    customers = {p["id"] for p in partners if not p["parent_id"] and p["customer_rank"] > 0}
    orders = read("sale.order", [], ["partner_id", "client_order_ref"], order="id")
    invoices = read("account.move", [OUT_INVOICE], ["partner_id"], order="id")
    customer_payments = [["payment_type", "=", "inbound"], ["partner_type", "=", "customer"]]
    payments = read("account.payment", customer_payments, ["partner_id"])
    counts = [
        Counter(account[row["partner_id"][0]] for row in rows)
        for rows in (orders, invoices, payments)
    ]

    # Three customers: the one with the most orders (paging), a company with documents
    # addressed to one of its contacts or addresses, and one with the fewest orders.
    busiest = max(customers, key=lambda c: (counts[0][c], -c))
    contact = min(
        r["partner_id"][0]
        for r in invoices
        if account[r["partner_id"][0]] not in (r["partner_id"][0], busiest)
    )
    company = account[contact]
    quietest = min((c for c in customers if counts[2][c]), key=lambda c: (counts[0][c], c))
    name = next(p["name"] for p in partners if p["id"] == company)

    some_orders = [r["id"] for r in orders if account[r["partner_id"][0]] == busiest][:3]
    lines = read(
        "sale.order.line",
        # Section and note lines are layout, not lines of the canonical model.
        [["order_id", "in", some_orders], ["display_type", "=", False]],
        ["order_id"],
        order="order_id, sequence, id",
    )
    references = Counter(r["client_order_ref"] for r in orders if r["client_order_ref"])
    reference = min(ref for ref, n in references.items() if n == 1)
    tracked = read(
        "product.product",
        [["is_storable", "=", True], ["sale_ok", "=", True]],
        ["default_code", "qty_available"],
        limit=5,
        order="id",
    )
    untracked = read(
        "product.product",
        [["is_storable", "=", False], ["sale_ok", "=", True]],
        ["id"],
        limit=1,
        order="id",
    )
    archived = read("product.product", [["active", "=", False]], ["id"], limit=1, order="id")

    def moves(*domain: list[Any]) -> tuple[str, ...]:
        return _ids(read("account.move", list(domain), ["id"], limit=4, order="id"))

    return ErpFacts(
        customers={
            str(c): Documents(*(n[c] for n in counts)) for c in (busiest, company, quietest)
        },
        company_id=str(company),
        contact_id=str(contact),
        contact_order_ids=_ids([r for r in orders if r["partner_id"][0] == contact][:5]),
        contact_invoice_ids=_ids([r for r in invoices if r["partner_id"][0] == contact][:5]),
        search=(name.split()[0].upper(), str(company)),
        order_lines={
            str(order): _ids([r for r in lines if r["order_id"][0] == order])
            for order in some_orders
        },
        reference=(
            reference,
            str(next(r["id"] for r in orders if r["client_order_ref"] == reference)),
        ),
        sku=(tracked[0]["default_code"], str(tracked[0]["id"])),
        on_hand={str(p["id"]): Decimal(repr(p["qty_available"])) for p in tracked},
        untracked_product_id=str(untracked[0]["id"]),
        archived_product_id=str(archived[0]["id"]),
        paid_invoice_ids=moves(OUT_INVOICE, ["payment_state", "=", "paid"]),
        unpaid_invoice_ids=moves(OUT_INVOICE, ["payment_state", "=", "not_paid"]),
        credit_note_ids=moves(["move_type", "=", "out_refund"]),
    )


def _ids(rows: list[dict[str, Any]]) -> tuple[str, ...]:
    return tuple(str(row["id"]) for row in rows)
