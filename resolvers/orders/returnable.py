"""What a return may ask back, checked at acceptance as the ERP's writer checks it when
the command runs: each product the return names was delivered by the order, and all the
return's lines of a product ask back no more than was delivered of it."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from erp_backends.errors import UserErrorCode
from erp_backends.models import OrderLine, Quantity
from erp_backends.normalize.errors import NormalizationError
from erp_backends.normalize.units import convert
from resolvers.commands.types import UserError, user_error
from resolvers.orders.placing import PricedLine


def return_errors(
    lines: Sequence[PricedLine],
    order_lines: Sequence[OrderLine],
    path: str = "lines",
    *,
    show_figures: bool = True,
) -> list[UserError]:
    """ORDER_NOT_RETURNABLE for a product the order did not deliver or a product asked
    back beyond its delivered quantity (how much was delivered only with `show_figures`:
    for a caller who may read orders); UNIT_NOT_CONVERTIBLE for a line whose unit is not
    of the kind the order delivered it in. What other returns took is the ledger's to
    check (resolvers/orders/return_reserving.py)."""
    delivered = delivered_by_product(order_lines)
    asked: dict[str, Decimal] = {}
    first_line: dict[str, int] = {}
    errors = []
    for index, line in enumerate(lines):
        product = line.product
        sent = delivered.get(product.id)
        if sent is None:
            message = f"The order delivered no {product.sku}"
            error = user_error(UserErrorCode.ORDER_NOT_RETURNABLE, message, path, index, "sku")
            errors.append(error)
            continue
        try:
            quantity = _in_unit(line.quantity, sent.unit)
        except NormalizationError as exc:
            error = user_error(UserErrorCode.UNIT_NOT_CONVERTIBLE, str(exc), path, index, "unit")
            errors.append(error)
            continue
        asked[product.id] = asked.get(product.id, Decimal(0)) + quantity
        first_line.setdefault(product.id, index)
    for product_id, quantity in asked.items():
        sent = delivered[product_id]
        if quantity > sent.value:
            index = first_line[product_id]
            message = f"{lines[index].product.sku}: {quantity} {sent.unit} cannot be returned"
            if show_figures:
                message = (
                    f"{lines[index].product.sku}: {quantity} {sent.unit} to return, "
                    f"{sent.value} delivered"
                )
            error = user_error(UserErrorCode.ORDER_NOT_RETURNABLE, message, path, index, "quantity")
            errors.append(error)
    return errors


def delivered_by_product(order_lines: Sequence[OrderLine]) -> dict[str, Quantity]:
    """What the order delivered of each product, in the unit of its first such line."""
    delivered: dict[str, Quantity] = {}
    for line in order_lines:
        if line.product_id is None or line.delivered.value <= 0:
            continue
        before = delivered.get(line.product_id)
        if before is None:
            delivered[line.product_id] = line.delivered
            continue
        try:
            more = _in_unit(line.delivered, before.unit)
        except NormalizationError:
            continue  # the ERP's own lines disagree; its writer decides
        delivered[line.product_id] = Quantity(before.value + more, before.unit)
    return delivered


def _in_unit(quantity: Quantity, unit: str) -> Decimal:
    return convert(quantity, unit).value
