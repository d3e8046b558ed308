"""The ports: what the gateway asks of each kind of backend.

Ports are batch-first: they take a list of keys and return a mapping, so that one
DataLoader batch becomes one backend call. A key the backend does not know is simply
absent from the mapping; failures raise `erp_backends.errors.BackendError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from erp_backends.models import (
    CrmProfile,
    Customer,
    Invoice,
    Order,
    OrderLine,
    OrderLineRef,
    Payment,
    Product,
    ShopCustomer,
    ShopListing,
    ShopOrder,
    StockLevel,
)
from erp_backends.paging import Page, PageRequest


class ErpBackend(Protocol):
    """The system of record for customers, orders, products, stock, invoices, payments."""

    async def get_customers(self, ids: Sequence[str]) -> Mapping[str, Customer]:
        """Customers by id."""
        ...

    async def search_customers(self, search: str | None, page: PageRequest) -> Page[Customer]:
        """Customers whose name, email or reference contains `search` (all when None)."""
        ...

    async def get_orders(self, ids: Sequence[str]) -> Mapping[str, Order]:
        """Sales orders by id."""
        ...

    async def orders_for_customers(
        self, customer_ids: Sequence[str], page: PageRequest
    ) -> Mapping[str, Page[Order]]:
        """The same page of each customer's orders, newest first."""
        ...

    async def orders_by_reference(self, references: Sequence[str]) -> Mapping[str, Order]:
        """Orders by the customer's reference (e.g. "SHOP-1042" for an order from the shop)."""
        ...

    async def lines_for_orders(self, order_ids: Sequence[str]) -> Mapping[str, Sequence[OrderLine]]:
        """Every line of each order, in the order's own sequence."""
        ...

    async def line_refs_for_orders(
        self, order_ids: Sequence[str]
    ) -> Mapping[str, Sequence[OrderLineRef]]:
        """The lines of `lines_for_orders`, in the same order, read only as far as their
        order and product where the backend can read less than a whole line (an adapter
        that cannot returns its whole lines, which are references too)."""
        ...

    async def get_products(self, ids: Sequence[str]) -> Mapping[str, Product]:
        """Products by id."""
        ...

    async def products_by_sku(self, skus: Sequence[str]) -> Mapping[str, Product]:
        """Products by SKU (exact match)."""
        ...

    async def search_products(self, search: str | None, page: PageRequest) -> Page[Product]:
        """Sellable products whose name or SKU contains `search` (all when None)."""
        ...

    async def stock_for_products(self, product_ids: Sequence[str]) -> Mapping[str, StockLevel]:
        """Stock per warehouse of each product that tracks stock."""
        ...

    async def get_invoices(self, ids: Sequence[str]) -> Mapping[str, Invoice]:
        """Customer invoices by id."""
        ...

    async def invoices_for_customers(
        self, customer_ids: Sequence[str], page: PageRequest
    ) -> Mapping[str, Page[Invoice]]:
        """The same page of each customer's invoices, newest first."""
        ...

    async def get_payments(self, ids: Sequence[str]) -> Mapping[str, Payment]:
        """Customer payments by id."""
        ...

    async def payments_for_customers(
        self, customer_ids: Sequence[str], page: PageRequest
    ) -> Mapping[str, Page[Payment]]:
        """The same page of each customer's payments, newest first."""
        ...

    async def payments_for_invoices(
        self, invoice_ids: Sequence[str]
    ) -> Mapping[str, Sequence[Payment]]:
        """Every payment matched to each invoice."""
        ...


class CrmBackend(Protocol):
    """The CRM: account managers, lifecycle, activity and deals of known customers."""

    async def profiles_by_link(self, values: Sequence[str]) -> Mapping[str, CrmProfile]:
        """The CRM profile of each link value: the ERP customer's email by default, or
        whatever unique contact property the adapter is configured to match (emails
        case-insensitively); keys as given."""
        ...


class ShopBackend(Protocol):
    """The web shop: its customer accounts, their orders, and product listings."""

    async def customers_by_email(self, emails: Sequence[str]) -> Mapping[str, ShopCustomer]:
        """The shop account of each email (matched case-insensitively; keys as given)."""
        ...

    async def orders_for_customers(
        self, customer_ids: Sequence[str], page: PageRequest
    ) -> Mapping[str, Page[ShopOrder]]:
        """The same page of each shop customer's orders, newest first."""
        ...

    async def orders_by_number(self, numbers: Sequence[str]) -> Mapping[str, ShopOrder]:
        """Shop orders by the number the shop shows."""
        ...

    async def listings_by_sku(self, skus: Sequence[str]) -> Mapping[str, ShopListing]:
        """The shop's listing of each SKU."""
        ...


@runtime_checkable
class ShopOrderLink(Protocol):
    """Options of a shop whose orders reach the ERP with "<prefix><shop order number>"
    as the customer's reference: how an ERP order finds its shop order."""

    @property
    def order_reference_prefix(self) -> str: ...
