"""Orders found by their customer's reference (a shop order's ERP order): each order's
customer, the commercial partner of its partner, is asked for beside the orders, as the
partners of the orders with those references, so the lookup is one round trip; an
order placed by a contact person is its company's, and a partner that answer missed is
looked up after it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from erp_backends.http import BackendHttp
from erp_backends.odoo.adapter import OdooErp
from erp_backends.odoo.client import OdooClient, OdooConnection
from erp_backends.odoo.emulator import EmulatorOptions, create_app
from tests.harness import odoo_rpc

REFERENCE = "SHOP-BY-CONTACT"


@pytest.fixture(scope="module")
def app() -> Starlette:
    """An emulator of the module's own: a test adds an order to it."""
    return create_app(EmulatorOptions(seed=1))


def adapter(client: httpx.AsyncClient, url: str) -> tuple[OdooErp, OdooClient]:
    http = BackendHttp(client, url, backend="erp", system="Odoo")
    odoo = OdooClient(http, OdooConnection("demo", "admin", "admin", "jsonrpc"))
    return OdooErp(odoo), odoo


@pytest.fixture
async def in_process(app: Starlette) -> AsyncIterator[tuple[OdooErp, int]]:
    """The adapter over the module's emulator, which holds an order placed by a contact
    person under `REFERENCE`; and that contact's company."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        erp, odoo = adapter(client, "http://odoo.in-process")
        domain = [["parent_id", "!=", False], ["type", "=", "contact"]]
        contact = (await odoo.search_read("res.partner", domain, ["commercial_partner_id"]))[0]
        if not await odoo.search_read("sale.order", [["client_order_ref", "=", REFERENCE]], []):
            product = (await odoo.search_read("product.product", [["sale_ok", "=", True]], []))[0]
            line = {"product_id": product["id"], "product_uom_qty": 1}
            order = {"partner_id": contact["id"], "client_order_ref": REFERENCE}
            await odoo.create("sale.order", [{**order, "order_line": [[0, 0, line]]}])
        yield erp, contact["commercial_partner_id"][0]


async def test_an_order_placed_by_a_contact_is_its_companys(in_process):
    erp, company = in_process
    found = await erp.orders_by_reference([REFERENCE])
    assert found[REFERENCE].customer_id == str(company)


async def test_a_partner_the_first_answer_missed_is_looked_up(in_process, monkeypatch):
    """An order made between the two reads: its partner is not in the partners' answer,
    and is asked for after the orders, by id."""
    erp, company = in_process
    accounts_where = OdooErp._accounts_where
    domains: list[Any] = []

    async def missing_by_orders(self: OdooErp, domain: Any) -> dict[int, int]:
        domains.append(domain)
        found = await accounts_where(self, domain)
        return {} if domain[0][0] == "sale_order_ids.client_order_ref" else found

    monkeypatch.setattr(OdooErp, "_accounts_where", missing_by_orders)
    found = await erp.orders_by_reference([REFERENCE])
    assert found[REFERENCE].customer_id == str(company)
    assert [domain[0][0] for domain in domains] == ["sale_order_ids.client_order_ref", "id"]


async def test_the_customers_are_asked_for_beside_the_orders(odoo_emulator_url, monkeypatch):
    """Over HTTP: the partners' read goes out before the orders' answer is in."""
    rows = odoo_rpc(
        odoo_emulator_url,
        "sale.order",
        "search_read",
        [[["client_order_ref", "!=", False]]],
        {"fields": ["client_order_ref"], "limit": 3},
    )
    references = [row["client_order_ref"] for row in rows]
    events: list[tuple[str, str]] = []
    search_read = OdooClient.search_read

    async def logged(self: OdooClient, model: str, *args: Any, **kwargs: Any) -> Any:
        events.append(("asked", model))
        found = await search_read(self, model, *args, **kwargs)
        events.append(("answered", model))
        return found

    monkeypatch.setattr(OdooClient, "search_read", logged)
    async with httpx.AsyncClient(timeout=30) as client:
        erp, _ = adapter(client, odoo_emulator_url)
        found = await erp.orders_by_reference(references)
    assert sorted(found) == sorted(references)
    asked = sorted(model for what, model in events if what == "asked")
    assert asked == ["res.partner", "sale.order"]
    assert events.index(("asked", "res.partner")) < events.index(("answered", "sale.order"))
