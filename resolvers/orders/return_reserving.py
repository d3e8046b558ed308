"""What a return holds in the reservation ledger (gateway/commands/ledger.py) until the
ERP has it, and the user errors when the ledger cannot cover it.

A return reserves, per product, what it asks back (all that was delivered when it names
no lines) of `returnable:<order>:<product>`: what the ERP says may still come back
(delivered, less the returns done and the returns open there) less what the other
accepted returns of the order hold. Two returns of the same delivered units are thus
taken one after the other, and the second is refused with ORDER_NOT_RETURNABLE, at
`lines.N.quantity` (or `orderId` for a return of everything). How much is left is shown
only to a caller with orders:read: a user error must not be a way round a missing scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from erp_backends.errors import UserErrorCode
from erp_backends.models import OrderLine, Quantity
from erp_backends.normalize.errors import NormalizationError
from erp_backends.normalize.units import convert
from gateway.auth.scopes import ORDERS_READ
from gateway.commands.ledger import Reservation, Shortfall, returnable_item
from resolvers.commands.types import UserError, user_error
from resolvers.context import Info
from resolvers.orders.placing import PricedLine
from resolvers.orders.returnable import delivered_by_product


@dataclass(frozen=True, slots=True)
class Asked:
    """What a return asks back of one product, in the product's sales unit."""

    product_id: str
    sku: str
    quantity: Quantity
    line: int | None  # the first input line naming it; None for a return of everything


def asked_of_lines(lines: Sequence[PricedLine]) -> list[Asked]:
    """The return's lines, one per product (their quantities added up)."""
    asked: dict[str, Asked] = {}
    for index, line in enumerate(lines):
        product = line.product
        before = asked.get(product.id)
        total = line.quantity.value + (Decimal(0) if before is None else before.quantity.value)
        first = index if before is None else before.line
        sku = product.sku or product.id
        asked[product.id] = Asked(product.id, sku, Quantity(total, line.quantity.unit), first)
    return list(asked.values())


async def asked_of_everything(info: Info, order_lines: Sequence[OrderLine]) -> list[Asked]:
    """All the order delivered, per product, in the product's sales unit."""
    delivered = delivered_by_product(order_lines)
    products = await info.context.loaders.product_by_id.load_many(list(delivered))
    asked = []
    for (product_id, sent), product in zip(delivered.items(), products, strict=True):
        unit = sent.unit if product is None else product.sales_unit
        try:
            quantity = convert(sent, unit)
        except NormalizationError:
            continue  # the ERP's units disagree: its writer checks this product
        sku = product_id if product is None else product.sku or product_id
        asked.append(Asked(product_id, sku, quantity, None))
    return asked


def return_reservations(order_id: str, asked: Sequence[Asked]) -> list[Reservation]:
    return [Reservation(returnable_item(order_id, a.product_id), a.quantity.value) for a in asked]


def return_shortfall_errors(
    info: Info, shortfall: Shortfall, order_id: str, asked: Sequence[Asked]
) -> list[UserError]:
    may_read = info.context.principal.has_scope(ORDERS_READ)
    short = [a for a in asked if returnable_item(order_id, a.product_id) in shortfall.available]
    if not may_read and short and short[0].line is None:
        # A return of everything: which products, and how much of each, is the order's.
        message = "This order cannot be returned in full"
        return [user_error(UserErrorCode.ORDER_NOT_RETURNABLE, message, "orderId")]
    errors = []
    for a in short:
        left = shortfall.available[returnable_item(order_id, a.product_id)]
        unit = a.quantity.unit
        message = f"{a.sku}: {a.quantity.value} {unit} cannot be returned"
        if may_read:
            message = f"{a.sku}: {left} {unit} can still be returned, {a.quantity.value} asked"
        path = ("orderId",) if a.line is None else ("lines", a.line, "quantity")
        errors.append(user_error(UserErrorCode.ORDER_NOT_RETURNABLE, message, *path))
    return errors
