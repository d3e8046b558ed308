"""The adapter adapts to the field names of the Odoo version it talks to (respx)."""

import json
from decimal import Decimal

import httpx
import pytest
import respx

from erp_backends.errors import BackendDataError
from erp_backends.http import BackendHttp
from erp_backends.odoo.adapter import OdooErp
from erp_backends.odoo.client import OdooClient, OdooConnection

URL = "http://odoo17.test"
CONNECTION = OdooConnection("demo", "admin", "k")
# fields_get of an Odoo 17: product_uom (not product_uom_id), ref (not memo), no is_storable.
ODOO_17_FIELDS = {
    "sale.order.line": {"product_uom": {"type": "many2one"}, "order_id": {"type": "many2one"}},
    "account.payment": {"ref": {"type": "char"}, "reconciled_invoice_ids": {"type": "many2many"}},
    "product.product": {"type": {"type": "selection"}, "default_code": {"type": "char"}},
}
LINE = {
    "id": 9,
    "order_id": [1, "S00001"],
    "product_id": [5, "Desk"],
    "name": "Desk",
    "product_uom_qty": 2.0,
    "qty_delivered": 0.0,
    "qty_invoiced": 0.0,
    "price_unit": 10.0,
    "discount": 0.0,
    "price_subtotal": 20.0,
    "price_total": 24.2,
    "currency_id": [1, "EUR"],
    "product_uom": [2, "Dozens"],
}
PRODUCT = {
    "id": 5,
    "default_code": "DESK-1",
    "name": "Desk",
    "barcode": False,
    "lst_price": 10.0,
    "currency_id": [1, "EUR"],
    "uom_id": [1, "Units"],
    "type": "product",
    "sale_ok": True,
    "active": True,
}


def odoo_17(requests):
    def respond(request):
        params = json.loads(request.content)["params"]
        if params["service"] == "common":
            return _result(2)
        model, method, kwargs = params["args"][3], params["args"][4], params["args"][6]
        requests.append((model, method, kwargs))
        if method == "fields_get":
            return _result(ODOO_17_FIELDS.get(model, {}))
        return _result({"sale.order.line": [LINE], "product.product": [PRODUCT]}.get(model, []))

    return respond


def _result(value):
    return httpx.Response(200, json={"jsonrpc": "2.0", "id": 1, "result": value})


@respx.mock
async def test_an_odoo_17_gets_its_own_field_names():
    requests: list[tuple[str, str, dict]] = []
    respx.post(f"{URL}/jsonrpc").mock(side_effect=odoo_17(requests))
    async with httpx.AsyncClient() as http:
        erp = OdooErp(OdooClient(BackendHttp(http, URL, backend="erp", system="Odoo"), CONNECTION))
        lines = await erp.lines_for_orders(["1"])
        products = await erp.get_products(["5"])
        await erp.get_payments(["3"])

    line = lines["1"][0]
    assert (line.quantity.value, line.quantity.unit) == (Decimal(2), "DZN")
    assert products["5"].tracks_stock is True  # type "product" means storable before 18
    fields = {(model, method): kwargs.get("fields", []) for model, method, kwargs in requests}
    assert "product_uom" in fields["sale.order.line", "search_read"]
    assert "is_storable" not in fields["product.product", "search_read"]
    assert {"ref", "reconciled_invoice_ids"} <= set(fields["account.payment", "search_read"])
    assert [m for _, m, _ in requests].count("fields_get") == 3  # once per model, then known


@respx.mock
async def test_an_odoo_without_either_field_name_is_a_clear_error():
    respx.post(f"{URL}/jsonrpc").mock(
        side_effect=lambda request: (
            _result(2)
            if json.loads(request.content)["params"]["service"] == "common"
            else _result({})
        )
    )
    async with httpx.AsyncClient() as http:
        erp = OdooErp(OdooClient(BackendHttp(http, URL, backend="erp", system="Odoo"), CONNECTION))
        with pytest.raises(
            BackendDataError, match="none of the fields product_uom_id, product_uom"
        ):
            await erp.lines_for_orders(["1"])
