from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Final

import strawberry

from erp_backends import models
from erp_backends.normalize.countries import country_name
from erp_backends.paging import PageRequest
from gateway.auth.scopes import CUSTOMERS_READ, INVOICES_READ, ORDERS_READ, PAYMENTS_READ
from resolvers.access import requires
from resolvers.context import Info, decided_per_field
from resolvers.loading import load_ahead
from resolvers.node import Node, encode_id
from resolvers.pagination import (
    DEFAULT_PAGE_SIZE,
    After,
    Connection,
    First,
    counts_total,
    page_request,
    pages_selected_under,
)

if TYPE_CHECKING:
    from resolvers.crm.types import CrmProfile
    from resolvers.invoices.types import Invoice
    from resolvers.orders.types import Order
    from resolvers.payments.types import Payment
    from resolvers.shop.types import ShopAccount

strawberry.enum(models.AddressKind)  # the canonical enum is the GraphQL enum

# What reading a customer's orders needs; shared by the field's guard and by reading ahead.
ORDERS_SCOPES: Final = (ORDERS_READ,)


@strawberry.type
class Address:
    kind: models.AddressKind
    name: str | None
    street: str | None
    street2: str | None
    postal_code: str | None
    city: str | None
    region: str | None = strawberry.field(description="ISO 3166-2 code, e.g. US-CA.")
    country_code: str | None = strawberry.field(description="ISO 3166-1 alpha-2 code.")

    @strawberry.field
    def country_name(self) -> str | None:
        return None if self.country_code is None else country_name(self.country_code)

    @classmethod
    def of(cls, address: models.Address) -> Address:
        return cls(
            kind=address.kind,
            name=address.name,
            street=address.street,
            street2=address.street2,
            postal_code=address.postal_code,
            city=address.city,
            region=address.region,
            country_code=address.country_code,
        )


@strawberry.type(description="A customer: a company or a person who buys from us.")
class Customer(Node):
    name: str
    email: str | None
    phone: str | None
    is_company: bool
    reference: str | None = strawberry.field(description="Our reference for the customer.")
    vat_number: str | None
    addresses: list[Address]
    record: strawberry.Private[models.Customer]

    @classmethod
    def of(cls, customer: models.Customer) -> Customer:
        return cls(
            id=encode_id("Customer", customer.id),
            record=customer,
            name=customer.name,
            email=customer.email,
            phone=customer.phone,
            is_company=customer.is_company,
            reference=customer.reference,
            vat_number=customer.vat,
            addresses=[Address.of(a) for a in customer.addresses],
        )

    @strawberry.field(description="Newest first.", extensions=requires(*ORDERS_SCOPES))
    async def orders(
        self, info: Info, first: First = DEFAULT_PAGE_SIZE, after: After = None
    ) -> Connection[Annotated[Order, strawberry.lazy("resolvers.orders.types")]] | None:
        from resolvers.orders.types import orders_of_customer

        page = page_request(first, after, count=counts_total(info))
        return await orders_of_customer(info, self.record.id, page)

    @strawberry.field(description="Newest first.", extensions=requires(INVOICES_READ))
    async def invoices(
        self, info: Info, first: First = DEFAULT_PAGE_SIZE, after: After = None
    ) -> Connection[Annotated[Invoice, strawberry.lazy("resolvers.invoices.types")]] | None:
        from resolvers.invoices.types import invoices_of_customer

        page = page_request(first, after, count=counts_total(info))
        return await invoices_of_customer(info, self.record.id, page)

    @strawberry.field(
        description="Payments received from the customer, newest first.",
        extensions=requires(PAYMENTS_READ),
    )
    async def payments(
        self, info: Info, first: First = DEFAULT_PAGE_SIZE, after: After = None
    ) -> Connection[Annotated[Payment, strawberry.lazy("resolvers.payments.types")]] | None:
        from resolvers.payments.types import payments_of_customer

        page = page_request(first, after, count=counts_total(info))
        return await payments_of_customer(info, self.record.id, page)

    @strawberry.field(
        description="What the CRM knows of the customer; null if it has no record.",
        extensions=requires(CUSTOMERS_READ),
    )
    async def crm(
        self, info: Info
    ) -> Annotated[CrmProfile, strawberry.lazy("resolvers.crm.types")] | None:
        from resolvers.crm.types import crm_profile_of

        return await crm_profile_of(info, self.record)

    @strawberry.field(
        description="The customer's web-shop account; null if there is none.",
        extensions=requires(CUSTOMERS_READ),
    )
    async def shop(
        self, info: Info
    ) -> Annotated[ShopAccount, strawberry.lazy("resolvers.shop.types")] | None:
        from resolvers.shop.types import shop_account_of

        return await shop_account_of(info, self.record)


async def load_customer(info: Info, key: str) -> Customer | None:
    _read_orders_ahead(info, key)
    record = await info.context.loaders.customer_by_id.load(key)
    return None if record is None else Customer.of(record)


def _read_orders_ahead(info: Info, key: str) -> None:
    """Ask for the pages of the customer's orders that the query selects beside the
    customer itself: they are found by the customer's key, which is known before the
    customer is read, so the orders (and what they bring, lines and products) arrive a
    round trip sooner. The loads are the ones the customer's `orders` then makes. A
    principal bound to other customers gets an empty list without a call, as from the
    field (`resolvers.ownership`); one without the scope gets nothing read; a customer
    that turns out not to exist leaves the answer unread."""
    for page in decided_per_field(info, _order_pages):
        load_ahead(info.context.loaders.orders_by_customer_id.load((key, page)))


def _order_pages(info: Info) -> list[PageRequest]:
    principal = info.context.principal
    if not all(principal.has_scope(scope) for scope in ORDERS_SCOPES):
        return []
    return pages_selected_under(info, "orders")
