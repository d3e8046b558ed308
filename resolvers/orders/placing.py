"""From order input to a command payload, and the live checks before acceptance.

Checked in this order, each failure a user error naming the input at fault:
1. the lines themselves: a known SKU (UNKNOWN_SKU), a positive, finite quantity
   (INVALID_QUANTITY), a unit that converts to the product's sales unit
   (UNIT_NOT_CONVERTIBLE: "Pack of 12" of an item sold by the unit is 12 units, a
   kilogram of it is an error);
2. live, past the cache: stock for each product that tracks it (INSUFFICIENT_STOCK), and
   the customer's credit limit against its open balance plus this order
   (CREDIT_LIMIT_EXCEEDED).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import strawberry

from erp_backends.errors import UserErrorCode
from erp_backends.models import Address, AddressKind, Money, Product, Quantity
from erp_backends.normalize.errors import NormalizationError
from erp_backends.normalize.units import convert, parse_unit
from erp_backends.writes import DraftLine
from resolvers.commands.accepting import writes_of
from resolvers.commands.types import UserError, user_error
from resolvers.context import Info
from resolvers.node import decode_id_of


@strawberry.input(description="One line of an order.")
class OrderLineInput:
    sku: str
    quantity: Decimal = strawberry.field(description='More than 0, e.g. "12" or "2.5".')
    unit: str | None = strawberry.field(
        default=None,
        description='A Rec 20 code (C62, DZN, KGM), a name ("kg", "dozen") or a pack '
        '("Pack of 12"); the product\'s sales unit when absent.',
    )


@strawberry.input(description="Where to deliver; the customer's own address when absent.")
class AddressInput:
    name: str | None = None
    street: str | None = None
    street2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    region: str | None = strawberry.field(default=None, description="ISO 3166-2, e.g. US-CA.")
    country_code: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2.")


@dataclass(frozen=True, slots=True)
class PricedLine:
    product: Product
    quantity: Quantity  # in the product's sales unit

    def draft(self) -> DraftLine:
        """The line as a command carries it to the ERP."""
        return DraftLine(self.product.id, self.quantity)


async def priced_lines(
    info: Info, lines: list[OrderLineInput], path: str = "lines"
) -> tuple[list[PricedLine], list[UserError]]:
    """The lines with their products and quantities in sales units, or what is wrong."""
    if not lines:
        return [], [user_error(UserErrorCode.NO_LINES, "An order needs at least one line", path)]
    loader = info.context.loaders.product_by_sku
    products = await asyncio.gather(*(loader.load(line.sku.strip()) for line in lines))
    priced, errors = [], []
    for index, (line, product) in enumerate(zip(lines, products, strict=True)):
        if product is None:
            message = f"No product has SKU {line.sku!r}"
            errors.append(user_error(UserErrorCode.UNKNOWN_SKU, message, path, index, "sku"))
            continue
        quantity = line.quantity
        if not quantity.is_finite() or quantity <= 0 or quantity.as_tuple().exponent < -6:  # type: ignore[operator]
            errors.append(
                user_error(
                    UserErrorCode.INVALID_QUANTITY,
                    "The quantity must be more than 0, with at most 6 decimals",
                    path,
                    index,
                    "quantity",
                )
            )
            continue
        try:
            code, per_unit = parse_unit(line.unit or product.sales_unit)
            in_sales_unit = convert(Quantity(quantity * per_unit, code), product.sales_unit)
        except NormalizationError as exc:
            errors.append(
                user_error(
                    UserErrorCode.UNIT_NOT_CONVERTIBLE,
                    f"{exc}; {product.sku} is sold in {product.sales_unit}",
                    path,
                    index,
                    "unit",
                )
            )
            continue
        priced.append(PricedLine(product, in_sales_unit))
    return priced, errors


async def stock_errors(info: Info, lines: list[PricedLine], path: str = "lines") -> list[UserError]:
    """INSUFFICIENT_STOCK for each product whose live available stock is less than all
    the lines of this order ask of it."""
    wanted: dict[str, Decimal] = defaultdict(Decimal)
    first_line: dict[str, int] = {}
    for index, line in enumerate(lines):
        if line.product.tracks_stock:
            wanted[line.product.id] += line.quantity.value
            first_line.setdefault(line.product.id, index)
    live = writes_of(info).live
    levels = await asyncio.gather(*(live.stock.load(product_id) for product_id in wanted))
    errors = []
    for (product_id, amount), level in zip(wanted.items(), levels, strict=True):
        available = Decimal(0) if level is None else level.available.value
        if available < amount:
            index = first_line[product_id]
            line = lines[index]
            message = (
                f"{line.product.sku}: {available} {line.quantity.unit} available, {amount} asked"
            )
            errors.append(
                user_error(UserErrorCode.INSUFFICIENT_STOCK, message, path, index, "quantity")
            )
    return errors


async def credit_errors(info: Info, customer_key: str, lines: list[PricedLine]) -> list[UserError]:
    """CREDIT_LIMIT_EXCEEDED when the open balance plus this order passes the limit."""
    if not lines:
        return []
    credit = await writes_of(info).live.credit.load(customer_key)
    if credit is None or credit.limit is None:
        return []
    total = order_total(lines)
    if credit.open_balance.amount + total.amount > credit.limit.amount:
        left = credit.limit.amount - credit.open_balance.amount
        return [
            user_error(
                UserErrorCode.CREDIT_LIMIT_EXCEEDED,
                f"This order ({total.amount} {total.currency}) exceeds the credit left "
                f"({max(left, Decimal(0))} {credit.limit.currency})",
            )
        ]
    return []


def order_total(lines: list[PricedLine]) -> Money:
    currency = lines[0].product.list_price.currency
    amount = sum(
        (line.product.list_price.amount * line.quantity.value for line in lines), Decimal(0)
    )
    return Money(amount, currency)


async def ordering_customer(info: Info, customer_id: strawberry.ID | None) -> str | UserError:
    """The ERP key of the customer an order is for: a customer orders for itself; staff
    and partners name the customer."""
    principal = info.context.principal
    if customer_id is None:
        if principal.customer_key is None:
            return user_error(
                UserErrorCode.CUSTOMER_REQUIRED, "Name the customer the order is for", "customerId"
            )
        return principal.customer_key
    key = decode_id_of(customer_id, "Customer")
    # Through the ownership filter: a customer naming another gets NOT_FOUND.
    if key is None or await info.context.loaders.customer_by_id.load(key) is None:
        return user_error(
            UserErrorCode.NOT_FOUND, f"No customer with id {customer_id!r}", "customerId"
        )
    return key


def shipping_address(address: AddressInput | None) -> Address | None:
    if address is None:
        return None
    return Address(
        kind=AddressKind.SHIPPING,
        name=address.name,
        street=address.street,
        street2=address.street2,
        postal_code=address.postal_code,
        city=address.city,
        region=address.region,
        country_code=address.country_code,
    )
