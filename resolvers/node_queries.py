"""`Query.node(id)`: any object with a global id, whatever its type."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry

from gateway.auth.scopes import (
    CUSTOMERS_READ,
    INVOICES_READ,
    ORDERS_READ,
    PAYMENTS_READ,
    PRODUCTS_READ,
)
from resolvers.access import check_scopes
from resolvers.context import Info
from resolvers.customers.types import load_customer
from resolvers.errors import NotFound
from resolvers.invoices.types import load_invoice
from resolvers.node import Node, decode_id
from resolvers.orders.types import load_order
from resolvers.payments.types import load_payment
from resolvers.products.types import load_product

NodeLoader = Callable[[Info, str], Awaitable[Node | None]]

# Each type with the scope that reading it needs, as on the fields that lead to it.
NODE_LOADERS: dict[str, tuple[str, NodeLoader]] = {
    "Customer": (CUSTOMERS_READ, load_customer),
    "Order": (ORDERS_READ, load_order),
    "Product": (PRODUCTS_READ, load_product),
    "Invoice": (INVOICES_READ, load_invoice),
    "Payment": (PAYMENTS_READ, load_payment),
}


@strawberry.type
class NodeQueries:
    @strawberry.field(
        description="The object with this global id. Requires the scope that reading its "
        "type needs: customers:read, orders:read, products:read, invoices:read or "
        "payments:read."
    )
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        decoded = decode_id(id)
        found = None
        if decoded is not None:  # else no object has this id, in this spelling at least
            type_name, key = decoded
            scope, load = NODE_LOADERS[type_name]
            check_scopes(info.context.principal, (scope,), f"node of a {type_name}")
            found = await load(info, key)
        if found is None:
            raise NotFound(f"No object with id {id!r}")
        return found
