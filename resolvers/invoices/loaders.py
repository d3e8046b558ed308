from __future__ import annotations

from erp_backends.models import Invoice
from erp_backends.ports import ErpBackend
from resolvers.loading import ByKeyLoader, PageLoader


class InvoiceByIdLoader(ByKeyLoader[Invoice]):
    def __init__(self, erp: ErpBackend) -> None:
        super().__init__(erp.get_invoices)


class InvoicesByCustomerIdLoader(PageLoader[Invoice]):
    def __init__(self, erp: ErpBackend) -> None:
        super().__init__(erp.invoices_for_customers)
