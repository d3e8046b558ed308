"""What a page of orders asks for the moment it arrives, before its orders are built.

A page's orders' fields make their own loads as they are completed: each order's
`lines` (`resolvers.orders.lines`), each shop order's `shopOrder` from the shop. Those
calls would leave only once all 50 orders of the federated customer-360 have been
completed (2-3 ms of CPU), and their answers would arrive while the next level is
being handled: the shop's orders, asked for last, were answered between the lines'
answer and the products' call. Started with the page, where the connection selects
them, they leave first (`let_calls_go`); the completing passes while they are on their
way, and each field finds its load in the loader's cache. (The shop's orders read so
take 0.8 ms off the federated customer-360's median, in pairs with and without.)

Only what the field would read itself is asked for: what the selection names, and not
from a backend that is not configured or that the principal may not read, which the
field then reports on its own. A load nobody waits for after all (a directive left the
field out) is not logged as a failure never retrieved (`load_ahead`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from gateway.auth.scopes import ORDERS_READ
from resolvers.context import Info, decided_per_field
from resolvers.loading import let_calls_go, load_ahead
from resolvers.orders.lines import ask_for_lines
from resolvers.pagination import node_fields

if TYPE_CHECKING:
    from erp_backends import models


async def read_ahead_of_orders(info: Info, orders: Sequence[models.Order]) -> None:
    """Start the loads a page of orders' fields make next, and let their calls go."""
    asked = [ask(info, orders) for ask in (ask_for_lines, ask_for_shop_orders)]
    if any(asked):
        await let_calls_go()


def ask_for_shop_orders(info: Info, orders: Sequence[models.Order]) -> bool:
    """Start the shop's loads of the page's orders that came from the shop, when the
    connection selects `shopOrder`; whether any was started."""
    from resolvers.shop.types import shop_number_of

    shop = info.context.loaders.shop
    if shop is None or not orders or not decided_per_field(info, _selects_shop_orders):
        return False
    numbers = [number for order in orders if (number := shop_number_of(info, order))]
    by_number = shop.order_by_number
    for number in numbers:
        load_ahead(by_number.load(number))
    return bool(numbers)


def _selects_shop_orders(info: Info) -> bool:
    # The field's own guard (`requires(ORDERS_READ)`), asked once for the page.
    return "shopOrder" in node_fields(info) and info.context.principal.has_scope(ORDERS_READ)
