from __future__ import annotations

from erp_backends.models import Order, OrderLine
from erp_backends.ports import ErpBackend
from resolvers.loading import ByKeyLoader, GroupLoader, PageLoader


class OrderByIdLoader(ByKeyLoader[Order]):
    def __init__(self, erp: ErpBackend) -> None:
        super().__init__(erp.get_orders)


class OrderByReferenceLoader(ByKeyLoader[Order]):
    def __init__(self, erp: ErpBackend) -> None:
        super().__init__(erp.orders_by_reference)


class OrdersByCustomerIdLoader(PageLoader[Order]):
    def __init__(self, erp: ErpBackend) -> None:
        super().__init__(erp.orders_for_customers)


class OrderLinesByOrderIdLoader(GroupLoader[OrderLine]):
    def __init__(self, erp: ErpBackend) -> None:
        super().__init__(erp.lines_for_orders)
