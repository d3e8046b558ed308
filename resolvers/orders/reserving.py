"""What an order holds in the reservation ledger (gateway/commands/ledger.py) until the
ERP has it, and the user errors when the ledger cannot cover it:

- INSUFFICIENT_STOCK, on the first line of each product that tracks stock and whose
  available stock (the snapshot less every other accepted order's reservation) is less
  than all the lines of this order ask of it;
- CREDIT_LIMIT_EXCEEDED when this order passes the customer's credit left (its limit
  less its open balance and the other accepted orders).

Figures (stock left, credit left) are shown only to a caller whose scopes may read them
(stock:read, invoices:read): a user error must not be a way round a missing scope.
"""

from __future__ import annotations

from decimal import Decimal

from erp_backends.errors import UserErrorCode
from erp_backends.models import Money
from gateway.auth.scopes import INVOICES_READ, STOCK_READ
from gateway.commands.ledger import Reservation, Shortfall, credit_item, stock_item
from resolvers.commands.types import UserError, user_error
from resolvers.context import Info
from resolvers.orders.placing import PricedLine


def order_reservations(customer_key: str, lines: list[PricedLine]) -> list[Reservation]:
    """Each stock-tracked product's quantity, and the order's total against credit."""
    held = [
        Reservation(stock_item(line.product.id), line.quantity.value)
        for line in lines
        if line.product.tracks_stock
    ]
    if lines:
        held.append(Reservation(credit_item(customer_key), order_total(lines).amount))
    return held


def shortfall_errors(
    info: Info,
    shortfall: Shortfall,
    customer_key: str,
    lines: list[PricedLine],
    path: str = "lines",
) -> list[UserError]:
    principal = info.context.principal
    errors = []
    reported: set[str] = set()
    for index, line in enumerate(lines):
        item = stock_item(line.product.id)
        if item not in shortfall.available or item in reported:
            continue
        reported.add(item)
        asked = sum(
            (other.quantity.value for other in lines if other.product.id == line.product.id),
            Decimal(0),
        )
        unit = line.quantity.unit
        message = f"{line.product.sku}: not enough in stock for {asked} {unit}"
        if principal.has_scope(STOCK_READ):
            message = (
                f"{line.product.sku}: {shortfall.available[item]} {unit} available, {asked} asked"
            )
        errors.append(
            user_error(UserErrorCode.INSUFFICIENT_STOCK, message, path, index, "quantity")
        )
    credit = credit_item(customer_key)
    if credit in shortfall.available:
        total = order_total(lines)
        message = (
            f"This order ({total.amount} {total.currency}) exceeds the customer's credit limit"
        )
        if principal.has_scope(INVOICES_READ):
            left = shortfall.available[credit]
            message = (
                f"This order ({total.amount} {total.currency}) exceeds the credit left ({left})"
            )
        errors.append(user_error(UserErrorCode.CREDIT_LIMIT_EXCEEDED, message))
    return errors


def order_total(lines: list[PricedLine]) -> Money:
    currency = lines[0].product.list_price.currency
    amount = sum(
        (line.product.list_price.amount * line.quantity.value for line in lines), Decimal(0)
    )
    return Money(amount, currency)
