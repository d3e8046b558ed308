from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from erp_backends import models
from erp_backends.paging import PageRequest
from gateway.auth.scopes import CUSTOMERS_READ, PAYMENTS_READ
from resolvers.access import requires
from resolvers.common.types import Money
from resolvers.context import Info
from resolvers.node import Node, encode_id
from resolvers.pagination import Connection

if TYPE_CHECKING:
    from resolvers.customers.types import Customer
    from resolvers.payments.types import Payment

strawberry.enum(models.InvoiceStatus)  # the canonical enum is the GraphQL enum
strawberry.enum(models.PaymentStatus)  # the canonical enum is the GraphQL enum


@strawberry.type(description="An invoice to a customer.")
class Invoice(Node):
    number: str
    status: models.InvoiceStatus
    payment_status: models.PaymentStatus
    issued_on: date | None
    due_on: date | None
    order_number: str | None = strawberry.field(description="The order it invoices, if any.")
    untaxed: Money
    tax: Money
    total: Money
    amount_due: Money = strawberry.field(description="What remains to be paid.")
    record: strawberry.Private[models.Invoice]

    @classmethod
    def of(cls, invoice: models.Invoice) -> Invoice:
        return cls(
            id=encode_id("Invoice", invoice.id),
            number=invoice.number,
            status=invoice.status,
            payment_status=invoice.payment_status,
            issued_on=invoice.issued_on,
            due_on=invoice.due_on,
            order_number=invoice.origin,
            untaxed=Money.of(invoice.untaxed),
            tax=Money.of(invoice.tax),
            total=Money.of(invoice.total),
            amount_due=Money.of(invoice.amount_due),
            record=invoice,
        )

    @strawberry.field(extensions=requires(CUSTOMERS_READ))
    async def customer(
        self, info: Info
    ) -> Annotated[Customer, strawberry.lazy("resolvers.customers.types")] | None:
        from resolvers.customers.types import load_customer

        return await load_customer(info, self.record.customer_id)

    @strawberry.field(
        description="Payments matched to this invoice, oldest first.",
        extensions=requires(PAYMENTS_READ),
    )
    async def payments(
        self, info: Info
    ) -> list[Annotated[Payment, strawberry.lazy("resolvers.payments.types")]] | None:
        from resolvers.payments.types import payments_of_invoice

        return await payments_of_invoice(info, self.record.id)


async def load_invoice(info: Info, key: str) -> Invoice | None:
    record = await info.context.loaders.invoice_by_id.load(key)
    return None if record is None else Invoice.of(record)


async def load_invoices(info: Info, keys: Sequence[str]) -> list[Invoice]:
    records = await info.context.loaders.invoice_by_id.load_many(list(keys))
    return [Invoice.of(record) for record in records if record is not None]


async def invoices_of_customer(
    info: Info, customer_key: str, page: PageRequest
) -> Connection[Invoice]:
    invoices = await info.context.loaders.invoices_by_customer_id.load((customer_key, page))
    return Connection.from_page(invoices, Invoice.of)
