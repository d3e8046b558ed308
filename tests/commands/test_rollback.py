"""Rollbacks: when the ERP refuses a write after its first step was done (an order
created, then its confirmation refused), the writer undoes that step and the command
ends ROLLED_BACK with the ERP's reason, in the queue, the API and the audit log.

The emulator refuses on purpose (`FaultOptions.refuse`), with Odoo's UserError, the
business methods named below; everything else it does as usual."""

import asyncio
import tempfile
import uuid
from dataclasses import replace
from decimal import Decimal

import httpx
import pytest

from erp_backends.emulation.faults import FaultOptions
from erp_backends.errors import BackendUnavailable, BusinessRuleViolation, UserErrorCode
from erp_backends.http import BackendHttp
from erp_backends.models import Money, Quantity
from erp_backends.odoo import emulator
from erp_backends.odoo.client import OdooConnection
from erp_backends.odoo.writes import open_odoo_writer
from erp_backends.writes import DraftLine, OrderDraft
from gateway.auth.audit import open_audit_log
from gateway.commands.model import Command, CommandStatus
from gateway.commands.queue import open_command_queue
from gateway.commands.worker import Worker
from gateway.config import QueueSettings
from resolvers.node import encode_id
from tests.commands.conftest import STAFF, SYNC_WAIT_MS, customer_token, orders_with_reference
from tests.gateway.commands.queues import command
from tests.harness import (
    TEST_AUTH,
    data_of,
    graphql,
    odoo_rpc,
    odoo_settings,
    own_queue,
    running_gateway,
)
from tests.servers import serve_in_thread

REFUSED = frozenset(
    {
        "sale.order.action_confirm",
        "stock.picking.action_confirm",
        "account.payment.register.action_create_payments",
    }
)
DRAFT_STATES = ("draft", "sent")

PLACE = """
mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    receipt { commandId status order { id } }
    userErrors { field code message }
  }
}
"""
COMMAND = """
query($id: ID!) {
  command(id: $id) { status lastError compensation userErrors { code message } }
}
"""
RETURN = """
mutation($input: RequestReturnInput!) {
  requestReturn(input: $input) {
    receipt { commandId status returnNumber } userErrors { code message }
  }
}
"""
PAY = """
mutation($input: PayInvoiceInput!) {
  payInvoice(input: $input) {
    receipt { commandId status payment { id } } userErrors { code message }
  }
}
"""


# --- The worker settles a compensated refusal ----------------------------------------


class RefusingWriter:
    """Refuses after undoing what it did, as the ERP writers do."""

    async def place_order(self, draft):
        raise BusinessRuleViolation(
            UserErrorCode.ERP_REFUSED,
            "You cannot confirm these records: approval required",
            compensated="cancelled draft order S00042",
        )


async def test_a_refusal_after_a_first_step_is_rolled_back_with_its_reason(tmp_path):
    # given a queued command and a writer that undoes its first step when refused
    queue = open_command_queue(f"sqlite:///{tmp_path}/queue.sqlite3")
    audit = open_audit_log(f"sqlite:///{tmp_path}/audit.sqlite3")
    new, _ = await queue.submit(command())
    settled: list[Command] = []
    worker = Worker(
        queue,
        RefusingWriter(),  # type: ignore[arg-type]
        QueueSettings(url="unused"),
        audit=audit,
        on_settled=settled.append,
    )

    # when the worker runs it
    assert await worker.run_once()

    # then it is ROLLED_BACK, with the user error and what was undone, and audited so
    rolled_back = await queue.get(new.id)
    assert rolled_back is not None
    assert rolled_back.status is CommandStatus.ROLLED_BACK
    assert rolled_back.result == {
        "user_error": {
            "code": "ERP_REFUSED",
            "message": "You cannot confirm these records: approval required",
            "field": None,
        },
        "compensated": "cancelled draft order S00042",
    }
    assert (rolled_back.last_error or "").startswith("ERP_REFUSED: You cannot confirm")
    assert settled == [rolled_back]
    [entry] = await audit.tail(10)
    assert entry.request_id == new.id
    assert entry.outcome == "rolled_back: ERP_REFUSED; cancelled draft order S00042"
    await queue.close()
    await audit.close()


# --- Over HTTP, against an Odoo that refuses ------------------------------------------


@pytest.fixture(scope="module")
def odoo_app():
    return emulator.create_app(
        emulator.EmulatorOptions(seed=3, faults=FaultOptions(refuse=REFUSED))
    )


@pytest.fixture(scope="module")
def odoo(odoo_app):
    with serve_in_thread(odoo_app) as url:
        yield url


@pytest.fixture(scope="module")
def audit_url():
    return f"sqlite:///{tempfile.mkdtemp(prefix='erp-gateway-audit-')}/auth.sqlite3"


@pytest.fixture(scope="module")
def gateway(odoo, audit_url):
    settings = replace(
        odoo_settings(odoo),
        queue=own_queue(sync_wait_ms=SYNC_WAIT_MS),
        auth=replace(TEST_AUTH, store=audit_url),
    )
    with running_gateway(settings) as url:
        yield url


