"""Seed the emulated Odoo's accounting: customer invoices for most confirmed orders,
credit notes reversing some, and customer payments (plus a few unmatched advances).

Every payment state Odoo 19 knows appears at least once; `amount_residual` follows
the payments; invoices are numbered INV/<year>/<n> and payments P<journal>/<year>/<n>
in date order, as Odoo's sequences number them.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from erp_backends.odoo.emulator.db import Database
from erp_backends.odoo.emulator.models import PAYMENT_STATES
from erp_backends.odoo.emulator.seed_sales import (
    ANCHOR,
    Customer,
    SaleOrder,
    SalesRefs,
    Weighted,
)

_STATES = ("paid", "partial", "not_paid", "reversed", "blocked", "in_payment")
_LONG_DUE = Weighted(*zip(_STATES, (86, 4, 4, 3, 1.5, 1.5), strict=True))
_RECENTLY_DUE = Weighted(*zip(_STATES, (30, 5, 55, 0, 2, 8), strict=True))


@dataclass
class Invoice:
    """A customer invoice being seeded: its order, dates and fate, then its id and name."""

    order: SaleOrder
    day: date
    due: date
    state: str
    payment_state: str = "not_paid"
    paid: float = 0.0
    id: int = 0
    name: str = "/"
    refund_id: int | None = None
    payment_ids: list[int] = field(default_factory=list)

    @property
    def total(self) -> float:
        return float(self.order.values["amount_total"])


def seed_invoices(
    db: Database,
    rng: random.Random,
    orders: Sequence[SaleOrder],
    customers: Sequence[Customer],
    refs: SalesRefs,
) -> None:
    """Invoice, reverse and pay; each order learns its invoice (`order.invoice`)."""
    invoices = [inv for order in orders if (inv := _plan_invoice(rng, order)) is not None]
    _settle(rng, invoices)
    _insert_invoices(db, invoices, refs)
    _insert_payments(db, rng, invoices, customers, refs)


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
    """Give each posted invoice a payment state, covering every state Odoo has."""
    posted = [inv for inv in invoices if inv.state == "posted"]
    for inv in posted:
        inv.payment_state = _payment_state(rng, inv)
    seen = Counter(inv.payment_state for inv in posted)
    spare = iter(inv for inv in posted if inv.payment_state == "paid")
    for state, _label in PAYMENT_STATES:
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


def _insert_invoices(db: Database, invoices: list[Invoice], refs: SalesRefs) -> None:
    invoices.sort(key=lambda inv: (inv.day, inv.order.id))
    numbers: Counter[str] = Counter()
    for inv in invoices:
        if inv.state != "draft":
            numbers[f"INV/{inv.day.year}"] += 1
            inv.name = f"INV/{inv.day.year}/{numbers[f'INV/{inv.day.year}']:05d}"
        inv.id = db.insert("account.move", _move_values(inv, refs))
        if inv.state == "draft":
            db.update("account.move", inv.id, {"display_name": f"Draft Invoice (* {inv.id})"})
    for inv in invoices:
        if inv.payment_state == "reversed":
            refund = _move_values(inv, refs) | _refund_values(inv, numbers)
            inv.refund_id = db.insert("account.move", refund)


def _move_values(inv: Invoice, refs: SalesRefs) -> dict[str, Any]:
    order = inv.order.values
    posted = inv.state == "posted"
    unpaid = inv.payment_state in ("not_paid", "blocked") or not posted
    residual = inv.total if unpaid else round(inv.total - inv.paid, 2)
    if inv.payment_state in ("reversed", "invoicing_legacy"):
        residual = 0.0
    return {
        "name": inv.name, "move_type": "out_invoice", "state": inv.state,
        "payment_state": inv.payment_state, "partner_id": order["partner_invoice_id"],
        "commercial_partner_id": order["partner_id"], "journal_id": refs.invoice_journal,
        "date": inv.day.isoformat(), "invoice_date": inv.day.isoformat(),
        "invoice_date_due": inv.due.isoformat(), "invoice_origin": order["name"],
        "ref": order["client_order_ref"],
        "payment_reference": inv.name if inv.state != "draft" else None,
        "amount_untaxed": order["amount_untaxed"], "amount_tax": order["amount_tax"],
        "amount_total": inv.total, "amount_residual": residual, "currency_id": order["currency_id"],
        "create_date": f"{inv.day.isoformat()} 09:00:00",
        "write_date": f"{inv.day.isoformat()} 09:00:00",
    }  # fmt: skip


def _refund_values(inv: Invoice, numbers: Counter[str]) -> dict[str, Any]:
    day = min(inv.day + timedelta(days=12), ANCHOR)
    numbers[f"RINV/{day.year}"] += 1
    name, iso = f"RINV/{day.year}/{numbers[f'RINV/{day.year}']:05d}", day.isoformat()
    return {
        "name": name, "move_type": "out_refund", "payment_state": "paid", "amount_residual": 0.0,
        "date": iso, "invoice_date": iso, "invoice_date_due": iso,
        "reversed_entry_id": inv.id, "ref": f"Reversal of: {inv.name}", "payment_reference": name,
        "create_date": f"{iso} 10:00:00", "write_date": f"{iso} 10:00:00",
    }  # fmt: skip


@dataclass
class _Payment:
    day: date
    amount: float
    invoice: Invoice | None = None
    customer: Customer | None = None  # set for advances, which pay no invoice


def _insert_payments(
    db: Database,
    rng: random.Random,
    invoices: list[Invoice],
    customers: Sequence[Customer],
    refs: SalesRefs,
) -> None:
    planned = _plan_payments(rng, invoices, customers)
    planned.sort(key=lambda p: (p.day, p.invoice.id if p.invoice else 0))
    numbers: Counter[str] = Counter()
    journals = Weighted(*(((i, code), weight) for i, code, weight in refs.payment_journals))
    for payment in planned:
        journal_id, code = journals.pick(rng)
        year, inv = payment.day.year, payment.invoice
        numbers[f"{code}/{year}"] += 1
        name = f"P{code}/{year}/{numbers[f'{code}/{year}']:05d}"
        state = "in_process" if inv and inv.payment_state == "in_payment" else "paid"
        if inv is None:
            state = rng.choice(("paid", "in_process"))
        payment_id = db.insert("account.payment", _payment_values(name, journal_id, state, payment))
        if inv is not None:
            inv.payment_ids.append(payment_id)
            db.update("account.move", inv.id, {"matched_payment_ids": list(inv.payment_ids)})


def _plan_payments(
    rng: random.Random, invoices: list[Invoice], customers: Sequence[Customer]
) -> list[_Payment]:
    planned = []
    for inv in invoices:
        if not inv.paid:
            continue
        first = round(inv.paid / 2, 2) if inv.payment_state == "paid" and rng.random() < 0.1 else 0
        for amount in (first, round(inv.paid - first, 2)) if first else (inv.paid,):
            day = min(inv.day + timedelta(days=rng.randint(0, 40)), ANCHOR)
            planned.append(_Payment(day, amount, invoice=inv))
    for customer in rng.sample(list(customers), 15):
        day = ANCHOR - timedelta(days=rng.randint(0, 120))
        planned.append(_Payment(day, round(rng.uniform(200, 5000), 2), customer=customer))
    return planned


def _payment_values(name: str, journal_id: int, state: str, payment: _Payment) -> dict[str, Any]:
    inv, day = payment.invoice, payment.day.isoformat()
    customer = payment.customer
    partner = inv.order.customer if inv else customer
    return {
        "name": name, "payment_type": "inbound", "partner_type": "customer",
        "partner_id": partner.id if partner else None, "amount": payment.amount,
        "currency_id": partner.currency_id if partner else None, "date": day,
        "journal_id": journal_id, "state": state,
        "memo": inv.name if inv else "Advance payment", "invoice_ids": [inv.id] if inv else [],
        "is_reconciled": inv is not None, "is_matched": state == "paid",
        "create_date": f"{day} 11:00:00", "write_date": f"{day} 11:00:00",
    }  # fmt: skip
