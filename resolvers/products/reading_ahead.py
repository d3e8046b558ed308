"""What a list of products reads with them, so that each product answers without an await:
a page of products, or the products of orders' lines (`resolvers.orders.lines`).

A product's `stock` and `shopListing` each wait on a backend. In a list, each product
would await its own loads: a coroutine per field, and per product a gather and a task to
run the two side by side; the loaders batch the loads into one call per backend. Read
ahead, the list starts the same loads, in the same batches, side by side, right after
the products themselves, and each product answers from what was read: no coroutine per
field, no gather or task per product (on the federated customer-360, 167 order lines,
the stock and listing calls leave 4 ms sooner after the products arrive).

Reading ahead is only done where it is free: for what the selection asks; never for
what the principal may not see or for a backend not configured (each field then answers
that on its own); and not when another of the products' fields waits on a backend too,
which would then wait for the reads ahead instead of running beside them. What fails to
read is left to its field, which meets the same error through the loader's cache and
reports it at its own path.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Coroutine, Sequence, Set
from typing import TYPE_CHECKING, Any, NamedTuple

from strawberry.schema.name_converter import NameConverter
from strawberry.types.base import get_object_definition

from erp_backends import models
from gateway.cache.reads import SHOP
from resolvers.context import Info
from resolvers.loading import each_settled
from resolvers.products.types import STOCK_SCOPES, ListingRead, Product

if TYPE_CHECKING:
    from resolvers.loaders import Loaders


class ReadAhead(NamedTuple):
    """What to read with a list of products."""

    stock: bool
    listing: bool


NOTHING = ReadAhead(stock=False, listing=False)


class _Names(NamedTuple):
    """Product's fields by their GraphQL names."""

    stock: str
    listing: str
    waiting: frozenset[str]  # those whose resolvers are coroutine functions


@functools.lru_cache(maxsize=4)  # one name converter per schema configuration
def _names(names: NameConverter) -> _Names:
    fields = {
        field.python_name: field for field in get_object_definition(Product, strict=True).fields
    }
    return _Names(
        stock=names.get_graphql_name(fields["stock"]),
        listing=names.get_graphql_name(fields["shop_listing"]),
        waiting=frozenset(names.get_graphql_name(f) for f in fields.values() if f.is_async),
    )


def what_to_read_ahead(info: Info, selected: Set[str]) -> ReadAhead:
    """What is free to read with products whose selection is `selected` (GraphQL names)."""
    names = _names(info.schema.config.name_converter)
    if not selected.isdisjoint(names.waiting):
        return NOTHING
    principal = info.context.principal
    return ReadAhead(
        stock=names.stock in selected and all(principal.has_scope(s) for s in STOCK_SCOPES),
        listing=names.listing in selected and info.context.loaders.configured(SHOP),
    )


async def read_ahead(loaders: Loaders, products: Sequence[Product], what: ReadAhead) -> None:
    """Read `what` of `products`, side by side, into each product."""
    reads: list[Coroutine[Any, Any, None]] = []
    if what.stock:
        reads.append(_read_stock(loaders, products))
    if what.listing:
        reads.append(_read_listings(loaders, products))
    if len(reads) == 1:
        await reads[0]
    elif reads:
        await asyncio.gather(*reads)


async def _read_stock(loaders: Loaders, products: Sequence[Product]) -> None:
    stocked = [product for product in products if product.record.tracks_stock]
    loader = loaders.stock_by_product_id
    levels = await each_settled([loader.load(product.record.id) for product in stocked])
    for product, level in zip(stocked, levels, strict=True):
        if not isinstance(level, Exception):
            product.prefetched_stock = level


async def _read_listings(loaders: Loaders, products: Sequence[Product]) -> None:
    from resolvers.shop.types import compares_stock

    shop = loaders.shop
    assert shop is not None  # see `what_to_read_ahead`
    listed: list[tuple[Product, str]] = []
    for product in products:
        if product.record.sku is None:
            product.prefetched_listing = ListingRead(None)  # as the field answers it
        else:
            listed.append((product, product.record.sku))
    by_sku = shop.listing_by_sku
    listings = await each_settled([by_sku.load(sku) for _, sku in listed])
    read: list[tuple[Product, models.ShopListing | None]] = [
        (product, listing)
        for (product, _), listing in zip(listed, listings, strict=True)
        if not isinstance(listing, Exception)
    ]
    # `inSync` compares with the ERP's stock: the same loads as the products' own
    # `stock`, answered by the loader's cache when that is read ahead too.
    compared = [
        p for p, listing in read if listing is not None and compares_stock(listing, p.record)
    ]
    by_product = loaders.stock_by_product_id
    levels = await each_settled([by_product.load(product.record.id) for product in compared])
    level_of = {id(product): level for product, level in zip(compared, levels, strict=True)}
    for product, listing in read:
        level = level_of.get(id(product))
        if not isinstance(level, Exception):
            product.prefetched_listing = ListingRead(listing, level)
