"""payInvoice: register a payment against an invoice, through the command queue."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from erp_backends.errors import UserErrorCode
from erp_backends.models import InvoiceStatus, Money
from erp_backends.normalize.errors import NormalizationError
from erp_backends.normalize.money import decimals, minor_units, payment_currency
from gateway.auth.scopes import INVOICES_READ, PAYMENTS_WRITE
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
        currency = invoice.amount_due.currency
        asked = input.amount
        # The invoice's figures only for a caller who may read invoices.
        reads_invoices = info.context.principal.has_scope(INVOICES_READ)
        if asked is not None and (errors := amount_errors(asked, currency, reads_invoices)):
            return PayInvoicePayload.refused(errors)

        async def live_checks() -> payloads.PayInvoice | list[UserError]:
            # The amount due now, from the ERP: a payment a minute ago changed it.
            current = await writes_of(info).live.invoice.load(invoice.id) or invoice
            if current.status is not InvoiceStatus.POSTED:
                # The ERP's writer would refuse it when the command runs.
                message = "The invoice is not posted (a draft, or cancelled)"
                return [user_error(UserErrorCode.INVOICE_NOT_PAYABLE, message, "invoiceId")]
            due = current.amount_due.amount
            amount = asked.amount if asked is not None else due
            if due <= 0 or amount > due:
                message = "The amount is more than the invoice has due"
                if reads_invoices:
                    message = f"{invoice.number} has {due} {currency} due"
                return [user_error(UserErrorCode.AMOUNT_EXCEEDS_DUE, message, "amount")]
            return payloads.PayInvoice(
                invoice_id=invoice.id,
                customer_id=invoice.customer_id,
                # 1.100 EUR as 1.10: its decimals are no finer than cents (checked above)
                amount=Money(amount.quantize(minor_unit(currency)), currency),
            )

        outcome = await accept(
            info, payloads.PayInvoice, live_checks, request=input, input_key=input.idempotency_key
        )
        return PayInvoicePayload.of(outcome)


def amount_errors(asked: MoneyInput, currency: str, reads_invoices: bool) -> list[UserError]:
    """What is wrong with the amount a client pays an invoice in `currency` with: not
    more than 0 (INVALID_AMOUNT), finer than the currency's minor unit (AMOUNT_PRECISION:
    0.001 EUR), no ISO 4217 money (UNKNOWN_CURRENCY), not the invoice's currency
    (CURRENCY_MISMATCH, naming it to a caller who `reads_invoices`)."""
    errors = []
    try:
        code: str | None = payment_currency(asked.currency)
    except NormalizationError as exc:
        code = None
        errors.append(user_error(UserErrorCode.UNKNOWN_CURRENCY, str(exc), "amount", "currency"))
    if code is not None and code != currency:
        message = "The payment's currency is not the invoice's"
        if reads_invoices:
            message = f"The invoice is in {currency}, not {code}"
        errors.append(user_error(UserErrorCode.CURRENCY_MISMATCH, message, "amount", "currency"))
    if not asked.amount.is_finite() or asked.amount <= 0:
        message = "The amount must be more than 0"
        errors.insert(0, user_error(UserErrorCode.INVALID_AMOUNT, message, "amount", "amount"))
    elif code is not None and decimals(asked.amount) > minor_units(code):
        message = f"{code} amounts have at most {minor_units(code)} decimals"
        errors.insert(0, user_error(UserErrorCode.AMOUNT_PRECISION, message, "amount", "amount"))
    return errors


def minor_unit(currency: str) -> Decimal:
    """The currency's smallest coin as an exponent: 0.01 for EUR, 1 for JPY."""
    return Decimal(1).scaleb(-minor_units(currency))
