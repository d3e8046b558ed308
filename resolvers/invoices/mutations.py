"""payInvoice: register a payment against an invoice, through the command queue."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from erp_backends.errors import UserErrorCode
from erp_backends.models import Money
from gateway.auth.scopes import PAYMENTS_WRITE
from gateway.commands import payloads
from resolvers.access import PAYING_AS_CUSTOMER, requires
from resolvers.commands.accepting import accept, writes_of
from resolvers.commands.types import UserError, user_error
from resolvers.context import Info
from resolvers.node import decode_id_of
from resolvers.orders.mutations import IDEMPOTENCY_KEY, CommandPayload


@strawberry.input(description="An amount of money.")
class MoneyInput:
    amount: Decimal
    currency: str = strawberry.field(description="ISO 4217, e.g. EUR.")


@strawberry.input
class PayInvoiceInput:
    invoice_id: strawberry.ID
    amount: MoneyInput | None = strawberry.field(
        default=None, description="What is paid; everything due when absent."
    )
    idempotency_key: str | None = IDEMPOTENCY_KEY


@strawberry.type
class PayInvoicePayload(CommandPayload):
    pass


@strawberry.type
class InvoiceMutations:
    @strawberry.mutation(
        description="Pay an invoice, in full or in part.",
        extensions=requires(PAYMENTS_WRITE, when_impersonating=PAYING_AS_CUSTOMER),
    )
    async def pay_invoice(self, info: Info, input: PayInvoiceInput) -> PayInvoicePayload:
        key = decode_id_of(input.invoice_id, "Invoice")
        # Through the ownership filter first: another customer's invoice is NOT_FOUND.
        invoice = None if key is None else await info.context.loaders.invoice_by_id.load(key)
        if invoice is None:
            error = user_error(
                UserErrorCode.NOT_FOUND, f"No invoice with id {input.invoice_id!r}", "invoiceId"
            )
            return PayInvoicePayload.refused([error])
        asked = input.amount
        if asked is not None and (not asked.amount.is_finite() or asked.amount <= 0):
            error = user_error(
                UserErrorCode.INVALID_AMOUNT, "The amount must be more than 0", "amount", "amount"
            )
            return PayInvoicePayload.refused([error])
        if asked is not None and asked.currency.upper() != invoice.amount_due.currency:
            error = user_error(
                UserErrorCode.CURRENCY_MISMATCH,
                f"The invoice is in {invoice.amount_due.currency}, not {asked.currency}",
                "amount",
                "currency",
            )
            return PayInvoicePayload.refused([error])

        async def live_checks() -> payloads.PayInvoice | list[UserError]:
            # The amount due now, from the ERP: a payment a minute ago changed it.
            current = await writes_of(info).live.invoice.load(invoice.id)
            due = (current or invoice).amount_due.amount
            amount = asked.amount if asked is not None else due
            if due <= 0 or amount > due:
                return [
                    user_error(
                        UserErrorCode.AMOUNT_EXCEEDS_DUE,
                        f"{invoice.number} has {due} {invoice.amount_due.currency} due",
                        "amount",
                    )
                ]
            return payloads.PayInvoice(
                invoice_id=invoice.id,
                customer_id=invoice.customer_id,
                amount=Money(amount, invoice.amount_due.currency),
            )

        outcome = await accept(
            info, payloads.PayInvoice, live_checks, request=input, input_key=input.idempotency_key
        )
        return PayInvoicePayload.of(outcome)
