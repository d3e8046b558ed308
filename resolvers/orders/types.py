from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from erp_backends import models
from erp_backends.paging import PageRequest
from gateway.auth.scopes import CUSTOMERS_READ, INVOICES_READ, ORDERS_READ, PRODUCTS_READ
from resolvers.access import requires
from resolvers.common.types import Money, Quantity
from resolvers.context import Info
from resolvers.node import Node, encode_id
from resolvers.pagination import Connection

# Products refer to no other domain: an order line holds its product read ahead.
from resolvers.products.types import NOT_PREFETCHED, NotPrefetched, Product, load_product

# Types of other domains are imported where they are used: the domains refer to each
# other (an order has a customer, a customer has orders), and strawberry.lazy breaks
# the cycle for annotations only.
if TYPE_CHECKING:
    from resolvers.customers.types import Customer
    from resolvers.invoices.types import Invoice
    from resolvers.shop.types import ShopOrder


@strawberry.enum(description="Where an order was placed.")
class OrderChannel(Enum):
    ERP = "erp"
    SHOP = "shop"


strawberry.enum(models.OrderStatus)  # the canonical enum is the GraphQL enum
strawberry.enum(models.InvoicingStatus)  # the canonical enum is the GraphQL enum


@strawberry.type
class OrderLine:
    # The whole line, or only its reference when the query selects nothing of it but
    # its product (`resolvers.orders.lines`); then no other field of it runs.
    record: strawberry.Private[models.OrderLineRef]
    product_key: strawberry.Private[str | None]
    # The product, read ahead with the order's lines (`resolvers.orders.lines`).
    prefetched_product: strawberry.Private[Product | NotPrefetched | None] = NOT_PREFETCHED

    @strawberry.field
    def description(self) -> str:
        return self._whole().description

    # The quantities and amounts are built when asked for, not for every line of a list
    # that asks only for its products (six objects per line).
    @strawberry.field
    def quantity(self) -> Quantity:
        return Quantity.of(self._whole().quantity)

    @strawberry.field
    def delivered(self) -> Quantity:
        return Quantity.of(self._whole().delivered)

    @strawberry.field
    def invoiced(self) -> Quantity:
        return Quantity.of(self._whole().invoiced)

    @strawberry.field
    def unit_price(self) -> Money:
        return Money.of(self._whole().unit_price)

    @strawberry.field
    def discount_percent(self) -> Decimal:
        return self._whole().discount_percent

    @strawberry.field(description="After discount, before tax.")
    def subtotal(self) -> Money:
        return Money.of(self._whole().subtotal)

    @strawberry.field(description="After discount, with tax.")
    def total(self) -> Money:
        return Money.of(self._whole().total)

    @classmethod
    def of(cls, line: models.OrderLineRef) -> OrderLine:
        return cls(record=line, product_key=line.product_id)

    def _whole(self) -> models.OrderLine:
        if not isinstance(self.record, models.OrderLine):
            # A line is read as a reference only when its selection has nothing else.
            raise RuntimeError(f"order line {self.record.id} was read without its details")
        return self.record

    @strawberry.field(
        description="Null for a line without a product (a fee, a note).",
        extensions=requires(PRODUCTS_READ),
        graphql_type=Annotated["Product", strawberry.lazy("resolvers.products.types")] | None,
    )
    def product(self, info: Info) -> Product | Awaitable[Product | None] | None:
        # Not a coroutine function: the product read with the lines is answered at once.
        if not isinstance(self.prefetched_product, NotPrefetched):
            return self.prefetched_product
        # Not read: its read failed, and the loader's cache has the error for this field.
        return None if self.product_key is None else load_product(info, self.product_key)


@strawberry.type(description="A sales order (or a quotation not yet confirmed).")
class Order(Node):
    number: str
    status: models.OrderStatus
    invoicing_status: models.InvoicingStatus
    ordered_at: datetime
    customer_reference: str | None = strawberry.field(
        description="The customer's own reference, e.g. their purchase order number."
    )
    untaxed: Money
    tax: Money
    total: Money
    record: strawberry.Private[models.Order]

    @classmethod
    def of(cls, order: models.Order) -> Order:
        return cls(
            id=encode_id("Order", order.id),
            number=order.number,
            status=order.status,
            invoicing_status=order.invoicing_status,
            ordered_at=order.ordered_at,
            customer_reference=order.customer_reference,
            untaxed=Money.of(order.untaxed),
            tax=Money.of(order.tax),
            total=Money.of(order.total),
            record=order,
        )

    @strawberry.field(extensions=requires(CUSTOMERS_READ))
    async def customer(
        self, info: Info
    ) -> Annotated[Customer, strawberry.lazy("resolvers.customers.types")] | None:
        from resolvers.customers.types import load_customer

        return await load_customer(info, self.record.customer_id)

    @strawberry.field
    def channel(self, info: Info) -> OrderChannel:
        reference = self.record.customer_reference or ""
        from_shop = reference.startswith(info.context.federation.shop_order_prefix)
        return OrderChannel.SHOP if from_shop else OrderChannel.ERP

    @strawberry.field(
        description="For an order from the shop: the shop's number and status.",
        extensions=requires(ORDERS_READ),
    )
    async def shop_order(
        self, info: Info
    ) -> Annotated[ShopOrder, strawberry.lazy("resolvers.shop.types")] | None:
        from resolvers.shop.types import shop_order_of

        return await shop_order_of(info, self.record)

    @strawberry.field(graphql_type=list[OrderLine])
    def lines(self, info: Info) -> Awaitable[list[OrderLine]]:
        from resolvers.orders.lines import lines_of

        return lines_of(info, self.record.id)

    @strawberry.field(extensions=requires(INVOICES_READ))
    async def invoices(
        self, info: Info
    ) -> list[Annotated[Invoice, strawberry.lazy("resolvers.invoices.types")]] | None:
        from resolvers.invoices.types import load_invoices

        return await load_invoices(info, self.record.invoice_ids)


async def load_order(info: Info, key: str) -> Order | None:
    record = await info.context.loaders.order_by_id.load(key)
    return None if record is None else Order.of(record)


async def orders_of_customer(info: Info, customer_key: str, page: PageRequest) -> Connection[Order]:
    from resolvers.orders.reading_ahead import read_ahead_of_orders

    orders = await info.context.loaders.orders_by_customer_id.load((customer_key, page))
    await read_ahead_of_orders(info, orders.items)
    return Connection.from_page(orders, Order.of)
