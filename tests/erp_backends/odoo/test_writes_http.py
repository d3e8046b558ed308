"""Writes on the wire: sent once whatever the retry policy, a throttle or an outage
surfacing as the errors the command queue retries. A mock Odoo (JSON-2) answers the
reads and fails the write, which a real server cannot be made to do on cue."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal

import httpx
import pytest

from erp_backends.errors import BackendRateLimited, BackendUnavailable
from erp_backends.http import BackendHttp, Resilience
from erp_backends.models import Quantity
from erp_backends.odoo.client import OdooConnection
from erp_backends.odoo.writes import open_odoo_writer
from erp_backends.writes import DraftLine, OrderDraft

PRODUCT = {
    "id": 5,
    "uom_id": [1, "Units"],
    "sale_ok": True,
    "active": True,
    "display_name": "[FURN-0005] Desk",
}
DRAFT = OrderDraft("SHOP-9", "7", (DraftLine("5", Quantity(Decimal(2), "C62")),))


def mock_odoo(create_status: int, calls: Counter[str]) -> httpx.MockTransport:
    """Answers every read; `sale.order/create` answers `create_status` (no JSON body)."""
    answers = {
        "res.partner/search_count": 1,
        "sale.order/search_read": [],
        "sale.order.line/fields_get": {"product_uom_id": {"type": "many2one"}},
        "product.product/search_read": [PRODUCT],
    }

    def handle(request: httpx.Request) -> httpx.Response:
        call = request.url.path.removeprefix("/json/2/")
        calls[call] += 1
        if call == "sale.order/create":
            assert json.loads(request.content)["vals_list"][0]["client_order_ref"] == "SHOP-9"
            return httpx.Response(create_status, headers={"Retry-After": "0"}, text="busy")
        return httpx.Response(200, json=answers[call])

    return httpx.MockTransport(handle)


@pytest.mark.parametrize(
    ("status", "error"), [(429, BackendRateLimited), (503, BackendUnavailable)]
)
async def test_a_failed_create_is_sent_once_and_surfaces_for_the_queue(status, error):
    # Given an Odoo that fails creates, and a policy that retries reads twice
    calls: Counter[str] = Counter()
    policy = Resilience(retries=2, backoff_s=0.0)
    async with httpx.AsyncClient(transport=mock_odoo(status, calls)) as client:
        http = BackendHttp(
            client, "http://odoo.test", backend="erp", system="Odoo", resilience=policy
        )
        writer = open_odoo_writer(http, OdooConnection("demo", "admin", "key", "json2"))
        # When an order is placed
        with pytest.raises(error):
            await writer.place_order(DRAFT)
    # Then the create went out once, and nothing was confirmed
    assert calls["sale.order/create"] == 1
    assert calls["sale.order/action_confirm"] == 0
