"""Accounting figures the emulated Odoo computes: amounts in the company's currency and
each partner's receivable (`res.partner.credit`).

The company keeps its books in euros (product prices are in euros); an order or invoice
in another currency converts at the fixed rates the seed prices with.
"""

from __future__ import annotations

from collections.abc import Iterable

from erp_backends.emulation.world.data import RATES
from erp_backends.odoo.emulator.db import Database

COMPANY_CURRENCY = "EUR"


def company_currency_id(db: Database) -> int:
    currencies = db.table("res.currency").records
    return next(i for i, c in currencies.items() if c["name"] == COMPANY_CURRENCY)


def rate_of(db: Database, currency_id: int | None) -> float:
    """Units of `currency_id` one euro buys (Odoo's `currency_rate` of an order)."""
    if currency_id is None:
        return 1.0
    return RATES.get(db.table("res.currency").records[currency_id]["name"], 1.0)


def refresh_credit(db: Database, partner_ids: Iterable[int] | None = None) -> None:
    """Recompute `credit`: what posted customer invoices still leave to pay, in euros,
    per commercial partner (its contacts and addresses owe nothing themselves)."""
    partners = db.table("res.partner").records
    wanted = set(partners) if partner_ids is None else set(partner_ids)
    owed = dict.fromkeys(wanted, 0.0)
    for move in db.table("account.move").records.values():
        partner = move["commercial_partner_id"]
        if partner in owed and move["state"] == "posted" and move["amount_residual"]:
            sign = -1 if move["move_type"] == "out_refund" else 1
            owed[partner] += sign * move["amount_residual"] / rate_of(db, move["currency_id"])
    for partner, amount in owed.items():
        partners[partner]["credit"] = round(amount, 2)
    db.generation += 1
