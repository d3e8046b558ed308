"""The world's accounting: customer invoices for most confirmed orders, credit notes
reversing some, and customer payments (plus a few unmatched advances).

Every payment state appears at least once; invoices and payments are numbered in date
order, the way an accounting system's sequences number them.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from erp_backends.emulation.world.data import ANCHOR
from erp_backends.emulation.world.draw import Weighted
from erp_backends.emulation.world.parties import Customer
from erp_backends.emulation.world.sales import SaleOrder

# Every payment state an invoice can be in (Odoo 19's list, in its order).
PAYMENT_STATES = (
    "not_paid",
    "in_payment",
    "paid",
    "partial",
    "reversed",
    "blocked",
    "invoicing_legacy",
)
# How customers pay, and how often: by bank transfer, card or cash.
PAYMENT_METHODS = (("bank", 75), ("card", 20), ("cash", 5))
_STATES = ("paid", "partial", "not_paid", "reversed", "blocked", "in_payment")
_LONG_DUE = Weighted(*zip(_STATES, (86, 4, 4, 3, 1.5, 1.5), strict=True))
_RECENTLY_DUE = Weighted(*zip(_STATES, (30, 5, 55, 0, 2, 8), strict=True))


@dataclass
class Invoice:
    """A customer invoice: its order, dates and fate ("draft", "posted" or "cancel")."""

    order: SaleOrder
    day: date
    due: date
    state: str
    payment_state: str = "not_paid"
    paid: float = 0.0
    # The world's own number, 1 onwards in date order (Odoo's projection inserts the
    # invoices in this order, then the credit notes, so its move ids equal these).
    number: int = 0
    payments: list[Payment] = field(default_factory=list)

    @property
    def total(self) -> float:
        return self.order.total

    @property
    def reversed_on(self) -> date | None:
        """The day of the credit note that reversed it, if it was."""
        if self.payment_state != "reversed":
            return None
        return min(self.day + timedelta(days=12), ANCHOR)


@dataclass
class Payment:
    day: date
    amount: float
    invoice: Invoice | None = None
    customer: Customer | None = None  # set for advances, which pay no invoice
    number: int = 0  # the world's own, 1 onwards in date order (as Odoo's payment ids)
    method: str = ""  # in PAYMENT_METHODS
    state: str = ""  # "paid" or "in_process"

    @property
    def payer(self) -> Customer | None:
        return self.invoice.order.customer if self.invoice else self.customer


def draw_invoices(rng: random.Random, orders: Sequence[SaleOrder]) -> list[Invoice]:
    """Invoice and settle, in date order; each order learns its invoice (`order.invoice`)."""
    invoices = [inv for order in orders if (inv := _plan_invoice(rng, order)) is not None]
    _settle(rng, invoices)
    invoices.sort(key=lambda inv: (inv.day, inv.order.number))
    for number, inv in enumerate(invoices, 1):
        inv.number = number
    return invoices


def _plan_invoice(rng: random.Random, order: SaleOrder) -> Invoice | None:
    chance = 0.96 if order.age > 30 else 0.6 if order.age >= 3 else 0.0
    if order.state != "sale" or rng.random() >= chance:
        return None
    day = min(order.when.date() + timedelta(days=rng.randint(0, 6)), ANCHOR)
    due = day + timedelta(days=rng.choice((15, 30, 30, 30, 45, 60)))
    state = "posted"
    if (ANCHOR - day).days < 10 and rng.random() < 0.2:
        state = "draft"
    elif rng.random() < 0.015:
        state = "cancel"
    order.invoice = Invoice(order, day, due, state)
    return order.invoice


def _settle(rng: random.Random, invoices: list[Invoice]) -> None:
    """Give each posted invoice a payment state, covering every state there is."""
    posted = [inv for inv in invoices if inv.state == "posted"]
    for inv in posted:
        inv.payment_state = _payment_state(rng, inv)
    seen = Counter(inv.payment_state for inv in posted)
    spare = iter(inv for inv in posted if inv.payment_state == "paid")
    for state in PAYMENT_STATES:
        if not seen[state]:
            next(spare).payment_state = state
    for inv in posted:
        if inv.payment_state in ("paid", "in_payment"):
            inv.paid = inv.total
        elif inv.payment_state == "partial":
            inv.paid = round(inv.total * rng.uniform(0.2, 0.8), 2)


def _payment_state(rng: random.Random, inv: Invoice) -> str:
    if (ANCHOR - inv.day).days > 700 and rng.random() < 0.3:
        return "invoicing_legacy"
    return (_LONG_DUE if inv.due < ANCHOR - timedelta(days=15) else _RECENTLY_DUE).pick(rng)


def draw_payments(
    rng: random.Random, invoices: list[Invoice], customers: Sequence[Customer]
) -> list[Payment]:
    """The payments of the paid invoices and 15 advances, in date order."""
    planned = _plan_payments(rng, invoices, customers)
    planned.sort(key=lambda p: (p.day, p.invoice.number if p.invoice else 0))
    methods = Weighted(*PAYMENT_METHODS)
    for number, payment in enumerate(planned, 1):
        payment.number = number
        payment.method = methods.pick(rng)
        inv = payment.invoice
        payment.state = "in_process" if inv and inv.payment_state == "in_payment" else "paid"
        if inv is None:
            payment.state = rng.choice(("paid", "in_process"))
        else:
            inv.payments.append(payment)
    return planned


def _plan_payments(
    rng: random.Random, invoices: list[Invoice], customers: Sequence[Customer]
) -> list[Payment]:
    planned = []
    for inv in invoices:
        if not inv.paid:
            continue
        first = round(inv.paid / 2, 2) if inv.payment_state == "paid" and rng.random() < 0.1 else 0
        for amount in (first, round(inv.paid - first, 2)) if first else (inv.paid,):
            day = min(inv.day + timedelta(days=rng.randint(0, 40)), ANCHOR)
            planned.append(Payment(day, amount, invoice=inv))
    for customer in rng.sample(list(customers), 15):
        day = ANCHOR - timedelta(days=rng.randint(0, 120))
        planned.append(Payment(day, round(rng.uniform(200, 5000), 2), customer=customer))
    return planned
