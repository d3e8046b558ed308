from __future__ import annotations

import strawberry

from gateway.auth.scopes import CUSTOMERS_READ
from resolvers.access import requires
from resolvers.context import Info
from resolvers.customers.types import Customer, load_customer
from resolvers.errors import Forbidden
from resolvers.node import load_by_id
from resolvers.pagination import (
    DEFAULT_PAGE_SIZE,
    After,
    Connection,
    First,
    counts_total,
    page_request,
)


@strawberry.type
class CustomerQueries:
    @strawberry.field(extensions=requires(CUSTOMERS_READ))
    async def customer(self, info: Info, id: strawberry.ID) -> Customer | None:
        return await load_by_id(info, id, "Customer", load_customer)

    @strawberry.field(
        description="Customers by name, email or reference; all when no search. For "
        "staff, partners and services: a customer reads itself through `viewer`.",
        extensions=requires(CUSTOMERS_READ),
    )
    async def customers(
        self,
        info: Info,
        search: str | None = None,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> Connection[Customer] | None:
        if info.context.principal.is_bound_to_customer:
            raise Forbidden(
                "customers lists every customer; a customer reads itself through viewer"
            )
        search_key = (search or None, page_request(first, after, count=counts_total(info)))
        page = await info.context.loaders.customer_search.load(search_key)
        return Connection.from_page(page, Customer.of)
