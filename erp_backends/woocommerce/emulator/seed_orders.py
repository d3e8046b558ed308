"""The emulated shop's orders: the ERP's web-shop orders, and the ones that never got there.

Every order of the neutral world (`erp_backends.emulation.world`) that came from the web
shop carries the shop's order number in its customer reference ("SHOP-1042"); the shop
has that order, by the same buyer (the customer's email as billing email), with the same
total and currency, placed a few minutes before the ERP imported it, and a status that
follows the ERP: cancelled, refunded (the invoice was reversed), completed (all
delivered) or processing.

The shop numbers orders by their ids, which it also gives to orders that never reached
the ERP: those fill some of the gaps between the ERP's numbers (pending, on-hold,
cancelled and failed checkouts) and follow the last one (paid orders of the last hours
that the ERP has not imported yet). They belong to shop accounts or to guests.
"""

from __future__ import annotations

import itertools
import random
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from erp_backends.emulation.world import World
from erp_backends.emulation.world.data import ANCHOR, RATES
from erp_backends.emulation.world.draw import Weighted
from erp_backends.emulation.world.sales import SaleLine, SaleOrder
from erp_backends.woocommerce.emulator.seed_data import (
    CONSUMER_DOMAINS,
    FIRST_NAMES,
    LAST_NAMES,
    PAYMENT_METHODS,
    SITE_URL,
    TAX_RATES,
    WC_VERSION,
    money,
    slug,
    wire_dates,
)

Json = dict[str, Any]
GAP_FILL = 0.45  # the share of free order ids between two ERP orders the shop used
_GAP_STATUSES = Weighted(("pending", 25), ("on-hold", 10), ("cancelled", 30), ("failed", 35))
_TAIL_STATUSES = ("processing", "processing", "processing", "processing", "pending", "on-hold")
_PAYMENTS = Weighted(*(((code, title), weight) for code, title, weight in PAYMENT_METHODS))
_PAID = frozenset({"processing", "completed", "refunded"})
_END_OF_DAY = datetime.combine(ANCHOR, datetime.min.time()) + timedelta(hours=20)


@dataclass
class Buyer:
    """Someone who buys from the shop: an ERP customer's contact person or a private buyer."""

    first_name: str
    last_name: str
    email: str  # as the shop stores it; "" when the ERP customer has none
    address: dict[str, str]
    phone: str
    customer_number: int | None  # the world's customer company, if any
    has_account: bool  # else every order is a guest checkout
    currency: str
    customer_id: int | None = None  # the shop account's id, once numbered
    registered: datetime | None = None
    first_order: datetime | None = None
    last_order: datetime | None = None

    def billing(self) -> dict[str, str]:
        names = {"first_name": self.first_name, "last_name": self.last_name}
        return names | self.address | {"email": self.email, "phone": self.phone}

    def shipping(self) -> dict[str, str]:
        names = {"first_name": self.first_name, "last_name": self.last_name}
        return names | self.address | {"phone": ""}


@dataclass
class PlannedOrder:
    id: int
    when: datetime  # naive UTC
    buyer: Buyer
    status: str
    currency: str
    total: float
    tax: float
    lines: list[Json]
    payment: tuple[str, str]
    key: str = ""
    paid: datetime | None = None
    completed: datetime | None = None
    transaction_id: str = ""

    def wire(self) -> Json:
        """The order as `GET /wp-json/wc/v3/orders/<id>` shows it."""
        buyer, status = self.buyer, self.status
        modified = self.completed or self.paid or self.when
        return {
            "id": self.id,
            "parent_id": 0,
            "number": str(self.id),
            "order_key": self.key,
            "created_via": "checkout",
            "version": WC_VERSION,
            "status": status,
            "currency": self.currency,
            **wire_dates("date_created", self.when),
            **wire_dates("date_modified", modified),
            "discount_total": "0.00",
            "discount_tax": "0.00",
            "shipping_total": "0.00",
            "shipping_tax": "0.00",
            "cart_tax": money(self.tax),
            "total": money(self.total),
            "total_tax": money(self.tax),
            "prices_include_tax": False,
            "customer_id": buyer.customer_id if buyer.has_account else 0,
            "customer_ip_address": "",
            "customer_user_agent": "",
            "customer_note": "",
            "billing": buyer.billing(),
            "shipping": buyer.shipping(),
            "payment_method": self.payment[0],
            "payment_method_title": self.payment[1],
            "transaction_id": self.transaction_id,
            **wire_dates("date_paid", self.paid),
            **wire_dates("date_completed", self.completed),
            "cart_hash": "",
            "meta_data": [],
            "line_items": self.lines,
            "tax_lines": [],
            "shipping_lines": [],
            "fee_lines": [],
            "coupon_lines": [],
            "refunds": [],
            "payment_url": f"{SITE_URL}/checkout/order-pay/{self.id}/?pay_for_order=true"
            f"&key={self.key}",
            "is_editable": status in ("pending", "on-hold"),
            "needs_payment": status in ("pending", "failed"),
            "needs_processing": True,
        }


