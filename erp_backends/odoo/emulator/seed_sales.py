"""Seed the emulated Odoo's quotations and sales orders with their lines.

Amounts are consistent the way Odoo keeps them: line subtotals and taxes sum to the
order totals; once invoices exist (`emulator_seed_invoices`), `close_orders` makes the
order's `invoice_status` and the lines' `qty_invoiced` follow the invoice's fate (a
cancelled or reversed invoice leaves the order to invoice).
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from erp_backends.odoo.emulator.db import Database

if TYPE_CHECKING:
    from erp_backends.odoo.emulator.seed_invoices import Invoice

ANCHOR = date(2026, 10, 31)  # "today" for the seed: never the real clock
ORDER_COUNT = 5000
FIRST_SHOP_NUMBER = 1001  # the web shop's first order number
TOP_CUSTOMER_MIN_ORDERS = 60  # the benchmarks page the lowest-id customer 50 deep
RATES = {"EUR": 1.0, "USD": 1.08, "GBP": 0.86}  # product prices are in EUR
T = TypeVar("T")


@dataclass(frozen=True)
class Customer:
    """A customer company as orders need it: addresses, currency and sales tax."""

    id: int
    invoice_address: int
    delivery_address: int
    currency: str
    currency_id: int
    tax_id: int
    tax_rate: float


@dataclass(frozen=True)
class SalesRefs:
    """Ids of the journals invoices and payments are booked in."""

    invoice_journal: int
    payment_journals: tuple[tuple[int, str, float], ...]  # id, code, weight


@dataclass
class SaleOrder:
    """An order being seeded: its values and lines, then its id and invoice."""

    when: datetime
    customer: Customer
    state: str
    values: dict[str, Any]
    lines: list[dict[str, Any]] = field(default_factory=list)
    line_ids: list[int] = field(default_factory=list)
    id: int = 0
    invoice: Invoice | None = None  # set by emulator_seed_invoices

    @property
    def age(self) -> int:
        return (ANCHOR - self.when.date()).days


_Pools = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def dt(value: datetime) -> str:
    return value.isoformat(" ")  # "2026-10-31 14:05:09": the seed never draws microseconds


class Weighted(Generic[T]):
    """A weighted draw, its cumulative weights summed once (the seed draws 50,000 times)."""

    def __init__(self, *pairs: tuple[T, float]) -> None:
        self.values = [value for value, _weight in pairs]
        self.cumulative = list(accumulate(weight for _value, weight in pairs))

    def pick(self, rng: random.Random) -> T:
        # What rng.choices(values, weights)[0] draws, without summing weights each time.
        return self.values[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


_RECENT_STATES = Weighted(("draft", 35), ("sent", 15), ("cancel", 3), ("sale", 47))
_OLD_STATES = Weighted(("draft", 2), ("sent", 2), ("cancel", 5), ("sale", 91))
_LINES_PER_ORDER = Weighted(*zip(range(1, 9), (25, 22, 17, 12, 9, 7, 5, 3), strict=True))
_UNITS_ORDERED = Weighted(
    *zip((1, 2, 3, 4, 5, 8, 10, 20, 50), (20, 18, 14, 12, 10, 8, 8, 6, 4), strict=True)
)


def seed_orders(
    db: Database, rng: random.Random, customers: Sequence[Customer], shop_rng: random.Random
) -> list[SaleOrder]:
    """Insert the orders and their lines, oldest first, named S00001 onwards.

    Orders from the web shop carry its order number as "SHOP-<n>" (see `_number_shop_orders`).
    """
    products = db.table("product.product").records.values()
    recent = [p for p in products if p["sale_ok"] and p["active"]]
    pools = (recent, [p for p in products if p["sale_ok"]])  # archived ones sold long ago
    uoms = {i: uom["name"] for i, uom in db.table("uom.uom").records.items()}
    orders = [
        _plan_order(rng, when, customer, pools, uoms)
        for when, customer in _schedule(rng, customers)
    ]
    _number_shop_orders(orders, shop_rng)
    for number, order in enumerate(orders, 1):
        name = order.values["name"] = f"S{number:05d}"
        order.id = db.insert("sale.order", order.values)
        for line in order.lines:
            display = f"{name} - {line['name']}"
            line_id = db.insert(
                "sale.order.line", line | {"order_id": order.id, "display_name": display}
            )
            order.line_ids.append(line_id)
    return orders


_SHOP_NUMBER_GAPS = Weighted((0, 50), (1, 30), (2, 15), (3, 5))


def _number_shop_orders(orders: Sequence[SaleOrder], rng: random.Random) -> None:
    """Give the web shop's orders unique, increasing numbers in date order from 1001.

    The shop numbers orders by its own ids, which other shop records (orders that never
    reached the ERP, products) also take, so consecutive numbers here leave small gaps.
    The draws come from their own generator: the rest of the world stays as it was.
    """
    number = FIRST_SHOP_NUMBER
    for order in orders:
        if order.values["origin"] == "Web Shop":
            order.values["client_order_ref"] = f"SHOP-{number}"
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
    rng: random.Random, when: datetime, customer: Customer, pools: _Pools, uoms: dict[int, str]
) -> SaleOrder:
    age = (ANCHOR - when.date()).days
    state = (_RECENT_STATES if age < 21 else _OLD_STATES).pick(rng)
    shop = rng.random() < 0.1
    # The shop's number is given later, in date order; this draw only keeps the
    # generator's sequence (and so the rest of the world) as it always was.
    ref = f"SHOP-{rng.randrange(10000, 99999)}" if shop else None
    if not shop and rng.random() < 0.3:
        ref = f"PO-{rng.randrange(100000, 999999)}"
    values = {
        "partner_id": customer.id, "partner_invoice_id": customer.invoice_address,
        "partner_shipping_id": customer.delivery_address, "date_order": dt(when),
        "validity_date": (when + timedelta(days=30)).date().isoformat(), "state": state,
        "client_order_ref": ref, "origin": "Web Shop" if shop else None,
        "currency_id": customer.currency_id, "currency_rate": RATES[customer.currency],
        "user_id": 2, "locked": False,
        "invoice_status": "no", "invoice_count": 0, "create_date": dt(when), "write_date": dt(when),
    }  # fmt: skip
    order = SaleOrder(when, customer, state, values)
    _plan_lines(rng, order, pools[order.age > 365], uoms)
    return order


def _plan_lines(
    rng: random.Random, order: SaleOrder, pool: list[dict[str, Any]], uoms: dict[int, str]
) -> None:
    count = _LINES_PER_ORDER.pick(rng)
    customer, rate = order.customer, RATES[order.customer.currency]
    for sequence, product in enumerate(rng.sample(pool, count), 10):
        qty = _quantity(rng, uoms[product["uom_id"]])
        price = round(product["lst_price"] * rate, 2)
        discount = 0.0 if rng.random() < 0.8 else float(rng.choice((5, 10, 15, 20)))
        taxes = [] if rng.random() < 0.1 else [customer.tax_id]
        subtotal = round(qty * price * (1 - discount / 100), 2)
        tax = round(subtotal * customer.tax_rate / 100, 2) if taxes else 0.0
        order.lines.append({
            "sequence": sequence, "product_id": product["id"], "name": product["display_name"],
            "product_uom_qty": qty, "product_uom_id": product["uom_id"], "price_unit": price,
            "discount": discount, "price_subtotal": subtotal, "price_tax": tax,
            "price_total": round(subtotal + tax, 2), "tax_ids": taxes,
            "qty_delivered": _delivered(rng, order, qty), "qty_invoiced": 0.0,
            "currency_id": customer.currency_id, "order_partner_id": customer.id,
            "state": order.state, "create_date": order.values["date_order"],
        })  # fmt: skip
    untaxed = round(sum(line["price_subtotal"] for line in order.lines), 2)
    tax = round(sum(line["price_tax"] for line in order.lines), 2)
    order.values.update(
        amount_untaxed=untaxed, amount_tax=tax, amount_total=round(untaxed + tax, 2)
    )


def _quantity(rng: random.Random, uom: str) -> float:
    if uom == "kg":
        return round(rng.uniform(0.5, 25), 1)
    if uom == "L":
        return round(rng.uniform(1, 40), 1)
    if uom == "m":
        return float(rng.choice((5, 10, 15, 20, 25, 50, 100)))
    if uom == "Hours":
        return float(rng.choice((1, 2, 3, 4, 6, 8, 16)))
    if uom == "Dozens":
        return float(rng.randint(1, 12))
    return float(_UNITS_ORDERED.pick(rng))


def _delivered(rng: random.Random, order: SaleOrder, qty: float) -> float:
    if order.state != "sale":
        return 0.0
    return qty if order.age > 10 or (order.age > 3 and rng.random() < 0.5) else 0.0


def close_orders(db: Database, rng: random.Random, orders: Sequence[SaleOrder]) -> None:
    """Invoice status, invoice links and invoiced quantities, once invoices exist."""
    for order in orders:
        _close_order(db, rng, order)


def _close_order(db: Database, rng: random.Random, order: SaleOrder) -> None:
    inv, line_ids = order.invoice, order.line_ids
    lines = db.table("sale.order.line").records
    counted = inv is not None and inv.state != "cancel" and inv.payment_state != "reversed"
    status = "no" if order.state != "sale" else "invoiced" if counted else "to invoice"
    if counted and order.age > 10 and rng.random() < 0.03:
        status = "upselling"  # delivered more than was ordered and invoiced
        db.update(
            "sale.order.line",
            line_ids[0],
            {"qty_delivered": lines[line_ids[0]]["product_uom_qty"] + 1},
        )
    for line_id in line_ids:
        qty = lines[line_id]["product_uom_qty"]
        db.update("sale.order.line", line_id, {
            "qty_invoiced": qty if counted else 0.0,
            "qty_to_invoice": qty if status == "to invoice" else 0.0,
        })  # fmt: skip
    move_ids = [] if inv is None else [inv.id] + ([inv.refund_id] if inv.refund_id else [])
    db.update("sale.order", order.id, {
        "invoice_status": status, "invoice_ids": move_ids, "invoice_count": len(move_ids),
    })  # fmt: skip
