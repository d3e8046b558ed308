"""Running one command against the ERP: from its JSON payload to an `ErpWriter` call,
and from the answer to a result, plus the cache entries the write made stale.

Payloads (JSON-safe; keys are the ERP's own record keys, amounts strings):

    place_order     {customer_id, lines: [{product_id, quantity, unit}], note, shipping_address}
    cancel_order    {order_id, customer_id, product_ids}
    pay_invoice     {invoice_id, customer_id, amount, currency}
    request_return  {order_id, customer_id, lines: [...], reason}
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from erp_backends.errors import BusinessRuleViolation
from erp_backends.models import Address, AddressKind, Money, Quantity
from erp_backends.writes import DraftLine, ErpWriter, OrderDraft, ReturnDraft
from gateway.commands.model import Command, CommandKind

REFERENCE_PREFIX = "EGW-"  # what ERP documents written by the gateway carry


def erp_reference(command: Command) -> str:
    """The external reference the ERP document of this command carries: how a retried
    command finds the document an earlier attempt created."""
    return f"{REFERENCE_PREFIX}{command.id}"


@dataclass(frozen=True, slots=True)
class Stale:
    """Cache entries a confirmed command made stale: records and lists by entity."""

    records: Mapping[str, Sequence[str]]
    lists: Mapping[str, Sequence[str]]


@dataclass(frozen=True, slots=True)
class Done:
    result: Mapping[str, Any]
    stale: Stale


async def execute(command: Command, writer: ErpWriter) -> Done:
    """Do the command in the ERP; BusinessRuleViolation and BackendError pass through."""
    return await _HANDLERS[command.kind](command, writer)


async def _place_order(command: Command, writer: ErpWriter) -> Done:
    payload = command.payload
    draft = OrderDraft(
        reference=erp_reference(command),
        customer_id=payload["customer_id"],
        lines=_lines(payload["lines"]),
        shipping_address=_address(payload.get("shipping_address")),
        note=payload.get("note"),
    )
    order = await writer.place_order(draft)
    return Done(
        {"order_id": order.id, "order_number": order.number},
        Stale(
            records={"stock": [line.product_id for line in draft.lines]},
            lists={"orders_by_customer": [order.customer_id]},
        ),
    )


async def _cancel_order(command: Command, writer: ErpWriter) -> Done:
    payload = command.payload
    order = await writer.cancel_order(payload["order_id"], erp_reference(command))
    return Done(
        {"order_id": order.id, "order_number": order.number},
        Stale(
            records={"order": [order.id], "stock": list(payload.get("product_ids", []))},
            lists={"orders_by_customer": [order.customer_id]},
        ),
    )


async def _pay_invoice(command: Command, writer: ErpWriter) -> Done:
    payload = command.payload
    amount = Money(Decimal(payload["amount"]), payload["currency"])
    payment = await writer.pay_invoice(payload["invoice_id"], amount, erp_reference(command))
    invoice_id = payload["invoice_id"]
    return Done(
        {"payment_id": payment.id, "payment_number": payment.number, "invoice_id": invoice_id},
        Stale(
            records={"invoice": [invoice_id]},
            lists={
                "payments_by_invoice": [invoice_id],
                "payments_by_customer": [payment.customer_id],
                "invoices_by_customer": [payment.customer_id],
            },
        ),
    )


async def _request_return(command: Command, writer: ErpWriter) -> Done:
    payload = command.payload
    draft = ReturnDraft(
        reference=erp_reference(command),
        order_id=payload["order_id"],
        lines=_lines(payload.get("lines", [])),
        reason=payload.get("reason"),
    )
    receipt = await writer.request_return(draft)
    return Done(
        {"return_id": receipt.id, "return_number": receipt.number, "order_id": receipt.order_id},
        Stale(records={"order": [receipt.order_id]}, lists={}),
    )


def user_error_result(violation: BusinessRuleViolation) -> dict[str, Any]:
    """How a command that the ERP refused for a business reason records why."""
    return {
        "user_error": {
            "code": violation.code,
            "message": violation.message,
            "field": violation.field,
        }
    }


def _lines(raw: Sequence[Mapping[str, str]]) -> tuple[DraftLine, ...]:
    return tuple(
        DraftLine(line["product_id"], Quantity(Decimal(line["quantity"]), line["unit"]))
        for line in raw
    )


def _address(raw: Mapping[str, Any] | None) -> Address | None:
    if raw is None:
        return None
    fields = {name: raw.get(name) for name in (
        "name", "street", "street2", "postal_code", "city", "region", "country_code")}  # fmt: skip
    return Address(kind=AddressKind.SHIPPING, **fields)


_HANDLERS: dict[CommandKind, Callable[[Command, ErpWriter], Awaitable[Done]]] = {
    CommandKind.PLACE_ORDER: _place_order,
    CommandKind.CANCEL_ORDER: _cancel_order,
    CommandKind.PAY_INVOICE: _pay_invoice,
    CommandKind.REQUEST_RETURN: _request_return,
}
