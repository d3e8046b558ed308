from __future__ import annotations

import strawberry

from gateway.auth.scopes import PRODUCTS_READ
from resolvers.access import requires
from resolvers.context import Info
from resolvers.errors import NotFound
from resolvers.pagination import (
    DEFAULT_PAGE_SIZE,
    After,
    Connection,
    First,
    counts_total,
    node_fields,
    page_request,
)
from resolvers.products.reading_ahead import NOTHING, read_ahead, what_to_read_ahead
from resolvers.products.types import Product


@strawberry.type
class ProductQueries:
    @strawberry.field(
        description="The product with this SKU (exact match).", extensions=requires(PRODUCTS_READ)
    )
    async def product(self, info: Info, sku: str) -> Product | None:
        record = await info.context.loaders.product_by_sku.load(sku)
        if record is None:
            raise NotFound(f"No product with SKU {sku!r}")
        return Product.of(record)

    @strawberry.field(
        description="Sellable products by name or SKU; all when no search.",
        extensions=requires(PRODUCTS_READ),
    )
    async def products(
        self,
        info: Info,
        search: str | None = None,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> Connection[Product] | None:
        search_key = (search or None, page_request(first, after, count=counts_total(info)))
        page = await info.context.loaders.product_search.load(search_key)
        connection = Connection.from_page(page, Product.of)
        what = what_to_read_ahead(info, node_fields(info))
        if what != NOTHING:
            await read_ahead(info.context.loaders, connection.nodes, what)
        return connection
