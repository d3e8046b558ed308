"""What the cache holds: one `Entity` per kind of record or list of a backend role, that
is, per read of a port; `gateway.cache.reads` declares which read each one caches.

Code names an entity by its member, never by a string, so that a misspelt invalidation
fails type checking instead of silently forgetting nothing. The value, "<role>.<name>",
is what people write: `[cache.ttl.<role>] <name> = 15` in the config,
`erp-gateway cache clear --entity erp.stock`; stored keys use the same two parts.
"""

from __future__ import annotations

from enum import StrEnum


class Entity(StrEnum):
    ERP_CUSTOMER = "erp.customer"
    ERP_CUSTOMER_SEARCH = "erp.customer_search"
    ERP_ORDER = "erp.order"
    ERP_ORDER_BY_REFERENCE = "erp.order_by_reference"
    ERP_ORDERS_BY_CUSTOMER = "erp.orders_by_customer"
    ERP_ORDER_LINES = "erp.order_lines"
    ERP_ORDER_LINE_REFS = "erp.order_line_refs"
    ERP_PRODUCT = "erp.product"
    ERP_PRODUCT_BY_SKU = "erp.product_by_sku"
    ERP_PRODUCT_SEARCH = "erp.product_search"
    ERP_STOCK = "erp.stock"
    ERP_INVOICE = "erp.invoice"
    ERP_INVOICES_BY_CUSTOMER = "erp.invoices_by_customer"
    ERP_PAYMENT = "erp.payment"
    ERP_PAYMENTS_BY_CUSTOMER = "erp.payments_by_customer"
    ERP_PAYMENTS_BY_INVOICE = "erp.payments_by_invoice"
    CRM_PROFILE = "crm.profile"
    SHOP_CUSTOMER = "shop.customer"
    SHOP_ORDERS_BY_CUSTOMER = "shop.orders_by_customer"
    SHOP_ORDER = "shop.order"
    SHOP_LISTING = "shop.listing"

    @property
    def role(self) -> str:
        """The backend role whose records these are: "erp", "crm", "shop"."""
        return self.value.partition(".")[0]

    @property
    def local_name(self) -> str:
        """The name within its role, e.g. "stock": how stale reads report it."""
        return self.value.partition(".")[2]

    @classmethod
    def of_role(cls, role: str) -> list[Entity]:
        return [entity for entity in cls if entity.role == role]