def audited(audit_url: str, command_id: str) -> list[str]:
    async def outcomes() -> list[str]:
        audit = open_audit_log(audit_url)
        try:
            entries = await audit.tail(1000)
        finally:
            await audit.close()
        return [e.outcome for e in entries if e.request_id == command_id and e.kind == "command"]

    return asyncio.run(outcomes())


def command_view(gateway: str, command_id: str) -> dict:
    return data_of(graphql(gateway, COMMAND, {"id": command_id}, token=STAFF))["command"]


@pytest.mark.slow
def test_an_order_odoo_refuses_to_confirm_is_cancelled_and_rolled_back(
    gateway, odoo, catalogue, audit_url
):
    # given an Odoo whose approval rule refuses to confirm any order
    customer = catalogue["customers"][0]["id"]
    lines = [{"sku": catalogue["products"][0]["sku"], "quantity": "1"}]

    # when a customer places an order
    variables = {"input": {"lines": lines, "idempotencyKey": uuid.uuid4().hex}}
    answer = graphql(gateway, PLACE, variables, token=customer_token(customer))
    payload = data_of(answer)["placeOrder"]

    # then the receipt says ROLLED_BACK with Odoo's reason, and no order
    receipt = payload["receipt"]
    assert receipt["status"] == "ROLLED_BACK"
    assert receipt["order"] is None
    [error] = payload["userErrors"]
    assert error["code"] == "ERP_REFUSED"
    assert "approval rule" in error["message"]
    # and the ERP has the order only cancelled: no quotation is left behind
    command_id = receipt["commandId"]
    [order] = orders_with_reference(odoo, f"EGW-{command_id}")
    assert order["state"] == "cancel"
    # and the command, its compensation and the audit log say what happened
    view = command_view(gateway, command_id)
    assert view["status"] == "ROLLED_BACK"
    assert view["compensation"] == f"cancelled draft order {order['name']}"
    assert [e["code"] for e in view["userErrors"]] == ["ERP_REFUSED"]
    assert view["lastError"].startswith("ERP_REFUSED: ")
    assert audited(audit_url, command_id) == [
        f"rolled_back: ERP_REFUSED; cancelled draft order {order['name']}"
    ]


@pytest.mark.slow
def test_a_return_odoo_refuses_to_confirm_is_cancelled_and_rolled_back(gateway, odoo, audit_url):
    # given a delivered order, and an Odoo that refuses to confirm transfers
    delivered = [["qty_delivered", ">", 0]]
    options = {"fields": ["order_id"], "limit": 1}
    [line] = odoo_rpc(odoo, "sale.order.line", "search_read", [delivered], options)
    order_id = encode_id("Order", str(line["order_id"][0]))

    # when staff request a return of it
    variables = {"input": {"orderId": order_id, "reason": "damaged"}}
    payload = data_of(graphql(gateway, RETURN, variables, token=STAFF))["requestReturn"]

    # then it is rolled back, and the return's transfer is cancelled, not left in draft
    assert payload["receipt"]["status"] == "ROLLED_BACK"
    assert [e["code"] for e in payload["userErrors"]] == ["ERP_REFUSED"]
    command_id = payload["receipt"]["commandId"]
    domain = [["origin", "=", f"EGW-{command_id}"]]
    fields = {"fields": ["name", "state"]}
    [picking] = odoo_rpc(odoo, "stock.picking", "search_read", [domain], fields)
    assert picking["state"] == "cancel"
    in_picking = [["picking_id", "=", picking["id"]]]
    moves = odoo_rpc(odoo, "stock.move", "search_read", [in_picking], {"fields": ["state"]})
    assert {move["state"] for move in moves} == {"cancel"}
    assert audited(audit_url, command_id) == [
        f"rolled_back: ERP_REFUSED; cancelled return {picking['name']}"
    ]


def unpaid_invoice(odoo: str) -> dict:
    domain = [
        ["move_type", "=", "out_invoice"],
        ["state", "=", "posted"],
        ["payment_state", "=", "not_paid"],
        ["amount_residual", ">", 10],
    ]
    fields = {"fields": ["currency_id", "amount_residual"], "limit": 1}
    [invoice] = odoo_rpc(odoo, "account.move", "search_read", [domain], fields)
    return invoice


@pytest.mark.slow
def test_a_payment_the_wizard_refuses_fails_and_leaves_no_payment(gateway, odoo, audit_url):
    # given an Odoo whose payment wizard refuses to create payments: it posts in one
    # transaction, so there is nothing of it to undo
    invoice = unpaid_invoice(odoo)
    variables = {"input": {"invoiceId": encode_id("Invoice", str(invoice["id"]))}}

    # when staff pay the invoice
    payload = data_of(graphql(gateway, PAY, variables, token=STAFF))["payInvoice"]

    # then the command fails with Odoo's reason, and no payment carries its reference
    assert payload["receipt"]["status"] == "FAILED"
    assert [e["code"] for e in payload["userErrors"]] == ["ERP_REFUSED"]
    command_id = payload["receipt"]["commandId"]
    memo = [["memo", "=", f"EGW-{command_id}"]]
    assert odoo_rpc(odoo, "account.payment", "search_read", [memo], {"fields": ["id"]}) == []
    assert audited(audit_url, command_id) == ["failed: ERP_REFUSED"]


