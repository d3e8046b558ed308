from __future__ import annotations

import functools

import strawberry
from strawberry.schema.name_converter import NameConverter
from strawberry.types.base import get_object_definition

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
from resolvers.products.types import Product, prefetch_stock


def reads_stock_alone(info: Info) -> bool:
    """Whether the products' `stock` is selected and no other field of theirs waits on a
    backend: only then is reading it ahead free. Beside another such field (the shop
    listing) it is not: the two would run one after the other instead of side by side."""
    selected = node_fields(info)
    return "stock" in selected and not selected & _waiting_fields(info.schema.config.name_converter)


@functools.lru_cache(maxsize=4)  # one name converter per schema configuration
def _waiting_fields(names: NameConverter) -> frozenset[str]:
    """Product's fields whose resolvers are coroutine functions, by their GraphQL names."""
    fields = get_object_definition(Product, strict=True).fields
    return frozenset(names.get_graphql_name(field) for field in fields if field.is_async)


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
        if reads_stock_alone(info):
            await prefetch_stock(info, connection.nodes)
        return connection
