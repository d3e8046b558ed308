"""From order input to a command payload.

Checked in this order, each failure a user error naming the input at fault:
1. the lines themselves: a known SKU (UNKNOWN_SKU) of a product on sale, for an order
   (PRODUCT_NOT_SELLABLE: archived or not for sale in the product as cached), a
   positive, finite quantity (INVALID_QUANTITY), a unit that converts to the product's
   sales unit (UNIT_NOT_CONVERTIBLE: "Pack of 12" of an item sold by the unit is 12
   units, a kilogram of it is an error);
2. against the reservation ledger, as the command is stored: stock for each product
   that tracks it, and the customer's credit (resolvers/orders/reserving.py).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal

import strawberry

from erp_backends.errors import UserErrorCode
from erp_backends.models import Address, Product, Quantity
from erp_backends.normalize.errors import NormalizationError
from erp_backends.normalize.units import convert, parse_unit
from erp_backends.writes import DraftLine
from resolvers.commands.types import UserError, user_error
from resolvers.context import Info
from resolvers.node import decode_id_of
from resolvers.orders.input_checks import (
    MAX_QUANTITY,
    checked_address,
    invalid_quantity,
    line_count_errors,
    valid_quantity,
)


@strawberry.input(description="One line of an order.")
class OrderLineInput:
    sku: str
    quantity: Decimal = strawberry.field(
        description='More than 0 and less than a billion, at most 6 decimals, e.g. "12" or "2.5".'
    )
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
    region: str | None = strawberry.field(
        default=None, description='ISO 3166-2, e.g. "US-CA" (or "CA" with countryCode US).'
    )
    country_code: str | None = strawberry.field(
        default=None,
        description='ISO 3166-1 alpha-2 ("US"); alpha-3, numeric and English names '
        '("USA", "840", "United States") are read as their alpha-2 code.',
    )


@dataclass(frozen=True, slots=True)
class PricedLine:
    product: Product
    quantity: Quantity  # in the product's sales unit

    def draft(self) -> DraftLine:
        """The line as a command carries it to the ERP."""
        return DraftLine(self.product.id, self.quantity)


async def priced_lines(
    info: Info, lines: list[OrderLineInput], path: str = "lines", *, for_sale: bool = True
) -> tuple[list[PricedLine], list[UserError]]:
    """The lines with their products and quantities in sales units, or what is wrong;
    too many lines are refused before any product is looked up. `for_sale`: the lines
    are to be sold, so a product archived or not for sale is refused (as the worker
    would refuse it); a return takes back what was sold, on sale still or not."""
    if not lines:
        return [], [user_error(UserErrorCode.NO_LINES, "An order needs at least one line", path)]
    if too_many := line_count_errors(info, len(lines), path):
        return [], too_many
    loader = info.context.loaders.product_by_sku
    products = await asyncio.gather(*(loader.load(line.sku.strip()) for line in lines))
    priced, errors = [], []
    for index, (line, product) in enumerate(zip(lines, products, strict=True)):
        if product is None:
            message = f"No product has SKU {line.sku!r}"
            errors.append(user_error(UserErrorCode.UNKNOWN_SKU, message, path, index, "sku"))
            continue
        if for_sale and not product.sellable:
            message = f"{product.sku} is archived or not for sale in the ERP"
            refused = UserErrorCode.PRODUCT_NOT_SELLABLE
            errors.append(user_error(refused, message, path, index, "sku"))
            continue
        quantity = line.quantity
        if not valid_quantity(quantity):
            errors.append(invalid_quantity(product.sales_unit, path, index))
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
        if in_sales_unit.value >= MAX_QUANTITY:  # a "Pack of 10000000000"
            errors.append(invalid_quantity(product.sales_unit, path, index))
            continue
        priced.append(PricedLine(product, in_sales_unit))
    return priced, errors


async def ordering_customer(info: Info, customer_id: strawberry.ID | None) -> str | UserError:
    """The ERP key of the customer an order is for: a customer orders for itself, a
    partner bound to one customer for that one; staff and other partners name it. The
    customer is read through the ownership filter either way, so it must be one this
    principal acts for and one the ERP has as a customer (a commercial entity, never a
    company's contact or address, whose credit would not be the company's)."""
    principal = info.context.principal
    if customer_id is None:
        if principal.customer_id is None:
            several = len(principal.bound_keys) > 1
            message = (
                "This token acts for several customers: name the one the order is for"
                if several
                else "Name the customer the order is for"
            )
            return user_error(UserErrorCode.CUSTOMER_REQUIRED, message, "customerId")
        customer_id = strawberry.ID(principal.customer_id)
    key = decode_id_of(customer_id, "Customer")
    # A customer naming another, or a partner one it is not bound to, gets NOT_FOUND.
    if key is None or await info.context.loaders.customer_by_id.load(key) is None:
        return user_error(
            UserErrorCode.NOT_FOUND, f"No customer with id {customer_id!r}", "customerId"
        )
    return key


def shipping_address(
    info: Info, address: AddressInput | None
) -> tuple[Address | None, list[UserError]]:
    """The address as the command carries it (country and region normalised to ISO
    3166), or what is wrong with it."""
    return checked_address(info, address)