def plan_orders(
    world: World, rng: random.Random, buyers: list[Buyer], products: list[Json]
) -> list[PlannedOrder]:
    """Every shop order, ids ascending; the buyers learn their first and last order."""
    from_erp = _erp_orders(world, rng, buyers, products)
    published = [p for p in products if p["status"] == "publish"]
    orders = from_erp + _shop_only_orders(rng, from_erp, buyers, published)
    orders.sort(key=lambda o: o.id)
    line_ids = iter(range(1, 10**6))
    for order in orders:
        _settle(rng, order)
        for line in order.lines:
            line["id"] = next(line_ids)
        if order.buyer.has_account:
            order.buyer.first_order = order.buyer.first_order or order.when
            order.buyer.last_order = order.when
    return orders


# Orders the ERP has ------------------------------------------------------------------


def _erp_orders(
    world: World, rng: random.Random, buyers: list[Buyer], products: list[Json]
) -> list[PlannedOrder]:
    by_customer = {b.customer_number: b for b in buyers if b.customer_number is not None}
    shop_orders = [order for order in world.orders if order.shop_number is not None]
    listed = {p["sku"]: p["id"] for p in products}
    planned, previous = [], datetime.min
    for order in sorted(shop_orders, key=lambda o: o.shop_number or 0):
        assert order.shop_number is not None
        placed = order.when - timedelta(minutes=rng.randint(2, 45), seconds=rng.randrange(60))
        placed = previous = max(placed, previous + timedelta(seconds=1))
        planned.append(
            PlannedOrder(
                order.shop_number,
                placed,
                by_customer[order.customer.number],
                _erp_status(order),
                order.currency,
                order.total,
                order.tax,
                [_erp_line(line, listed) for line in order.lines],
                _PAYMENTS.pick(rng),
            )
        )
    return planned


def _erp_status(order: SaleOrder) -> str:
    if order.state == "cancel":
        return "cancelled"
    if order.invoice is not None and order.invoice.payment_state == "reversed":
        return "refunded"
    delivered = all(line.delivered >= line.quantity for line in order.lines)
    return "completed" if order.state == "sale" and delivered else "processing"


def _erp_line(line: SaleLine, listed: dict[str, int]) -> Json:
    quantity = max(1, round(line.quantity))  # the shop sells whole units
    product = line.product
    return {
        "id": 0,
        "name": product.name,
        "product_id": listed.get(product.sku, 0),
        "variation_id": 0,
        "quantity": quantity,
        "tax_class": "",
        "subtotal": money(line.subtotal),
        "subtotal_tax": money(line.tax),
        "total": money(line.subtotal),
        "total_tax": money(line.tax),
        "taxes": [],
        "meta_data": [],
        "sku": product.sku,
        "price": round(line.subtotal / quantity, 2),
    }


# Orders only the shop has ------------------------------------------------------------


