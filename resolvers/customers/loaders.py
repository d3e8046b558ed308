from __future__ import annotations

from erp_backends.models import Customer
from erp_backends.ports import ErpBackend
from resolvers.loading import ByKeyLoader, SearchLoader


class CustomerByIdLoader(ByKeyLoader[Customer]):
    def __init__(self, erp: ErpBackend) -> None:
        super().__init__(erp.get_customers)


class CustomerSearchLoader(SearchLoader[Customer]):
    def __init__(self, erp: ErpBackend) -> None:
        super().__init__(erp.search_customers)
