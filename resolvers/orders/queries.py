from __future__ import annotations

import strawberry

from gateway.auth.scopes import ORDERS_READ
from resolvers.access import requires
from resolvers.context import Info
from resolvers.node import load_by_id
from resolvers.orders.types import Order, load_order


@strawberry.type
class OrderQueries:
    @strawberry.field(extensions=requires(ORDERS_READ))
    async def order(self, info: Info, id: strawberry.ID) -> Order | None:
        return await load_by_id(info, id, "Order", load_order)
