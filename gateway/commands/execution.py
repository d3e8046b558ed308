"""Running one command against the ERP: from its payload (read back from the queue's
JSON by `payloads.payload_of`, where the four shapes are described) to an `ErpWriter`
call, and from the answer to a result, plus the cache entries the write made stale.

A payload this version cannot read raises `payloads.MalformedPayload`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, assert_never

from erp_backends.errors import BackendDataError, BusinessRuleViolation
from erp_backends.models import Order
from erp_backends.writes import ErpWriter, OrderDraft, ReturnDraft
from gateway.cache.entities import Entity
from gateway.commands.model import Command
from gateway.commands.payloads import (
    CancelOrder,
    PayInvoice,
    PlaceOrder,
    RequestReturn,
    payload_of,
)

REFERENCE_PREFIX = "EGW-"  # what ERP documents written by the gateway carry


def erp_reference(command: Command) -> str:
    """The external reference the ERP document of this command carries: how a retried
    command finds the document an earlier attempt created."""
    return f"{REFERENCE_PREFIX}{command.id}"


@dataclass(frozen=True, slots=True)
class Stale:
    """Cache entries a confirmed command made stale: records and lists by entity."""

    records: Mapping[Entity, Sequence[str]]
    lists: Mapping[Entity, Sequence[str]]


@dataclass(frozen=True, slots=True)
class Done:
    result: Mapping[str, Any]
    stale: Stale


async def execute(command: Command, writer: ErpWriter) -> Done:
    """Do the command in the ERP; BusinessRuleViolation and BackendError pass through."""
    reference = erp_reference(command)
    match payload_of(command):
        case PlaceOrder() as payload:
            return await _place_order(payload, reference, writer)
        case CancelOrder() as payload:
            return await _cancel_order(payload, reference, writer)
        case PayInvoice() as payload:
            return await _pay_invoice(payload, reference, writer)
        case RequestReturn() as payload:
            return await _request_return(payload, reference, writer)
        case unknown:
            assert_never(unknown)


async def _place_order(payload: PlaceOrder, reference: str, writer: ErpWriter) -> Done:
    draft = _order_draft(payload, reference)
    return _order_placed(draft, await writer.place_order(draft))


async def place_orders(
    commands: Sequence[Command], writer: ErpWriter
) -> dict[str, Done | BusinessRuleViolation]:
    """Do these place_order commands in the ERP as one batch: each one's outcome, by
    command id (a refusal is that command's alone). BackendError is the whole batch's;
    MalformedPayload names the command whose payload cannot be read."""
    drafts = {
        command.id: _order_draft(_place_payload(command), erp_reference(command))
        for command in commands
    }
    placed = await writer.place_orders(list(drafts.values()))
    outcomes: dict[str, Done | BusinessRuleViolation] = {}
    for command_id, draft in drafts.items():
        outcome = placed.get(draft.reference)
        if outcome is None:
            raise BackendDataError(f"the batch came back without {draft.reference}", backend="erp")
        if isinstance(outcome, BusinessRuleViolation):
            outcomes[command_id] = outcome
        else:
            outcomes[command_id] = _order_placed(draft, outcome)
    return outcomes


def _place_payload(command: Command) -> PlaceOrder:
    payload = payload_of(command)
    if not isinstance(payload, PlaceOrder):
        raise TypeError(f"command {command.id} is a {command.kind.value}, not a place_order")
    return payload


def _order_draft(payload: PlaceOrder, reference: str) -> OrderDraft:
    return OrderDraft(
        reference=reference,
        customer_id=payload.customer_id,
        lines=payload.lines,
        shipping_address=payload.shipping_address,
        note=payload.note,
    )


def _order_placed(draft: OrderDraft, order: Order) -> Done:
    return Done(
        {"order_id": order.id, "order_number": order.number},
        Stale(
            records={Entity.ERP_STOCK: [line.product_id for line in draft.lines]},
            lists={Entity.ERP_ORDERS_BY_CUSTOMER: [order.customer_id]},
        ),
    )


async def _cancel_order(payload: CancelOrder, reference: str, writer: ErpWriter) -> Done:
    order = await writer.cancel_order(payload.order_id, reference)
    return Done(
        {"order_id": order.id, "order_number": order.number},
        Stale(
            records={Entity.ERP_ORDER: [order.id], Entity.ERP_STOCK: list(payload.product_ids)},
            lists={Entity.ERP_ORDERS_BY_CUSTOMER: [order.customer_id]},
        ),
    )


async def _pay_invoice(payload: PayInvoice, reference: str, writer: ErpWriter) -> Done:
    payment = await writer.pay_invoice(payload.invoice_id, payload.amount, reference)
    invoice_id = payload.invoice_id
    return Done(
        {"payment_id": payment.id, "payment_number": payment.number, "invoice_id": invoice_id},
        Stale(
            records={Entity.ERP_INVOICE: [invoice_id]},
            lists={
                Entity.ERP_PAYMENTS_BY_INVOICE: [invoice_id],
                Entity.ERP_PAYMENTS_BY_CUSTOMER: [payment.customer_id],
                Entity.ERP_INVOICES_BY_CUSTOMER: [payment.customer_id],
            },
        ),
    )


async def _request_return(payload: RequestReturn, reference: str, writer: ErpWriter) -> Done:
    draft = ReturnDraft(
        reference=reference,
        order_id=payload.order_id,
        lines=payload.lines,
        reason=payload.reason,
    )
    receipt = await writer.request_return(draft)
    return Done(
        {"return_id": receipt.id, "return_number": receipt.number, "order_id": receipt.order_id},
        Stale(records={Entity.ERP_ORDER: [receipt.order_id]}, lists={}),
    )


def user_error_result(violation: BusinessRuleViolation) -> dict[str, Any]:
    """How a command that the ERP refused for a business reason records why, and what
    the writer undid when the refusal came after a first step (ROLLED_BACK)."""
    result: dict[str, Any] = {
        "user_error": {
            "code": violation.code.value,  # plain text in the queue's JSON
            "message": violation.message,
            "field": violation.field,
        }
    }
    if violation.compensated is not None:
        result["compensated"] = violation.compensated
    return result
