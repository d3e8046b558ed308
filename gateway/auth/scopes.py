"""Every scope the gateway knows, with what it grants: the catalogue that the schema's
`@requiresScopes`, `token create --scopes` and the README all draw from."""

from __future__ import annotations

CUSTOMERS_READ = "customers:read"
ORDERS_READ = "orders:read"
ORDERS_WRITE = "orders:write"
PRODUCTS_READ = "products:read"
STOCK_READ = "stock:read"
INVOICES_READ = "invoices:read"
PAYMENTS_READ = "payments:read"
PAYMENTS_WRITE = "payments:write"
CUSTOMERS_IMPERSONATE = "customers:impersonate"
# A partner acts only for the customers its token is bound to; this lifts the binding.
CUSTOMERS_ANY = "customers:any"
# Paying an invoice while acting as a customer moves money in the customer's name: a
# staff member needs this on top of payments:write.
PAYMENTS_WRITE_IMPERSONATED = "payments:write-impersonated"

SCOPES: dict[str, str] = {
    CUSTOMERS_READ: "customers: names, addresses, CRM profile, shop account",
    ORDERS_READ: "sales orders and their lines, ERP and shop",
    ORDERS_WRITE: "place, reorder, cancel and return orders",
    PRODUCTS_READ: "the product catalogue and shop listings",
    STOCK_READ: "stock levels per warehouse and the shop's listed stock",
    INVOICES_READ: "invoices and what is due",
    PAYMENTS_READ: "payments received",
    PAYMENTS_WRITE: "pay invoices",
    CUSTOMERS_IMPERSONATE: "staff: act as a customer with X-Act-As-Customer",
    CUSTOMERS_ANY: "partners: act for every customer, not only those the token is bound to",
    PAYMENTS_WRITE_IMPERSONATED: "staff: pay an invoice while acting as a customer",
}


def unknown_scopes(scopes: frozenset[str] | set[str]) -> list[str]:
    return sorted(scope for scope in scopes if scope not in SCOPES)
