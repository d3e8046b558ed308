"""An order's lines, read with their products when the query asks for them.

An order line's `product` is one load per line. Answered line by line, each line awaits
its own: a coroutine, a task to run it beside its siblings, and the products call waits
until every line of every order has been completed that far (5 ms of CPU on the
federated customer-360's 167 lines, between the lines' answer and the products' call).
Read with the lines, the products of all the orders' lines are asked for the moment the
lines arrive, with what their selection reads ahead (`resolvers.products.reading_ahead`),
and each line answers its product at once. Their stock, which takes only the products'
ids, is asked for beside them when nothing else is read after them (`_read_products`).

Only what the query selects and the principal may see is read; a product that fails to
load is left to its line's field, which meets the same error through the loader's cache
and reports it at its own path. Lines of which nothing but the product may be selected
are read as references (`ErpBackend.line_refs_for_orders`: in Odoo two fields of a line
instead of twelve, whose amounts and quantities the ERP computes and the gateway
converts); measured by callgrind on the federated customer-360, whose 167 lines select
only their products, that is 8 % of the gateway's instructions. A backend may read the
references' products with them (Odoo does, in the same call): those products are not
asked for again, and their stock and listings leave a round trip sooner.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING

from gateway.auth.scopes import PRODUCTS_READ
from resolvers.context import Info, decided_per_field
from resolvers.loading import each_loaded, each_settled, let_calls_go, load_ahead
from resolvers.orders.types import OrderLine
from resolvers.pagination import (
    names_any_node_may_select_under,
    names_it_may_select,
    node_fields,
    selected_names_under,
)
from resolvers.products.reading_ahead import ReadAhead, read_ahead, what_to_read_ahead
from resolvers.products.types import Product

if TYPE_CHECKING:
    from erp_backends import models
    from resolvers.loaders import Loaders
    from resolvers.loading import GroupLoader

# The key of an order's lines: the order, whether they are read only as references
# (`_references_will_do`), and what to read of their products (None: no product).
LinesKey = tuple[str, bool, ReadAhead | None]
# What a selection of an order's lines may hold for its lines to be read as references.
ONLY_REFERENCES_NEEDED = frozenset({"product", "__typename"})


def lines_of(info: Info, order_id: str) -> Awaitable[list[OrderLine]]:
    """An order's lines, as a future of the request's loader of lines."""
    references_only, what = decided_per_field(info, _how_to_read)
    return info.context.loaders.derived(_lines).load((order_id, references_only, what))


def ask_for_lines(info: Info, orders: Sequence[models.Order]) -> bool:
    """Start the loads of a page of orders' lines, when the connection being resolved
    selects them (see `resolvers.orders.reading_ahead`); whether any was started. The
    loads are the ones each order's `lines` makes next, found in the loader's cache."""
    if not orders or not decided_per_field(info, _selects_lines):
        return False
    # As references only if every `lines` on the nodes may be read so, whatever their
    # directives; else the whole lines, which serve an aliased `lines` that could do
    # with references too (`_lines`).
    loaders = info.context.loaders
    by_order: GroupLoader[models.OrderLineRef] | GroupLoader[models.OrderLine]
    if decided_per_field(info, _nodes_lines_need_only_references):
        by_order = loaders.order_line_refs_by_order_id
    else:
        by_order = loaders.order_lines_by_order_id
    for order in orders:
        load_ahead(by_order.load(order.id))
    return True


def _selects_lines(info: Info) -> bool:
    return "lines" in node_fields(info)


def _nodes_lines_need_only_references(info: Info) -> bool:
    return names_any_node_may_select_under(info, "lines") <= ONLY_REFERENCES_NEEDED


def _how_to_read(info: Info) -> tuple[bool, ReadAhead | None]:
    return _references_will_do(info), _products_to_read(info)


def _references_will_do(info: Info) -> bool:
    """Whether the lines may be read as references: nothing but their product (and
    `__typename`) may be selected of them, so no other field of theirs runs. The ERP
    then reads two fields of a line instead of twelve (`ErpBackend.line_refs_for_orders`)."""
    return names_it_may_select(info) <= ONLY_REFERENCES_NEEDED


def _products_to_read(info: Info) -> ReadAhead | None:
    """What the lines' products read ahead, or None if no product is read with them."""
    selected = selected_names_under(info, "product")
    if selected is None or not info.context.principal.has_scope(PRODUCTS_READ):
        return None  # not asked for; or refused by the field, line by line
    return what_to_read_ahead(info, selected)


async def _lines(loaders: Loaders, keys: list[LinesKey]) -> list[list[OrderLine]]:
    whole, references = loaders.order_lines_by_order_id, loaders.order_line_refs_by_order_id
    for order, references_only, _ in keys:
        if not references_only:
            whole.load(order)  # first: an order's whole lines serve as its references too
    records = await each_loaded(
        [
            references.load(order)
            if references_only and whole.cache_map.get(order) is None
            else whole.load(order)
            for order, references_only, _ in keys
        ]
    )
    lines = [[OrderLine.of(line) for line in group] for group in records]
    with_products: dict[ReadAhead, list[OrderLine]] = {}
    for (_, _, what), group in zip(keys, lines, strict=True):
        if what is not None:
            with_products.setdefault(what, []).extend(group)
    for what, group in with_products.items():  # one in practice: a query's lines, one way
        await _read_products(loaders, group, what)
    if with_products:
        # Completing lines that answer their products, stock and listings at once is a
        # long stretch of CPU. Other branches' answers came in with the reads ahead:
        # their next calls leave first, and travel while these lines are completed.
        await let_calls_go()
    return lines


async def _read_products(loaders: Loaders, lines: list[OrderLine], what: ReadAhead) -> None:
    keys = list(dict.fromkeys(line.product_key for line in lines if line.product_key))
    by_id = loaders.product_by_id
    # Products the backend read with the lines (`OrderLineRef.product`) are loaded
    # already: no call, and their stock and listings are asked for at once.
    by_id.prime_many(
        {
            key: line.record.product
            for line in lines
            if (key := line.product_key) and line.record.product
        }
    )
    loads = [by_id.load(key) for key in keys]
    # The stock of a product takes only its id, which the lines have: asked for beside
    # the products, it has arrived when they have (one round trip fewer), and the reads
    # ahead find it in the loader's cache. Which products keep no stock is known only
    # with them, so those are asked for too (their levels are empty, in the same call).
    # Not when the products' listings are read too: those wait on the products' SKUs,
    # and the stock's answer, handled between the products' and the listings' call,
    # would hold the listings back; sent beside the listings, it is handled while they
    # are on their way.
    early_stock = what.stock and not what.listing
    stock = [loaders.stock_by_product_id.load(key) for key in keys] if early_stock else []
    records = await each_settled(loads)
    products: dict[str, Product | None] = {}
    for key, record in zip(keys, records, strict=True):
        if not isinstance(record, Exception):  # else left to each line's field
            products[key] = None if record is None else Product.of(record)
    await read_ahead(loaders, [p for p in products.values() if p is not None], what)
    await each_settled(stock)  # all read by now; a failure is for the products' fields
    for line in lines:
        if line.product_key in products:
            line.prefetched_product = products[line.product_key]
