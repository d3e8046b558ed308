"""The emulated Odoo's quotations and sales orders with their lines, from the neutral
world's orders (`erp_backends.emulation.world.sales`).

Amounts are consistent the way Odoo keeps them: line subtotals and taxes sum to the
order totals; once invoices exist (`seed_invoices`), `close_orders` makes the order's
`invoice_status` and the lines' `qty_invoiced` follow the invoice's fate (a cancelled
or reversed invoice leaves the order to invoice).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from erp_backends.emulation.world.data import RATES
from erp_backends.emulation.world.sales import SaleLine, SaleOrder, invoiced
from erp_backends.odoo.emulator.db import Database


@dataclass(frozen=True)
class Customer:
    """A customer company as Odoo's orders need it: addresses, currency and sales tax."""

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
    payment_journals: Mapping[str, tuple[int, str]]  # payment method -> id, code


def dt(value: datetime) -> str:
    return value.isoformat(" ")  # "2026-10-31 14:05:09": the seed never draws microseconds


def insert_orders(
    db: Database,
    orders: Sequence[SaleOrder],
    customers: Mapping[int, Customer],
    units: Mapping[str, int],
) -> dict[int, list[int]]:
    """Insert the orders and their lines, oldest first, named S00001 onwards; the ids of
    each order's lines by its number (the world's numbers are the orders' ids)."""
    line_ids: dict[int, list[int]] = {}
    for order in orders:
        customer = customers[order.customer.number]
        name = f"S{order.number:05d}"
        order_id = db.insert("sale.order", _order_values(order, customer, name))
        assert order_id == order.number
        ids = line_ids[order.number] = []
        for sequence, line in enumerate(order.lines, 10):
            values = _line_values(order, line, customer, sequence, units)
            display = f"{name} - {values['name']}"
            ids.append(
                db.insert(
                    "sale.order.line", values | {"order_id": order_id, "display_name": display}
                )
            )
    return line_ids


def _order_values(order: SaleOrder, customer: Customer, name: str) -> dict[str, Any]:
    when = dt(order.when)
    return {
        "partner_id": customer.id,
        "partner_invoice_id": customer.invoice_address,
        "partner_shipping_id": customer.delivery_address,
        "date_order": when,
        "validity_date": (order.when + timedelta(days=30)).date().isoformat(),
        "state": order.state,
        "client_order_ref": order.reference,
        "origin": "Web Shop" if order.from_shop else None,
        "currency_id": customer.currency_id,
        "currency_rate": RATES[customer.currency],
        "user_id": 2,
        "locked": False,
        "invoice_status": "no",
        "invoice_count": 0,
        "create_date": when,
        "write_date": when,
        "name": name,
        "amount_untaxed": order.untaxed,
        "amount_tax": order.tax,
        "amount_total": order.total,
    }


def _line_values(
    order: SaleOrder, line: SaleLine, customer: Customer, sequence: int, units: Mapping[str, int]
) -> dict[str, Any]:
    product = line.product
    return {
        "sequence": sequence,
        "product_id": product.number,
        "name": product.display_name,
        "product_uom_qty": line.quantity,
        "product_uom_id": units[product.unit],
        "price_unit": line.price,
        "discount": line.discount,
        "price_subtotal": line.subtotal,
        "price_tax": line.tax,
        "price_total": round(line.subtotal + line.tax, 2),
        "tax_ids": [customer.tax_id] if line.taxed else [],
        "qty_delivered": line.delivered,
        "qty_invoiced": 0.0,
        "currency_id": customer.currency_id,
        "order_partner_id": customer.id,
        "state": order.state,
        "create_date": dt(order.when),
    }


def close_orders(
    db: Database,
    orders: Sequence[SaleOrder],
    line_ids: Mapping[int, list[int]],
    refunds: Mapping[int, int],
) -> None:
    """Invoice status, invoice links and invoiced quantities, once invoices exist.

    `refunds`: the id of each reversed invoice's credit note, by the invoice's id.
    """
    for order in orders:
        _close_order(db, order, line_ids[order.number], refunds)


def _close_order(
    db: Database, order: SaleOrder, line_ids: list[int], refunds: Mapping[int, int]
) -> None:
    inv, lines = order.invoice, db.table("sale.order.line").records
    counted = invoiced(order)
    status = "no" if order.state != "sale" else "invoiced" if counted else "to invoice"
    if order.upsold:
        status = "upselling"  # delivered more than was ordered and invoiced
    for line_id in line_ids:
        qty = lines[line_id]["product_uom_qty"]
        db.update(
            "sale.order.line",
            line_id,
            {
                "qty_invoiced": qty if counted else 0.0,
                "qty_to_invoice": qty if status == "to invoice" else 0.0,
            },
        )
    # The world's invoice numbers are the invoices' ids (see `seed_invoices`).
    move_ids = (
        []
        if inv is None
        else [inv.number] + ([refunds[inv.number]] if inv.number in refunds else [])
    )
    db.update(
        "sale.order",
        order.number,
        {"invoice_status": status, "invoice_ids": move_ids, "invoice_count": len(move_ids)},
    )
