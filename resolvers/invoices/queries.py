from __future__ import annotations

import strawberry

from resolvers.context import Info
from resolvers.invoices.types import Invoice, load_invoice
from resolvers.node import load_by_id


@strawberry.type
class InvoiceQueries:
    @strawberry.field
    async def invoice(self, info: Info, id: strawberry.ID) -> Invoice | None:
        return await load_by_id(info, id, "Invoice", load_invoice)
