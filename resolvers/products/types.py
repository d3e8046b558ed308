from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Final

import strawberry

from erp_backends import models
from gateway.auth.scopes import STOCK_READ
from resolvers.access import requires
from resolvers.common.types import Money, Quantity
from resolvers.context import Info
from resolvers.node import Node, encode_id
from resolvers.shop.types import listing_view, shop_listing_of

if TYPE_CHECKING:
    from resolvers.shop.types import ShopListing


@strawberry.type
class Warehouse:
    code: str
    name: str


@strawberry.type
class WarehouseStock:
    warehouse: Warehouse
    on_hand: Quantity
    reserved: Quantity = strawberry.field(description="Promised to orders, not yet shipped.")
    available: Quantity = strawberry.field(description="On hand minus reserved.")

    @classmethod
    def of(cls, stock: models.WarehouseStock) -> WarehouseStock:
        on_hand, reserved = stock.on_hand, stock.reserved
        return cls(
            warehouse=Warehouse(code=stock.warehouse_code, name=stock.warehouse_name),
            on_hand=Quantity.of(on_hand),
            reserved=Quantity.of(reserved),
            available=Quantity.of_value(on_hand.value - reserved.value, on_hand.unit),
        )


@strawberry.type(description="A product's stock, in total and per warehouse.")
class Stock:
    on_hand: Quantity
    reserved: Quantity
    available: Quantity
    level: strawberry.Private[models.StockLevel]

    # Built when asked for, not for each product of a list that asks for a total: four
    # objects per warehouse.
    @strawberry.field(description="The stock in each warehouse that holds some.")
    def warehouses(self) -> list[WarehouseStock]:
        return [WarehouseStock.of(w) for w in self.level.warehouses]

    @classmethod
    def of(cls, level: models.StockLevel) -> Stock:
        # The totals summed once, here: the level's properties would sum the warehouses
        # again for each of on hand, reserved and available.
        on_hand = sum((w.on_hand.value for w in level.warehouses), Decimal(0))
        reserved = sum((w.reserved.value for w in level.warehouses), Decimal(0))
        return cls(
            on_hand=Quantity.of_value(on_hand, level.unit),
            reserved=Quantity.of_value(reserved, level.unit),
            available=Quantity.of_value(on_hand - reserved, level.unit),
            level=level,
        )


# What stock-reading needs; shared by the field's guard and by reading ahead.
STOCK_SCOPES: Final = (STOCK_READ,)


class NotPrefetched:
    """What no list read ahead (see `resolvers.products.reading_ahead`,
    `resolvers.orders.lines`)."""


NOT_PREFETCHED: Final = NotPrefetched()


@dataclass(frozen=True, slots=True)
class ListingRead:
    """A product's shop listing read ahead (None: not listed), and the ERP's stock level
    its `inSync` compares with (None: none, or nothing to compare)."""

    listing: models.ShopListing | None
    level: models.StockLevel | None = None


@strawberry.type
class Product(Node):
    sku: str | None
    name: str
    barcode: str | None
    list_price: Money
    sales_unit: str = strawberry.field(description="UN/ECE Recommendation 20 code.")
    for_sale: bool = strawberry.field(
        description="False for a product archived or not for sale in the ERP (old orders' "
        "lines still name it): an order of it is refused with PRODUCT_NOT_SELLABLE. As "
        "cached: a change in the ERP shows within an hour by default."
    )
    record: strawberry.Private[models.Product]
    # Read ahead with a list of products (`resolvers.products.reading_ahead`): the stock
    # level (None: the ERP has none) and the shop listing (None: not listed).
    prefetched_stock: strawberry.Private[models.StockLevel | NotPrefetched | None] = NOT_PREFETCHED
    prefetched_listing: strawberry.Private[ListingRead | NotPrefetched] = NOT_PREFETCHED

    @classmethod
    def of(cls, product: models.Product) -> Product:
        return cls(
            id=encode_id("Product", product.id),
            sku=product.sku,
            name=product.name,
            barcode=product.barcode,
            list_price=Money.of(product.list_price),
            sales_unit=product.sales_unit,
            for_sale=product.sellable,
            record=product,
        )

    @strawberry.field(
        description="Null for products without stock, such as services.",
        extensions=requires(*STOCK_SCOPES),
        graphql_type=Stock | None,
    )
    def stock(self, info: Info) -> Stock | Awaitable[Stock | None] | None:
        # Not a coroutine function: a level read ahead is answered at once, sparing each
        # product of a list an awaitable (and graphql-core its completion) per request.
        if not self.record.tracks_stock:
            return None
        if not isinstance(self.prefetched_stock, NotPrefetched):
            return self._stock_of(self.prefetched_stock)
        return self._load_stock(info)

    async def _load_stock(self, info: Info) -> Stock:
        return self._stock_of(await info.context.loaders.stock_by_product_id.load(self.record.id))

    def _stock_of(self, level: models.StockLevel | None) -> Stock:
        return Stock.of(level or models.StockLevel(self.record.id, self.record.sales_unit, ()))

    @strawberry.field(
        description="The product in the web shop; null if it is not listed.",
        graphql_type=Annotated["ShopListing", strawberry.lazy("resolvers.shop.types")] | None,
    )
    def shop_listing(self, info: Info) -> ShopListing | Awaitable[ShopListing | None] | None:
        # Not a coroutine function, as `stock`: a listing read ahead is answered at once.
        read = self.prefetched_listing
        if isinstance(read, NotPrefetched):
            return shop_listing_of(info, self.record)
        return None if read.listing is None else listing_view(read.listing, self.record, read.level)


async def load_product(info: Info, key: str) -> Product | None:
    record = await info.context.loaders.product_by_id.load(key)
    return None if record is None else Product.of(record)
