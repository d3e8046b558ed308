"""Which share of the ERP's rate limit each of the writer's calls draws on.

The worker's writes yield a reserve of the rate limit to interactive work; acceptance's
own reads (credit, what an order can return) are interactive: a client waits for them.
Read through the drain's share, a burst of orders waited on the worker's backlog (14 s
per acceptance in `bench/burst.py`)."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from erp_backends.http import BackendHttp
from erp_backends.models import Quantity
from erp_backends.odoo.emulator import EmulatorOptions, create_app
from erp_backends.odoo.kind import OdooOptions, open_odoo
from erp_backends.registry import Connection
from erp_backends.writes import DraftLine, OrderDraft
from tests.harness import odoo_rpc
from tests.servers import serve_in_thread

pytestmark = pytest.mark.slow


class RecordingLimiter:
    """Lets every call go, and remembers which share each one asked for."""

    def __init__(self) -> None:
        self.shares: list[str] = []

    async def acquire(self, *, background: bool = False) -> None:
        self.shares.append("background" if background else "interactive")

    def headroom(self) -> float:
        return 1.0


@pytest.fixture(scope="module")
def url():
    with serve_in_thread(create_app(EmulatorOptions(seed=5))) as served:  # it takes an order
        yield served


async def test_acceptance_reads_are_interactive_and_writes_background(url):
    customer = odoo_rpc(url, "res.partner", "search", [[["customer_rank", ">", 0]]], {"limit": 1})
    delivered = odoo_rpc(
        url,
        "sale.order.line",
        "search_read",
        [[["qty_delivered", ">", 0]]],
        {"fields": ["order_id"], "limit": 1},
    )
    by_the_unit = [["sale_ok", "=", True], ["uom_id", "=", 1]]
    product = odoo_rpc(url, "product.product", "search", [by_the_unit], {"limit": 1})
    limiter = RecordingLimiter()
    async with httpx.AsyncClient() as client:
        http = BackendHttp(client, url, backend="erp", system="Odoo", rate_limiter=limiter)
        writer = open_odoo(Connection(http, "admin", "erp"), OdooOptions(database="demo")).writer
        assert writer is not None

        await writer.credit_of([str(customer[0])])
        await writer.returnable([str(delivered[0]["order_id"][0])])
        assert set(limiter.shares) == {"interactive"}

        limiter.shares.clear()
        line = DraftLine(str(product[0]), Quantity(Decimal(1), "C62"))
        await writer.place_order(OrderDraft("EGW-RATE-SHARE", str(customer[0]), (line,)))
        assert set(limiter.shares) == {"background"}
