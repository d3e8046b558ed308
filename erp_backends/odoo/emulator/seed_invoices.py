"""The emulated Odoo's accounting, from the neutral world's invoices, credit notes and
payments (`erp_backends.emulation.world.accounting`).

Invoices are numbered INV/<year>/<n>, credit notes RINV/<year>/<n> and payments
P<journal>/<year>/<n> in date order, as Odoo's sequences number them; `amount_residual`
follows the payments.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from erp_backends.emulation.world.accounting import Invoice, Payment
from erp_backends.odoo.emulator.db import Database
from erp_backends.odoo.emulator.seed_sales import Customer, SalesRefs


def insert_invoices(
    db: Database,
    invoices: Sequence[Invoice],
    payments: Sequence[Payment],
    customers: Mapping[int, Customer],
    refs: SalesRefs,
) -> dict[int, int]:
    """Invoices, then credit notes, then payments; the id of each credit note by the id of
    the invoice it reverses. The world numbers invoices and payments in the order they are
    inserted here, so its numbers are their ids."""
    names, refunds = _insert_invoices(db, invoices, customers, refs)
    _insert_payments(db, payments, customers, names, refs)
    return refunds


def _insert_invoices(
    db: Database, invoices: Sequence[Invoice], customers: Mapping[int, Customer], refs: SalesRefs
) -> tuple[dict[int, str], dict[int, int]]:
    numbers: Counter[str] = Counter()
    names: dict[int, str] = {}
    for inv in invoices:
        name = "/"
        if inv.state != "draft":
            numbers[f"INV/{inv.day.year}"] += 1
            name = f"INV/{inv.day.year}/{numbers[f'INV/{inv.day.year}']:05d}"
        names[inv.number] = name
        move_id = db.insert("account.move", _move_values(inv, name, customers, refs))
        assert move_id == inv.number
        if inv.state == "draft":
            db.update("account.move", move_id, {"display_name": f"Draft Invoice (* {move_id})"})
    refunds = {}
    for inv in invoices:
        if inv.reversed_on is not None:
            values = _move_values(inv, names[inv.number], customers, refs)
            refund = values | _refund_values(inv, inv.reversed_on, names[inv.number], numbers)
            refunds[inv.number] = db.insert("account.move", refund)
    return names, refunds


def _move_values(
    inv: Invoice, name: str, customers: Mapping[int, Customer], refs: SalesRefs
) -> dict[str, Any]:
    order, customer = inv.order, customers[inv.order.customer.number]
    posted = inv.state == "posted"
    unpaid = inv.payment_state in ("not_paid", "blocked") or not posted
    residual = inv.total if unpaid else round(inv.total - inv.paid, 2)
    if inv.payment_state in ("reversed", "invoicing_legacy"):
        residual = 0.0
    day = inv.day.isoformat()
    return {
        "name": name,
        "move_type": "out_invoice",
        "state": inv.state,
        "payment_state": inv.payment_state,
        "partner_id": customer.invoice_address,
        "commercial_partner_id": customer.id,
        "journal_id": refs.invoice_journal,
        "date": day,
        "invoice_date": day,
        "invoice_date_due": inv.due.isoformat(),
        "invoice_origin": f"S{order.number:05d}",
        "ref": order.reference,
        "payment_reference": name if inv.state != "draft" else None,
        "amount_untaxed": order.untaxed,
        "amount_tax": order.tax,
        "amount_total": inv.total,
        "amount_residual": residual,
        "currency_id": customer.currency_id,
        "create_date": f"{day} 09:00:00",
        "write_date": f"{day} 09:00:00",
    }


def _refund_values(inv: Invoice, day: date, name: str, numbers: Counter[str]) -> dict[str, Any]:
    numbers[f"RINV/{day.year}"] += 1
    refund, iso = f"RINV/{day.year}/{numbers[f'RINV/{day.year}']:05d}", day.isoformat()
    return {
        "name": refund,
        "move_type": "out_refund",
        "payment_state": "paid",
        "amount_residual": 0.0,
        "date": iso,
        "invoice_date": iso,
        "invoice_date_due": iso,
        "reversed_entry_id": inv.number,
        "ref": f"Reversal of: {name}",
        "payment_reference": refund,
        "create_date": f"{iso} 10:00:00",
        "write_date": f"{iso} 10:00:00",
    }


def _insert_payments(
    db: Database,
    payments: Sequence[Payment],
    customers: Mapping[int, Customer],
    names: Mapping[int, str],
    refs: SalesRefs,
) -> None:
    numbers: Counter[str] = Counter()
    matched: dict[int, list[int]] = {}
    for payment in payments:
        journal_id, code = refs.payment_journals[payment.method]
        year, inv = payment.day.year, payment.invoice
        numbers[f"{code}/{year}"] += 1
        name = f"P{code}/{year}/{numbers[f'{code}/{year}']:05d}"
        memo = names[inv.number] if inv else "Advance payment"
        values = _payment_values(name, journal_id, memo, payment, customers)
        payment_id = db.insert("account.payment", values)
        assert payment_id == payment.number
        if inv is not None:
            matched.setdefault(inv.number, []).append(payment_id)
            db.update(
                "account.move", inv.number, {"matched_payment_ids": list(matched[inv.number])}
            )


def _payment_values(
    name: str, journal_id: int, memo: str, payment: Payment, customers: Mapping[int, Customer]
) -> dict[str, Any]:
    inv, day = payment.invoice, payment.day.isoformat()
    payer = payment.payer
    partner = customers[payer.number] if payer else None
    return {
        "name": name,
        "payment_type": "inbound",
        "partner_type": "customer",
        "partner_id": partner.id if partner else None,
        "amount": payment.amount,
        "currency_id": partner.currency_id if partner else None,
        "date": day,
        "journal_id": journal_id,
        "state": payment.state,
        "memo": memo,
        "invoice_ids": [inv.number] if inv else [],
        "is_reconciled": inv is not None,
        "is_matched": payment.state == "paid",
        "create_date": f"{day} 11:00:00",
        "write_date": f"{day} 11:00:00",
    }
