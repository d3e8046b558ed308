from __future__ import annotations

from dataclasses import dataclass

from erp_backends.models import ShopCustomer, ShopListing, ShopOrder
from erp_backends.ports import ShopBackend
from resolvers.loading import ByKeyLoader, PageLoader


class ShopCustomerByEmailLoader(ByKeyLoader[ShopCustomer]):
    def __init__(self, shop: ShopBackend) -> None:
        super().__init__(shop.customers_by_email)


class ShopOrdersByCustomerIdLoader(PageLoader[ShopOrder]):
    def __init__(self, shop: ShopBackend) -> None:
        super().__init__(shop.orders_for_customers)


class ShopOrderByNumberLoader(ByKeyLoader[ShopOrder]):
    def __init__(self, shop: ShopBackend) -> None:
        super().__init__(shop.orders_by_number)


class ShopListingBySkuLoader(ByKeyLoader[ShopListing]):
    def __init__(self, shop: ShopBackend) -> None:
        super().__init__(shop.listings_by_sku)


@dataclass(frozen=True, slots=True)
class ShopLoaders:
    customer_by_email: ShopCustomerByEmailLoader
    orders_by_customer_id: ShopOrdersByCustomerIdLoader
    order_by_number: ShopOrderByNumberLoader
    listing_by_sku: ShopListingBySkuLoader

    @classmethod
    def for_request(cls, shop: ShopBackend) -> ShopLoaders:
        return cls(
            customer_by_email=ShopCustomerByEmailLoader(shop),
            orders_by_customer_id=ShopOrdersByCustomerIdLoader(shop),
            order_by_number=ShopOrderByNumberLoader(shop),
            listing_by_sku=ShopListingBySkuLoader(shop),
        )
