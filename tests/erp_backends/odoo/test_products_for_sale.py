"""Whether an Odoo product can be sold: `sale_ok` and `active` as `Product.sellable`, in
the mapping and through the adapter against a private emulator in-process (one test
archives and adds products, so never the session's shared one)."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from erp_backends.errors import BackendDataError
from erp_backends.http import BackendHttp
from erp_backends.odoo import mapping
from erp_backends.odoo.adapter import OdooErp
from erp_backends.odoo.client import OdooClient, OdooConnection
from erp_backends.odoo.emulator import EmulatorOptions, create_app
from erp_backends.odoo.emulator.db import Database
from erp_backends.odoo.records import OdooRecord


def odoo_product(**fields: Any) -> OdooRecord:
    row = {
        "id": 7,
        "default_code": "PACK-0001",
        "name": "Carton",
        "barcode": False,
        "lst_price": 1.5,
        "currency_id": [1, "EUR"],
        "uom_id": [1, "Units"],
        "type": "consu",
        "sale_ok": True,
        "active": True,
        **fields,
    }
    return OdooRecord("product.product", row, backend="erp")


@pytest.mark.parametrize(
    ("sale_ok", "active", "sellable"),
    [(True, True, True), (False, True, False), (True, False, False), (False, False, False)],
)
def test_a_product_is_sellable_when_for_sale_and_not_archived(
    sale_ok: bool, active: bool, sellable: bool
) -> None:
    product = mapping.product(odoo_product(sale_ok=sale_ok, active=active), None)
    assert product.sellable is sellable


def test_the_adapter_reads_both_fields() -> None:
    assert {"sale_ok", "active"} <= set(mapping.PRODUCT_FIELDS)


def test_a_flag_that_is_no_boolean_is_bad_data() -> None:
    with pytest.raises(BackendDataError, match="sale_ok"):
        mapping.product(odoo_product(sale_ok="yes"), None)


# Through the adapter ------------------------------------------------------------------


@pytest.fixture(scope="module")
def app() -> Starlette:
    return create_app(EmulatorOptions(seed=1))


@pytest.fixture
async def erp(app: Starlette) -> AsyncIterator[OdooErp]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        http = BackendHttp(client, "http://odoo.in-process", backend="erp", system="Odoo")
        yield OdooErp(OdooClient(http, OdooConnection("demo", "admin", "admin", "json2")))


def products(app: Starlette) -> dict[int, dict[str, Any]]:
    database: Database = app.state.database
    return database.table("product.product").records


async def test_products_not_for_sale_or_archived_are_found_but_not_sellable(
    app: Starlette, erp: OdooErp
) -> None:
    rows = products(app).values()
    packaging = next(r for r in rows if r["active"] and not r["sale_ok"])
    archived = next(r for r in rows if not r["active"])
    on_sale = next(r for r in rows if r["active"] and r["sale_ok"])
    by_sku = await erp.products_by_sku([packaging["default_code"], on_sale["default_code"]])
    assert not by_sku[packaging["default_code"]].sellable
    assert by_sku[on_sale["default_code"]].sellable
    by_id = await erp.get_products([str(archived["id"])])
    assert not by_id[str(archived["id"])].sellable


async def test_of_an_archived_and_a_sellable_product_under_one_sku_the_sellable_is_found(
    app: Starlette, erp: OdooErp
) -> None:
    # Given a product on sale, and archived copies under its SKU that Odoo lists before
    # it and after it (its search orders by SKU, name and id)
    database: Database = app.state.database
    on_sale = next(r for r in products(app).values() if r["active"] and r["sale_ok"])
    for name in ("0 " + on_sale["name"], on_sale["name"]):
        copy = {**on_sale, "id": None, "name": name, "active": False, "barcode": None}
        database.insert("product.product", copy)
    # When the SKU is looked up, Then the product on sale is the SKU's
    found = await erp.products_by_sku([on_sale["default_code"]])
    assert found[on_sale["default_code"]].id == str(on_sale["id"])
