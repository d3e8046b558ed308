"""Every DataLoader a request may use, created fresh for each request.

Per request, so a loader's memo never outlives the request that filled it: caching
across requests (and across users) is the shared cache's job, behind the ports.

Loaders are deliberately not primed with records that another branch of the query
fetched: a sibling answered from memory resolves a tick earlier than the rest, its
children's loads then miss the batch of their siblings, and one backend call becomes
two. Without priming, a level of a query is one batch, so its cost is predictable.
"""

from __future__ import annotations

from dataclasses import dataclass

from erp_backends.ports import CrmBackend, ErpBackend, ShopBackend
from gateway.auth.principal import Principal
from resolvers.crm.loaders import CrmProfileByLinkLoader
from resolvers.customers.loaders import CustomerByIdLoader, CustomerSearchLoader
from resolvers.invoices.loaders import InvoiceByIdLoader, InvoicesByCustomerIdLoader
from resolvers.orders.loaders import (
    OrderByIdLoader,
    OrderByReferenceLoader,
    OrderLinesByOrderIdLoader,
    OrdersByCustomerIdLoader,
)
from resolvers.ownership import CustomerScopedErp
from resolvers.payments.loaders import (
    PaymentByIdLoader,
    PaymentsByCustomerIdLoader,
    PaymentsByInvoiceIdLoader,
)
from resolvers.products.loaders import (
    ProductByIdLoader,
    ProductBySkuLoader,
    ProductSearchLoader,
    StockByProductIdLoader,
)
from resolvers.shop.loaders import ShopLoaders


@dataclass(frozen=True, slots=True)
class Loaders:
    customer_by_id: CustomerByIdLoader
    customer_search: CustomerSearchLoader
    order_by_id: OrderByIdLoader
    order_by_reference: OrderByReferenceLoader
    orders_by_customer_id: OrdersByCustomerIdLoader
    order_lines_by_order_id: OrderLinesByOrderIdLoader
    product_by_id: ProductByIdLoader
    product_by_sku: ProductBySkuLoader
    product_search: ProductSearchLoader
    stock_by_product_id: StockByProductIdLoader
    invoice_by_id: InvoiceByIdLoader
    invoices_by_customer_id: InvoicesByCustomerIdLoader
    payment_by_id: PaymentByIdLoader
    payments_by_customer_id: PaymentsByCustomerIdLoader
    payments_by_invoice_id: PaymentsByInvoiceIdLoader
    # None when no CRM or shop is configured; their fields then answer with an error.
    crm_profile_by_link: CrmProfileByLinkLoader | None
    shop: ShopLoaders | None

    @classmethod
    def for_principal(
        cls,
        principal: Principal,
        erp: ErpBackend,
        crm: CrmBackend | None = None,
        shop: ShopBackend | None = None,
    ) -> Loaders:
        """Loaders that show the principal what it may see: a principal bound to one
        customer reads the ERP through the ownership filter."""
        if principal.customer_key is not None:
            erp = CustomerScopedErp(erp, principal.customer_key)
        return cls.for_request(erp, crm, shop)

    @classmethod
    def for_request(
        cls, erp: ErpBackend, crm: CrmBackend | None = None, shop: ShopBackend | None = None
    ) -> Loaders:
        return cls(
            customer_by_id=CustomerByIdLoader(erp),
            customer_search=CustomerSearchLoader(erp),
            order_by_id=OrderByIdLoader(erp),
            order_by_reference=OrderByReferenceLoader(erp),
            orders_by_customer_id=OrdersByCustomerIdLoader(erp),
            order_lines_by_order_id=OrderLinesByOrderIdLoader(erp),
            product_by_id=ProductByIdLoader(erp),
            product_by_sku=ProductBySkuLoader(erp),
            product_search=ProductSearchLoader(erp),
            stock_by_product_id=StockByProductIdLoader(erp),
            invoice_by_id=InvoiceByIdLoader(erp),
            invoices_by_customer_id=InvoicesByCustomerIdLoader(erp),
            payment_by_id=PaymentByIdLoader(erp),
            payments_by_customer_id=PaymentsByCustomerIdLoader(erp),
            payments_by_invoice_id=PaymentsByInvoiceIdLoader(erp),
            crm_profile_by_link=None if crm is None else CrmProfileByLinkLoader(crm),
            shop=None if shop is None else ShopLoaders.for_request(shop),
        )
