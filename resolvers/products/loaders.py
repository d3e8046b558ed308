from __future__ import annotations

from erp_backends.models import Product, StockLevel
from erp_backends.ports import ErpBackend
from resolvers.loading import ByKeyLoader, SearchLoader


class ProductByIdLoader(ByKeyLoader[Product]):
    def __init__(self, erp: ErpBackend) -> None:
        super().__init__(erp.get_products)


class ProductBySkuLoader(ByKeyLoader[Product]):
    def __init__(self, erp: ErpBackend) -> None:
        super().__init__(erp.products_by_sku)


class StockByProductIdLoader(ByKeyLoader[StockLevel]):
    def __init__(self, erp: ErpBackend) -> None:
        super().__init__(erp.stock_for_products)


class ProductSearchLoader(SearchLoader[Product]):
    def __init__(self, erp: ErpBackend) -> None:
        super().__init__(erp.search_products)
