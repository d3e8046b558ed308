"""What a page of shop orders asks for the moment it arrives, before its orders are built.

Each shop order's `erpOrder` is one load of the ERP's order by the shop order's
reference. Made as the orders are completed, the ERP's call waits until the page's
orders are built and until the event loop has completed whatever else was ready before
them; on the federated customer-360 that is the ERP's order lines with their products,
stock and listings, whose answers arrive with the shop's, and the ERP's call for the
shop orders then left 4 ms after their page. Started with the page, where the
connection selects `erpOrder`, the call leaves first (`let_calls_go`), and each field
finds its load in the loader's cache (as `resolvers.orders.reading_ahead` does for a
page of the ERP's orders).

A customer's shop account asks for its page of orders the same way, the moment the
account arrives (the page is found by the account's id): the shop's call then leaves
before the account is built, rather than after whatever else was ready then (on the
customer-360, the ERP's lines and their products, which arrive with the account).

Only what the field would read itself is asked for: what the selection names, and only
for a principal the field lets read orders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from erp_backends import models
from erp_backends.paging import PageRequest
from gateway.auth.scopes import ORDERS_READ
from resolvers.context import Info, decided_per_field
from resolvers.loading import let_calls_go, load_ahead
from resolvers.pagination import node_fields, pages_selected_under


async def read_ahead_of_shop_orders(info: Info, orders: Sequence[models.ShopOrder]) -> None:
    """Start the ERP's loads of the page's `erpOrder` fields, and let their call go."""
    if not orders or not decided_per_field(info, _selects_erp_orders):
        return
    federation = info.context.federation
    by_reference = info.context.loaders.order_by_reference
    for order in orders:
        load_ahead(by_reference.load(federation.erp_reference(order.number)))
    await let_calls_go()


def _selects_erp_orders(info: Info) -> bool:
    # The field's own guard (`requires(ORDERS_READ)`), asked once for the page.
    return "erpOrder" in node_fields(info) and info.context.principal.has_scope(ORDERS_READ)


async def read_ahead_of_shop_account(info: Info, account: models.ShopCustomer) -> None:
    """Start the loads of the account's `orders` pages, and let their calls go."""
    shop = info.context.loaders.shop
    pages = decided_per_field(info, _order_pages)
    if shop is None or not pages:
        return
    for page in pages:
        load_ahead(shop.orders_by_customer_id.load((account.id, page)))
    await let_calls_go()


def _order_pages(info: Info) -> list[PageRequest]:
    # The field's own guard (`requires(ORDERS_READ)`), asked once for the field. The
    # shop's pages always come with their length (WooCommerce sends it with each page),
    # so `ShopAccount.orders` asks for them counted: so are they here.
    if not info.context.principal.has_scope(ORDERS_READ):
        return []
    return [replace(page, count=True) for page in pages_selected_under(info, "orders")]
