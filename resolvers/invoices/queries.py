from __future__ import annotations

import strawberry

from gateway.auth.scopes import INVOICES_READ
from resolvers.access import requires
from resolvers.context import Info
from resolvers.invoices.types import Invoice, load_invoice
from resolvers.node import load_by_id


@strawberry.type
class InvoiceQueries:
    @strawberry.field(extensions=requires(INVOICES_READ))
    async def invoice(self, info: Info, id: strawberry.ID) -> Invoice | None:
        return await load_by_id(info, id, "Invoice", load_invoice)
