from __future__ import annotations

from erp_backends.models import Payment
from erp_backends.ports import ErpBackend
from resolvers.loading import ByKeyLoader, GroupLoader, PageLoader


class PaymentByIdLoader(ByKeyLoader[Payment]):
    def __init__(self, erp: ErpBackend) -> None:
        super().__init__(erp.get_payments)


class PaymentsByCustomerIdLoader(PageLoader[Payment]):
    def __init__(self, erp: ErpBackend) -> None:
        super().__init__(erp.payments_for_customers)


class PaymentsByInvoiceIdLoader(GroupLoader[Payment]):
    def __init__(self, erp: ErpBackend) -> None:
        super().__init__(erp.payments_for_invoices)
