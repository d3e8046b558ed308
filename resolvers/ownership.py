"""Ownership: a principal bound to one customer sees that customer's objects only.

`CustomerScopedErp` sits between the per-request loaders and the (cached) ERP port, so
it checks every record on its way out, after the cache: a record cached for one
customer's request is filtered again for the next principal, and never leaks. Another
customer's record is dropped exactly as if the ERP did not have it, so a probing client
gets the same NOT_FOUND for an id that exists and one that does not.

Records without a customer of their own (order lines, products, stock) and the CRM and
shop records are reached only through an object that has passed this filter (an order,
a customer), so they need no check here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TypeVar

from erp_backends.models import (
    Customer,
    Invoice,
    Order,
    OrderLine,
    Payment,
    Product,
    StockLevel,
)
from erp_backends.paging import Page, PageRequest
from erp_backends.ports import ErpBackend

T = TypeVar("T")


class CustomerScopedErp:
    """The ERP as one customer may see it. Implements `ErpBackend`."""

    def __init__(self, erp: ErpBackend, customer_key: str) -> None:
        self._erp = erp
        self._customer_key = customer_key

    def _mine(self, records: Mapping[str, T], owner: Callable[[T], str]) -> dict[str, T]:
        return {key: r for key, r in records.items() if owner(r) == self._customer_key}

    def _my_page(self, page: Page[T], owner: Callable[[T], str]) -> Page[T]:
        items = tuple(r for r in page.items if owner(r) == self._customer_key)
        return page if len(items) == len(page.items) else replace(page, items=items)

    def _only_mine(self, customer_ids: Sequence[str]) -> list[str]:
        # Lists under another customer are empty without asking the ERP, as they are
        # for a customer that does not exist.
        return [key for key in customer_ids if key == self._customer_key]

    async def get_customers(self, ids: Sequence[str]) -> Mapping[str, Customer]:
        mine = self._only_mine(ids)
        return self._mine(await self._erp.get_customers(mine), _customer_key) if mine else {}

    async def search_customers(self, search: str | None, page: PageRequest) -> Page[Customer]:
        return self._my_page(await self._erp.search_customers(search, page), _customer_key)

    async def get_orders(self, ids: Sequence[str]) -> Mapping[str, Order]:
        return self._mine(await self._erp.get_orders(ids), _owner)

    async def orders_for_customers(
        self, customer_ids: Sequence[str], page: PageRequest
    ) -> Mapping[str, Page[Order]]:
        mine = self._only_mine(customer_ids)
        found = await self._erp.orders_for_customers(mine, page) if mine else {}
        return {key: self._my_page(p, _owner) for key, p in found.items()}

    async def orders_by_reference(self, references: Sequence[str]) -> Mapping[str, Order]:
        return self._mine(await self._erp.orders_by_reference(references), _owner)

    async def lines_for_orders(self, order_ids: Sequence[str]) -> Mapping[str, Sequence[OrderLine]]:
        return await self._erp.lines_for_orders(order_ids)  # asked for visible orders only

    async def get_products(self, ids: Sequence[str]) -> Mapping[str, Product]:
        return await self._erp.get_products(ids)

    async def products_by_sku(self, skus: Sequence[str]) -> Mapping[str, Product]:
        return await self._erp.products_by_sku(skus)

    async def search_products(self, search: str | None, page: PageRequest) -> Page[Product]:
        return await self._erp.search_products(search, page)

    async def stock_for_products(self, product_ids: Sequence[str]) -> Mapping[str, StockLevel]:
        return await self._erp.stock_for_products(product_ids)

    async def get_invoices(self, ids: Sequence[str]) -> Mapping[str, Invoice]:
        return self._mine(await self._erp.get_invoices(ids), _owner)

    async def invoices_for_customers(
        self, customer_ids: Sequence[str], page: PageRequest
    ) -> Mapping[str, Page[Invoice]]:
        mine = self._only_mine(customer_ids)
        found = await self._erp.invoices_for_customers(mine, page) if mine else {}
        return {key: self._my_page(p, _owner) for key, p in found.items()}

    async def get_payments(self, ids: Sequence[str]) -> Mapping[str, Payment]:
        return self._mine(await self._erp.get_payments(ids), _owner)

    async def payments_for_customers(
        self, customer_ids: Sequence[str], page: PageRequest
    ) -> Mapping[str, Page[Payment]]:
        mine = self._only_mine(customer_ids)
        found = await self._erp.payments_for_customers(mine, page) if mine else {}
        return {key: self._my_page(p, _owner) for key, p in found.items()}

    async def payments_for_invoices(
        self, invoice_ids: Sequence[str]
    ) -> Mapping[str, Sequence[Payment]]:
        found = await self._erp.payments_for_invoices(invoice_ids)
        return {
            key: [p for p in payments if p.customer_id == self._customer_key]
            for key, payments in found.items()
        }


def _customer_key(customer: Customer) -> str:
    return customer.id


def _owner(record: Order | Invoice | Payment) -> str:
    return record.customer_id
