from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from erp_backends import models
from gateway.auth.scopes import ORDERS_READ, STOCK_READ
from resolvers.access import requires
from resolvers.common.types import Money
from resolvers.context import Info
from resolvers.errors import BackendNotConfigured
from resolvers.pagination import DEFAULT_PAGE_SIZE, After, Connection, First, page_request
from resolvers.shop.loaders import ShopLoaders
from resolvers.shop.reading_ahead import read_ahead_of_shop_account, read_ahead_of_shop_orders

if TYPE_CHECKING:
    from resolvers.orders.types import Order

strawberry.enum(models.ShopOrderStatus)  # the canonical enum is the GraphQL enum


def shop_loaders(info: Info) -> ShopLoaders:
    shop = info.context.loaders.shop  # a view made on each access: read once
    if shop is None:
        raise BackendNotConfigured("shop")
    return shop


@strawberry.type(description="An order as the web shop has it.")
class ShopOrder:
    number: str = strawberry.field(description="The number the shop shows the customer.")
    status: models.ShopOrderStatus
    created_at: datetime
    total: Money
    record: strawberry.Private[models.ShopOrder]

    @classmethod
    def of(cls, order: models.ShopOrder) -> ShopOrder:
        return cls(
            number=order.number,
            status=order.status,
            created_at=order.created_at,
            total=Money.of(order.total),
            record=order,
        )

    @strawberry.field(
        description="The ERP's order for it; null until the ERP has one.",
        extensions=requires(ORDERS_READ),
    )
    async def erp_order(
        self, info: Info
    ) -> Annotated[Order, strawberry.lazy("resolvers.orders.types")] | None:
        from resolvers.orders.types import Order

        reference = info.context.federation.erp_reference(self.number)
        order = await info.context.loaders.order_by_reference.load(reference)
        return None if order is None else Order.of(order)


@strawberry.type(description="The customer's account in the web shop.")
class ShopAccount:
    id: str = strawberry.field(description="The shop's own id of the account.")
    email: str
    first_name: str | None
    last_name: str | None
    created_at: datetime | None

    @classmethod
    def of(cls, customer: models.ShopCustomer) -> ShopAccount:
        return cls(
            id=customer.id,
            email=customer.email,
            first_name=customer.first_name,
            last_name=customer.last_name,
            created_at=customer.created_at,
        )

    @strawberry.field(
        description="Orders placed in the shop, newest first, synced or not.",
        extensions=requires(ORDERS_READ),
    )
    async def orders(
        self, info: Info, first: First = DEFAULT_PAGE_SIZE, after: After = None
    ) -> Connection[ShopOrder] | None:
        key = (self.id, page_request(first, after))
        orders = await shop_loaders(info).orders_by_customer_id.load(key)
        await read_ahead_of_shop_orders(info, orders.items)
        return Connection.from_page(orders, ShopOrder.of)


@strawberry.type(description="A product as the web shop lists it.")
class ShopListing:
    name: str
    published: bool
    price: Money
    listed_stock: Decimal | None = strawberry.field(
        description="The stock the shop shows; null when the shop does not track it.",
        extensions=requires(STOCK_READ),
    )
    in_sync: bool | None = strawberry.field(
        description="Whether the shop shows the ERP's available stock; null when either "
        "side does not track stock.",
        extensions=requires(STOCK_READ),
    )


async def shop_account_of(info: Info, customer: models.Customer) -> ShopAccount | None:
    loaders = shop_loaders(info)
    account = (
        None if customer.email is None else await loaders.customer_by_email.load(customer.email)
    )
    if account is None:
        return None
    await read_ahead_of_shop_account(info, account)
    return ShopAccount.of(account)


async def shop_order_of(info: Info, order: models.Order) -> ShopOrder | None:
    """The shop's order behind an ERP order that came from the shop, else None."""
    number = shop_number_of(info, order)
    if number is None:
        return None
    found = await shop_loaders(info).order_by_number.load(number)
    return None if found is None else ShopOrder.of(found)


def shop_number_of(info: Info, order: models.Order) -> str | None:
    """The shop's number of an ERP order that came from the shop (its customer
    reference is the prefix and the number), else None."""
    prefix = info.context.federation.shop_order_prefix
    reference = order.customer_reference
    if reference is None or not reference.startswith(prefix):
        return None
    return reference.removeprefix(prefix)


async def shop_listing_of(info: Info, product: models.Product) -> ShopListing | None:
    if product.sku is None:
        return None
    listing = await shop_loaders(info).listing_by_sku.load(product.sku)
    if listing is None:
        return None
    level = None
    if compares_stock(listing, product):
        level = await info.context.loaders.stock_by_product_id.load(product.id)
    return listing_view(listing, product, level)


def compares_stock(listing: models.ShopListing, product: models.Product) -> bool:
    """Whether the listing's `inSync` compares stocks: both sides track stock."""
    return listing.listed_stock is not None and product.tracks_stock


def listing_view(
    listing: models.ShopListing, product: models.Product, level: models.StockLevel | None
) -> ShopListing:
    """The listing as the schema shows it; `level`, the product's stock in the ERP, is
    read where `compares_stock` (None: the ERP has none)."""
    in_sync = None
    if compares_stock(listing, product):
        available = level.available.value if level else Decimal(0)
        in_sync = listing.listed_stock == available
    return ShopListing(
        name=listing.name,
        published=listing.published,
        price=Money.of(listing.price),
        listed_stock=listing.listed_stock,
        in_sync=in_sync,
    )
