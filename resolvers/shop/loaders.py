"""The shop's loaders, by the names its resolvers use: the request's loaders of the
shop's declared reads (see `resolvers.loaders`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from erp_backends.models import ShopCustomer, ShopListing, ShopOrder
from erp_backends.ports import ShopBackend
from resolvers.loading import ByKeyLoader, PageLoader

if TYPE_CHECKING:
    from resolvers.loaders import Loaders


class ShopLoaders:
    __slots__ = ("_loaders",)

    def __init__(self, loaders: Loaders) -> None:
        self._loaders = loaders

    @property
    def customer_by_email(self) -> ByKeyLoader[ShopCustomer]:
        return self._loaders.records(ShopBackend.customers_by_email)

    @property
    def orders_by_customer_id(self) -> PageLoader[ShopOrder]:
        return self._loaders.pages(ShopBackend.orders_for_customers)

    @property
    def order_by_number(self) -> ByKeyLoader[ShopOrder]:
        return self._loaders.records(ShopBackend.orders_by_number)

    @property
    def listing_by_sku(self) -> ByKeyLoader[ShopListing]:
        return self._loaders.records(ShopBackend.listings_by_sku)
