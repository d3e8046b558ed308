"""The world's sales: 5,000 quotations and orders over two years, with their lines.

About 10% came from the web shop and carry its order number as their customer
reference ("SHOP-1001" onwards, in date order). Amounts are consistent: line subtotals
and taxes sum to the order's totals. Prices are the products' EUR prices converted at
`RATES` into the customer's currency.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from erp_backends.emulation.world.data import ANCHOR, RATES
from erp_backends.emulation.world.draw import Weighted
from erp_backends.emulation.world.parties import Customer
from erp_backends.emulation.world.products import Product

if TYPE_CHECKING:
    from erp_backends.emulation.world.accounting import Invoice

ORDER_COUNT = 5000
FIRST_SHOP_NUMBER = 1001  # the web shop's first order number
SHOP_PREFIX = "SHOP-"
TOP_CUSTOMER_MIN_ORDERS = 60  # the benchmarks page the lowest-id customer 50 deep

_RECENT_STATES = Weighted(("draft", 35), ("sent", 15), ("cancel", 3), ("sale", 47))
_OLD_STATES = Weighted(("draft", 2), ("sent", 2), ("cancel", 5), ("sale", 91))
_LINES_PER_ORDER = Weighted(*zip(range(1, 9), (25, 22, 17, 12, 9, 7, 5, 3), strict=True))
_UNITS_ORDERED = Weighted(
    *zip((1, 2, 3, 4, 5, 8, 10, 20, 50), (20, 18, 14, 12, 10, 8, 8, 6, 4), strict=True)
)
_SHOP_NUMBER_GAPS = Weighted((0, 50), (1, 30), (2, 15), (3, 5))


@dataclass
class SaleLine:
    product: Product
    quantity: float  # in the product's unit
    price: float  # per unit, in the order's currency
    discount: float  # percent
    taxed: bool
    subtotal: float
    tax: float
    delivered: float


@dataclass
class SaleOrder:
    """A quotation or order: "draft", "sent", "sale" (confirmed) or "cancel"."""

    # The world's own number, 1 onwards in date order (Odoo's projection names it
    # S00001 onwards and inserts the orders in this order, so its ids equal these).
    number: int
    when: datetime  # naive UTC
    customer: Customer
    state: str
    reference: str | None  # the customer's: a purchase order or the shop's order number
    from_shop: bool
    lines: list[SaleLine] = field(default_factory=list)
    untaxed: float = 0.0
    tax: float = 0.0
    total: float = 0.0
    invoice: Invoice | None = None  # set by accounting.draw_invoices
    upsold: bool = False  # delivered one more of its first line than ordered and invoiced

    @property
    def age(self) -> int:
        return (ANCHOR - self.when.date()).days

    @property
    def currency(self) -> str:
        return self.customer.currency

    @property
    def shop_number(self) -> int | None:
        if not self.from_shop or self.reference is None:
            return None
        return int(self.reference.removeprefix(SHOP_PREFIX))


_Pools = tuple[list[Product], list[Product]]


def draw_orders(
    rng: random.Random,
    customers: Sequence[Customer],
    products: Sequence[Product],
    shop_rng: random.Random,
) -> list[SaleOrder]:
    """The orders and their lines, oldest first; shop orders numbered from `shop_rng`."""
    recent = [p for p in products if p.for_sale and p.active]
    pools = (recent, [p for p in products if p.for_sale])  # archived ones sold long ago
    orders = [
        _plan_order(rng, number, when, customer, pools)
        for number, (when, customer) in enumerate(_schedule(rng, customers), 1)
    ]
    _number_shop_orders(orders, shop_rng)
    return orders


def _number_shop_orders(orders: Sequence[SaleOrder], rng: random.Random) -> None:
    """Give the web shop's orders unique, increasing numbers in date order from 1001.

    The shop numbers orders by its own ids, which other shop records (orders that never
    reached the ERP, products) also take, so consecutive numbers here leave small gaps.
    The draws come from their own generator: the rest of the world stays as it was.
    """
    number = FIRST_SHOP_NUMBER
    for order in orders:
        if order.from_shop:
            order.reference = f"{SHOP_PREFIX}{number}"
            number += 1 + _SHOP_NUMBER_GAPS.pick(rng)


def _schedule(rng: random.Random, customers: Sequence[Customer]) -> list[tuple[datetime, Customer]]:
    start = datetime.combine(ANCHOR, datetime.min.time())
    times = sorted(
        start
        - timedelta(days=rng.randrange(731))
        + timedelta(seconds=rng.randrange(7 * 3600, 19 * 3600))
        for _ in range(ORDER_COUNT)
    )
    # A long tail: a few customers order a lot, the first one most of all.
    ranks = list(range(1, len(customers)))
    rng.shuffle(ranks)
    weights = [1 / 3, *(1 / (rank + 4) for rank in ranks)]
    picks = rng.choices(range(len(customers)), weights=weights, k=ORDER_COUNT)
    others = [n for n, pick in enumerate(picks) if pick != 0]
    for n in rng.sample(others, max(0, TOP_CUSTOMER_MIN_ORDERS - (len(picks) - len(others)))):
        picks[n] = 0
    return [(when, customers[pick]) for when, pick in zip(times, picks, strict=True)]


def _plan_order(
    rng: random.Random, number: int, when: datetime, customer: Customer, pools: _Pools
) -> SaleOrder:
    age = (ANCHOR - when.date()).days
    state = (_RECENT_STATES if age < 21 else _OLD_STATES).pick(rng)
    shop = rng.random() < 0.1
    # The shop's number is given later, in date order; this draw only keeps the
    # generator's sequence (and so the rest of the world) as it always was.
    ref = f"{SHOP_PREFIX}{rng.randrange(10000, 99999)}" if shop else None
    if not shop and rng.random() < 0.3:
        ref = f"PO-{rng.randrange(100000, 999999)}"
    order = SaleOrder(number, when, customer, state, ref, shop)
    _plan_lines(rng, order, pools[order.age > 365])
    return order


def _plan_lines(rng: random.Random, order: SaleOrder, pool: list[Product]) -> None:
    count = _LINES_PER_ORDER.pick(rng)
    customer, rate = order.customer, RATES[order.customer.currency]
    for product in rng.sample(pool, count):
        qty = _quantity(rng, product.unit)
        price = round(product.price * rate, 2)
        discount = 0.0 if rng.random() < 0.8 else float(rng.choice((5, 10, 15, 20)))
        taxed = not rng.random() < 0.1
        subtotal = round(qty * price * (1 - discount / 100), 2)
        tax = round(subtotal * customer.style.tax_rate / 100, 2) if taxed else 0.0
        delivered = _delivered(rng, order, qty)
        order.lines.append(SaleLine(product, qty, price, discount, taxed, subtotal, tax, delivered))
    order.untaxed = round(sum(line.subtotal for line in order.lines), 2)
    order.tax = round(sum(line.tax for line in order.lines), 2)
    order.total = round(order.untaxed + order.tax, 2)


def _quantity(rng: random.Random, unit: str) -> float:
    if unit == "kg":
        return round(rng.uniform(0.5, 25), 1)
    if unit == "L":
        return round(rng.uniform(1, 40), 1)
    if unit == "m":
        return float(rng.choice((5, 10, 15, 20, 25, 50, 100)))
    if unit == "Hours":
        return float(rng.choice((1, 2, 3, 4, 6, 8, 16)))
    if unit == "Dozens":
        return float(rng.randint(1, 12))
    return float(_UNITS_ORDERED.pick(rng))


def _delivered(rng: random.Random, order: SaleOrder, qty: float) -> float:
    if order.state != "sale":
        return 0.0
    return qty if order.age > 10 or (order.age > 3 and rng.random() < 0.5) else 0.0


def invoiced(order: SaleOrder) -> bool:
    """Whether the order's invoice counts: neither cancelled nor reversed."""
    inv = order.invoice
    return inv is not None and inv.state != "cancel" and inv.payment_state != "reversed"


def draw_upsells(rng: random.Random, orders: Sequence[SaleOrder]) -> None:
    """Once invoices exist: a few invoiced orders delivered more than was ordered."""
    for order in orders:
        if invoiced(order) and order.age > 10 and rng.random() < 0.03:
            order.upsold = True
            first = order.lines[0]
            first.delivered = first.quantity + 1
