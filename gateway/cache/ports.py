"""The ports, cached: each wraps a backend and sends every lookup through `Caching`.

Records are cached per key (an order by id), lists per parent and page (a customer's
orders, first 20), searches per text and page. Authorization is not decided here: the
same record serves every user, and access is checked on each object after the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from erp_backends.models import (
    CrmProfile,
    Customer,
    Invoice,
    Order,
    OrderLine,
    Payment,
    Product,
    ShopCustomer,
    ShopListing,
    ShopOrder,
    StockLevel,
)
from erp_backends.paging import Page, PageRequest
from erp_backends.ports import CrmBackend, ErpBackend, ShopBackend
from gateway.cache.caching import Caching
from gateway.cache.entities import Entity


def page_key(page: PageRequest) -> str:
    return f"{page.offset}+{page.limit}"


class CachedErp:
    def __init__(self, erp: ErpBackend, caching: Caching) -> None:
        self._erp = erp
        self._c = caching

    async def get_customers(self, ids: Sequence[str]) -> Mapping[str, Customer]:
        return await self._c.by_keys(Entity.ERP_CUSTOMER, ids, self._erp.get_customers, Customer)

    async def search_customers(self, search: str | None, page: PageRequest) -> Page[Customer]:
        async def fetch(_: list[str]) -> dict[str, Page[Customer]]:
            return {key: await self._erp.search_customers(search, page)}

        key = _search_key(search, page)
        found = await self._c.by_keys(Entity.ERP_CUSTOMER_SEARCH, [key], fetch, Page[Customer])
        return found[key]

    async def get_orders(self, ids: Sequence[str]) -> Mapping[str, Order]:
        return await self._c.by_keys(Entity.ERP_ORDER, ids, self._erp.get_orders, Order)

    async def orders_by_reference(self, references: Sequence[str]) -> Mapping[str, Order]:
        fetch = self._erp.orders_by_reference
        return await self._c.by_keys(Entity.ERP_ORDER_BY_REFERENCE, references, fetch, Order)

    async def orders_for_customers(
        self, customer_ids: Sequence[str], page: PageRequest
    ) -> Mapping[str, Page[Order]]:
        async def fetch(keys: list[str]) -> Mapping[str, Page[Order]]:
            return await self._erp.orders_for_customers(keys, page)

        return await self._c.pages(
            Entity.ERP_ORDERS_BY_CUSTOMER, customer_ids, page_key(page), fetch, Page[Order]
        )

    async def lines_for_orders(self, order_ids: Sequence[str]) -> Mapping[str, Sequence[OrderLine]]:
        async def fetch(keys: list[str]) -> dict[str, tuple[OrderLine, ...]]:
            found = await self._erp.lines_for_orders(keys)
            return {key: tuple(lines) for key, lines in found.items()}

        return await self._c.by_keys(
            Entity.ERP_ORDER_LINES, order_ids, fetch, tuple[OrderLine, ...]
        )

    async def get_products(self, ids: Sequence[str]) -> Mapping[str, Product]:
        return await self._c.by_keys(Entity.ERP_PRODUCT, ids, self._erp.get_products, Product)

    async def products_by_sku(self, skus: Sequence[str]) -> Mapping[str, Product]:
        return await self._c.by_keys(
            Entity.ERP_PRODUCT_BY_SKU, skus, self._erp.products_by_sku, Product
        )

    async def search_products(self, search: str | None, page: PageRequest) -> Page[Product]:
        async def fetch(_: list[str]) -> dict[str, Page[Product]]:
            return {key: await self._erp.search_products(search, page)}

        key = _search_key(search, page)
        return (await self._c.by_keys(Entity.ERP_PRODUCT_SEARCH, [key], fetch, Page[Product]))[key]

    async def stock_for_products(self, product_ids: Sequence[str]) -> Mapping[str, StockLevel]:
        fetch = self._erp.stock_for_products
        return await self._c.by_keys(Entity.ERP_STOCK, product_ids, fetch, StockLevel)

    async def get_invoices(self, ids: Sequence[str]) -> Mapping[str, Invoice]:
        return await self._c.by_keys(Entity.ERP_INVOICE, ids, self._erp.get_invoices, Invoice)

    async def invoices_for_customers(
        self, customer_ids: Sequence[str], page: PageRequest
    ) -> Mapping[str, Page[Invoice]]:
        async def fetch(keys: list[str]) -> Mapping[str, Page[Invoice]]:
            return await self._erp.invoices_for_customers(keys, page)

        return await self._c.pages(
            Entity.ERP_INVOICES_BY_CUSTOMER, customer_ids, page_key(page), fetch, Page[Invoice]
        )

    async def get_payments(self, ids: Sequence[str]) -> Mapping[str, Payment]:
        return await self._c.by_keys(Entity.ERP_PAYMENT, ids, self._erp.get_payments, Payment)

    async def payments_for_customers(
        self, customer_ids: Sequence[str], page: PageRequest
    ) -> Mapping[str, Page[Payment]]:
        async def fetch(keys: list[str]) -> Mapping[str, Page[Payment]]:
            return await self._erp.payments_for_customers(keys, page)

        return await self._c.pages(
            Entity.ERP_PAYMENTS_BY_CUSTOMER, customer_ids, page_key(page), fetch, Page[Payment]
        )

    async def payments_for_invoices(
        self, invoice_ids: Sequence[str]
    ) -> Mapping[str, Sequence[Payment]]:
        async def fetch(keys: list[str]) -> dict[str, tuple[Payment, ...]]:
            found = await self._erp.payments_for_invoices(keys)
            return {key: tuple(payments) for key, payments in found.items()}

        return await self._c.by_keys(
            Entity.ERP_PAYMENTS_BY_INVOICE, invoice_ids, fetch, tuple[Payment, ...]
        )


class CachedCrm:
    def __init__(self, crm: CrmBackend, caching: Caching) -> None:
        self._crm = crm
        self._c = caching

    async def profiles_by_link(self, values: Sequence[str]) -> Mapping[str, CrmProfile]:
        return await self._c.by_keys(
            Entity.CRM_PROFILE, values, self._crm.profiles_by_link, CrmProfile
        )


class CachedShop:
    def __init__(self, shop: ShopBackend, caching: Caching) -> None:
        self._shop = shop
        self._c = caching

    async def customers_by_email(self, emails: Sequence[str]) -> Mapping[str, ShopCustomer]:
        fetch = self._shop.customers_by_email
        return await self._c.by_keys(Entity.SHOP_CUSTOMER, emails, fetch, ShopCustomer)

    async def orders_for_customers(
        self, customer_ids: Sequence[str], page: PageRequest
    ) -> Mapping[str, Page[ShopOrder]]:
        async def fetch(keys: list[str]) -> Mapping[str, Page[ShopOrder]]:
            return await self._shop.orders_for_customers(keys, page)

        return await self._c.pages(
            Entity.SHOP_ORDERS_BY_CUSTOMER, customer_ids, page_key(page), fetch, Page[ShopOrder]
        )

    async def orders_by_number(self, numbers: Sequence[str]) -> Mapping[str, ShopOrder]:
        return await self._c.by_keys(
            Entity.SHOP_ORDER, numbers, self._shop.orders_by_number, ShopOrder
        )

    async def listings_by_sku(self, skus: Sequence[str]) -> Mapping[str, ShopListing]:
        return await self._c.by_keys(
            Entity.SHOP_LISTING, skus, self._shop.listings_by_sku, ShopListing
        )


def _search_key(search: str | None, page: PageRequest) -> str:
    digest = hashlib.sha256((search or "").encode()).hexdigest()[:20]
    return f"{digest}:{page_key(page)}"