def _shop_only_orders(
    rng: random.Random, from_erp: list[PlannedOrder], buyers: list[Buyer], products: list[Json]
) -> list[PlannedOrder]:
    planned = []
    for before, after in itertools.pairwise(from_erp):
        free = [i for i in range(before.id + 1, after.id) if rng.random() < GAP_FILL]
        times = _times_between(rng, before.when, after.when, len(free))
        for order_id, when in zip(free, times, strict=True):
            status = _GAP_STATUSES.pick(rng)
            planned.append(_shop_order(rng, order_id, when, status, buyers, products))
    last = from_erp[-1]
    times = _times_between(rng, last.when, _END_OF_DAY, len(_TAIL_STATUSES))
    for offset, (when, status) in enumerate(zip(times, _TAIL_STATUSES, strict=True), 1):
        planned.append(_shop_order(rng, last.id + offset, when, status, buyers, products))
    return planned


def _times_between(
    rng: random.Random, start: datetime, end: datetime, count: int
) -> list[datetime]:
    seconds = max(int((end - start).total_seconds()), count + 1)
    return [start + timedelta(seconds=s) for s in sorted(rng.sample(range(1, seconds), count))]


def _shop_order(
    rng: random.Random,
    order_id: int,
    when: datetime,
    status: str,
    buyers: list[Buyer],
    products: list[Json],
) -> PlannedOrder:
    buyer = _shop_only_buyer(rng, buyers)
    rate = RATES[buyer.currency]
    lines = []
    for product in rng.sample(products, rng.choice((1, 1, 2, 3))):
        quantity = rng.choice((1, 1, 1, 2, 3))
        price = round(float(product["price"]) * rate, 2)
        subtotal = round(price * quantity, 2)
        tax = round(subtotal * TAX_RATES[buyer.currency], 2)
        lines.append(
            {
                "id": 0,
                "name": product["name"],
                "product_id": product["id"],
                "variation_id": 0,
                "quantity": quantity,
                "tax_class": "",
                "subtotal": money(subtotal),
                "subtotal_tax": money(tax),
                "total": money(subtotal),
                "total_tax": money(tax),
                "taxes": [],
                "meta_data": [],
                "sku": product["sku"],
                "price": price,
            }
        )
    untaxed = round(sum(float(line["total"]) for line in lines), 2)
    tax = round(sum(float(line["total_tax"]) for line in lines), 2)
    payment = ("bacs", "Direct bank transfer") if status == "on-hold" else _PAYMENTS.pick(rng)
    return PlannedOrder(
        order_id, when, buyer, status, buyer.currency, round(untaxed + tax, 2), tax, lines, payment
    )


def _shop_only_buyer(rng: random.Random, buyers: list[Buyer]) -> Buyer:
    draw = rng.random()
    if draw < 0.75:
        return rng.choice([b for b in buyers if b.has_account])
    if draw < 0.87:
        return rng.choice([b for b in buyers if not b.has_account and b.email])
    country = rng.choice(("BE", "DE", "FR", "NL", "GB"))
    first, last = rng.choice(FIRST_NAMES[country]), rng.choice(LAST_NAMES[country])
    email = f"{slug(first)}.{slug(last)}@{rng.choice(CONSUMER_DOMAINS)}"
    address = consumer_address(country)
    return Buyer(
        first,
        last,
        email,
        address,
        "",
        None,
        has_account=False,
        currency="GBP" if country == "GB" else "EUR",
    )


def _settle(rng: random.Random, order: PlannedOrder) -> None:
    """The order key, and when it was paid and completed, as its status says."""
    order.key = "wc_order_" + "".join(rng.choices(string.ascii_letters + string.digits, k=13))
    if order.status in _PAID:
        order.paid = order.when + timedelta(seconds=rng.randrange(20, 180))
        if order.payment[0] != "bacs":
            order.transaction_id = "".join(
                rng.choices(string.ascii_uppercase + string.digits, k=17)
            )
    if order.status in ("completed", "refunded"):
        order.completed = min(order.when + timedelta(days=rng.randint(1, 6)), _END_OF_DAY)


def consumer_address(country: str) -> dict[str, str]:
    """A private buyer's address as WooCommerce keeps it: only the country filled in."""
    fields = ("company", "address_1", "address_2", "city", "state", "postcode")
    return {**dict.fromkeys(fields, ""), "country": country}
