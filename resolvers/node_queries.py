"""`Query.node(id)`: any object with a global id, whatever its type."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry

from resolvers.context import Info
from resolvers.customers.types import load_customer
from resolvers.errors import NotFound
from resolvers.invoices.types import load_invoice
from resolvers.node import Node, decode_id
from resolvers.orders.types import load_order
from resolvers.payments.types import load_payment
from resolvers.products.types import load_product

NodeLoader = Callable[[Info, str], Awaitable[Node | None]]

NODE_LOADERS: dict[str, NodeLoader] = {
    "Customer": load_customer,
    "Order": load_order,
    "Product": load_product,
    "Invoice": load_invoice,
    "Payment": load_payment,
}


@strawberry.type
class NodeQueries:
    @strawberry.field(description="The object with this global id.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        type_name, key = decode_id(id)
        load = NODE_LOADERS.get(type_name)
        found = None if load is None else await load(info, key)
        if found is None:
            raise NotFound(f"No object with id {id!r}")
        return found