# --- The Odoo writer, when undoing fails on the way -----------------------------------


class FailingFirst(httpx.AsyncBaseTransport):
    """Answers 503 to the first call of `method`, as a proxy in front of Odoo might."""

    def __init__(self, method: str) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._method = f'"{method}"'.encode()
        self.failed = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.failed and self._method in request.content:
            self.failed += 1
            return httpx.Response(503, text="Service Temporarily Unavailable")
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def order_draft(odoo: str, reference: str) -> OrderDraft:
    customers = [["customer_rank", ">", 0], ["parent_id", "=", False]]
    [customer] = odoo_rpc(odoo, "res.partner", "search_read", [customers], {"limit": 1})
    sellable = [["sale_ok", "=", True], ["uom_id.name", "=", "Units"]]
    [product] = odoo_rpc(odoo, "product.product", "search_read", [sellable], {"limit": 1})
    line = DraftLine(str(product["id"]), Quantity(Decimal(1), "C62"))
    return OrderDraft(reference=reference, customer_id=str(customer["id"]), lines=(line,))


@pytest.mark.slow
async def test_a_cancel_that_fails_on_the_way_is_retried_and_leaves_no_draft(odoo):
    # given an order whose confirmation Odoo refuses, and whose cancellation first
    # meets a 503
    transport = FailingFirst("action_cancel")
    draft = await asyncio.to_thread(order_draft, odoo, f"TEST-undo-{uuid.uuid4().hex[:8]}")
    async with httpx.AsyncClient(transport=transport, timeout=30) as client:
        http = BackendHttp(client, odoo, backend="erp", system="Odoo")
        writer = open_odoo_writer(http, OdooConnection("demo", "admin", "admin"))

        # when the command's first attempt fails to undo its draft
        with pytest.raises(BackendUnavailable):
            await writer.place_order(draft)
        [left] = await asyncio.to_thread(orders_with_reference, odoo, draft.reference)
        assert left["state"] == "draft"  # for the retry to find

        # then the retry finds the draft, is refused again and cancels it
        with pytest.raises(BusinessRuleViolation) as refused:
            await writer.place_order(draft)
        assert refused.value.code is UserErrorCode.ERP_REFUSED
        assert refused.value.compensated == f"cancelled draft order {left['name']}"

        # and an attempt after that (its worker died before settling) is refused too,
        # without a second order
        with pytest.raises(BusinessRuleViolation) as again:
            await writer.place_order(draft)
        assert again.value.compensated == f"draft order {left['name']} is cancelled"
    orders = await asyncio.to_thread(orders_with_reference, odoo, draft.reference)
    assert [order["state"] for order in orders] == ["cancel"]
    assert transport.failed == 1


@pytest.mark.slow
async def test_a_draft_payment_left_with_the_reference_is_deleted(odoo, odoo_app):
    # given a draft payment with the command's reference, as an Odoo customisation that
    # commits before posting might leave, and a wizard that refuses
    invoice = await asyncio.to_thread(unpaid_invoice, odoo)
    reference = f"TEST-pay-{uuid.uuid4().hex[:8]}"
    database = odoo_app.state.database
    journal = next(
        i for i, j in database.table("account.journal").records.items() if j["type"] == "bank"
    )
    draft_id = database.insert(
        "account.payment",
        {
            "name": False,
            "memo": reference,
            "state": "draft",
            "payment_type": "inbound",
            "partner_type": "customer",
            "amount": 10.0,
            "journal_id": journal,
            "create_date": "2026-12-02 09:00:00",
        },
    )
    currency = invoice["currency_id"][1]
    async with httpx.AsyncClient(timeout=30) as client:
        http = BackendHttp(client, odoo, backend="erp", system="Odoo")
        writer = open_odoo_writer(http, OdooConnection("demo", "admin", "admin"))

        # when the payment is registered
        with pytest.raises(BusinessRuleViolation) as refused:
            await writer.pay_invoice(str(invoice["id"]), Money(Decimal(10), currency), reference)

    # then the refusal says the draft was deleted, and it is gone
    assert refused.value.code is UserErrorCode.ERP_REFUSED
    assert refused.value.compensated == f"deleted draft payment {draft_id}"
    assert draft_id not in database.table("account.payment").records


@pytest.mark.slow
def test_the_refusal_is_odoos_user_error_on_the_wire(odoo):
    # a refused method answers as Odoo does, so adapters see a UserError, not a fault
    body = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": ["demo", 2, "admin", "sale.order", "action_confirm", [[1]], {}],
        },
    }
    answer = httpx.post(f"{odoo}/jsonrpc", json=body, timeout=30).json()
    assert answer["error"]["code"] == 200
    assert answer["error"]["data"]["name"] == "odoo.exceptions.UserError"
    assert "approval rule" in answer["error"]["data"]["message"]
