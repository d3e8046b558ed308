"""What the gateway asks an ERP to do, in canonical terms: the write side of the ports.

Every write carries a `reference`: the command's idempotency key, which the adapter
writes into the ERP document's external reference (Odoo: `client_order_ref` of an
order, `memo` of a payment, `origin` of a return) and looks up before creating. A
worker that crashes between the ERP's create and its own acknowledgement therefore never
creates a second document when it tries again.

A write of several steps (create a draft, then confirm it) that the ERP refuses after
the first step is undone by the writer, which alone knows what it created: the
`BusinessRuleViolation` it then raises says what it undid in `compensated`, and the
command ends ROLLED_BACK rather than FAILED. A draft the reference lookup finds on a
later attempt is confirmed, or undone if refused again; one found undone is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from erp_backends.errors import BusinessRuleViolation
from erp_backends.models import Address, Money, Order, Payment, Quantity


@dataclass(frozen=True, slots=True)
class DraftLine:
    product_id: str
    quantity: Quantity  # in the product's sales unit: the gateway converts before this


@dataclass(frozen=True, slots=True)
class OrderDraft:
    reference: str  # the idempotency key; also the order's customer reference
    customer_id: str
    lines: tuple[DraftLine, ...]
    shipping_address: Address | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ReturnDraft:
    reference: str
    order_id: str
    lines: tuple[DraftLine, ...]  # what comes back; all of the order's lines when empty
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ReturnReceipt:
    id: str
    number: str
    order_id: str


@dataclass(frozen=True, slots=True)
class Credit:
    """A customer's credit: what it may owe (None: no limit) and what it owes now
    (posted invoices not yet paid, plus confirmed orders not yet invoiced)."""

    limit: Money | None
    open_balance: Money


class ErpWriter(Protocol):
    """Writes to the ERP. Each is idempotent by its `reference`; a business refusal is a
    `BusinessRuleViolation`, a system failure a `BackendError`."""

    async def place_order(self, draft: OrderDraft) -> Order:
        """Create and confirm the order, or return the one that already has this
        reference; an order whose confirmation the ERP refuses is cancelled again."""
        ...

    async def place_orders(
        self, drafts: Sequence[OrderDraft]
    ) -> Mapping[str, Order | BusinessRuleViolation]:
        """`place_order` for many drafts in a few calls for the whole batch, by
        reference: each draft's order, or the business refusal of that draft alone (the
        others go on). A system failure (`BackendError`) is the whole batch's."""
        ...

    async def cancel_order(self, order_id: str, reference: str) -> Order:
        """Cancel it; ORDER_NOT_CANCELLABLE once delivered or invoiced. Cancelling a
        cancelled order returns it unchanged."""
        ...

    async def pay_invoice(self, invoice_id: str, amount: Money, reference: str) -> Payment:
        """Register a payment against the invoice, or return the one with this
        reference; AMOUNT_EXCEEDS_DUE when it is more than the amount due."""
        ...

    async def request_return(self, draft: ReturnDraft) -> ReturnReceipt:
        """Open (and confirm) a return for a delivered order, or return the one with this
        reference; a return the ERP refuses to confirm is cancelled again.
        ORDER_NOT_RETURNABLE when it asks back more of a product than `returnable` has."""
        ...

    async def returnable(self, order_ids: Sequence[str]) -> Mapping[str, Mapping[str, Quantity]]:
        """What may still come back of each order, read live in a few calls for them all:
        per product, what it delivered (less the returns done) less what its open returns
        ask back, in the product's sales unit. An order that delivered nothing (or that
        the ERP does not know) is absent, and so may be a product it did not deliver."""
        ...

    async def credit_of(self, customer_ids: Sequence[str]) -> Mapping[str, Credit]:
        """Credit limit and open balance of each customer, read live."""
        ...
