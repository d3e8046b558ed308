from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from erp_backends import models
from erp_backends.paging import PageRequest
from gateway.auth.scopes import CUSTOMERS_READ, INVOICES_READ
from resolvers.access import requires
from resolvers.common.types import Money
from resolvers.context import Info
from resolvers.node import Node, encode_id
from resolvers.pagination import Connection

if TYPE_CHECKING:
    from resolvers.customers.types import Customer
    from resolvers.invoices.types import Invoice

strawberry.enum(models.PaymentState)  # the canonical enum is the GraphQL enum


@strawberry.type(description="A payment received from a customer.")
class Payment(Node):
    number: str
    state: models.PaymentState
    paid_on: date
    amount: Money
    method: str | None = strawberry.field(description="How it was paid, e.g. Bank.")
    memo: str | None
    record: strawberry.Private[models.Payment]

    @classmethod
    def of(cls, payment: models.Payment) -> Payment:
        return cls(
            id=encode_id("Payment", payment.id),
            number=payment.number,
            state=payment.state,
            paid_on=payment.paid_on,
            amount=Money.of(payment.amount),
            method=payment.method,
            memo=payment.memo,
            record=payment,
        )

    @strawberry.field(extensions=requires(CUSTOMERS_READ))
    async def customer(
        self, info: Info
    ) -> Annotated[Customer, strawberry.lazy("resolvers.customers.types")] | None:
        from resolvers.customers.types import load_customer

        return await load_customer(info, self.record.customer_id)

    @strawberry.field(
        description="The invoices this payment settles; empty for an advance.",
        extensions=requires(INVOICES_READ),
    )
    async def invoices(
        self, info: Info
    ) -> list[Annotated[Invoice, strawberry.lazy("resolvers.invoices.types")]] | None:
        from resolvers.invoices.types import load_invoices

        return await load_invoices(info, self.record.invoice_ids)


async def load_payment(info: Info, key: str) -> Payment | None:
    record = await info.context.loaders.payment_by_id.load(key)
    return None if record is None else Payment.of(record)


async def payments_of_invoice(info: Info, invoice_key: str) -> list[Payment]:
    payments = await info.context.loaders.payments_by_invoice_id.load(invoice_key)
    return [Payment.of(payment) for payment in payments]


async def payments_of_customer(
    info: Info, customer_key: str, page: PageRequest
) -> Connection[Payment]:
    payments = await info.context.loaders.payments_by_customer_id.load((customer_key, page))
    return Connection.from_page(payments, Payment.of)
