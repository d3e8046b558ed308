"""`sale.order` written through the API: `create` (with `order_line` commands),
`action_confirm` (which reserves stock) and `action_cancel`, with Odoo's own refusals.

Prices default to the product's list price in the order's currency, taxes to the sales
tax of the customer's country, as the seed prices its orders.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from erp_backends.odoo.emulator.accounting import company_currency_id, rate_of
from erp_backends.odoo.emulator.create import Creatable, created_values, now, now_text
from erp_backends.odoo.emulator.db import UserError
from erp_backends.odoo.emulator.seed_sales import dt
from erp_backends.odoo.emulator.stock import release, reserve, uom_factor

_ORDER_VALUES = ("client_order_ref", "origin", "note", "validity_date", "user_id")


class SaleOrder(Creatable):
    PUBLIC_METHODS: ClassVar[dict[str, bool]] = {
        **Creatable.PUBLIC_METHODS,
        "action_confirm": False,
        "action_cancel": False,
    }

    def _create_one(self, vals: dict[str, Any]) -> int:
        self.required(vals, "partner_id")
        partner = self.record("res.partner", vals["partner_id"])
        account = self.record("res.partner", partner["commercial_partner_id"] or partner["id"])
        lines = created_values(vals.get("order_line"), "order_line")
        currency = self._currency(account)
        when = now()
        values = {name: vals[name] for name in _ORDER_VALUES if vals.get(name)}
        invoice_to = vals.get("partner_invoice_id") or self._address(account, "invoice")
        ship_to = vals.get("partner_shipping_id") or self._address(account, "delivery")
        order = {
            "name": f"S{len(self._table.records) + 1:05d}",
            "partner_id": partner["id"],
            "partner_invoice_id": invoice_to,
            "partner_shipping_id": ship_to,
            "date_order": dt(when),
            "validity_date": (when + timedelta(days=30)).date().isoformat(),
            "state": "draft",
            "currency_id": currency,
            "currency_rate": rate_of(self.db, currency),
            "user_id": 2,
            "locked": False,
            "invoice_status": "no",
            "invoice_count": 0,
            "create_date": dt(when),
            "write_date": dt(when),
            **values,
        }
        order_id = self.db.insert("sale.order", order)
        tax = self._tax(account)
        for sequence, line in enumerate(lines, 10):
            self._create_line(order_id, line, sequence, tax)
        self._total(order_id)
        return order_id

    def _currency(self, account: dict[str, Any]) -> int:
        country = self.db.table("res.country").records.get(account["country_id"])
        return (country or {}).get("currency_id") or company_currency_id(self.db)

    def _address(self, account: dict[str, Any], kind: str) -> int:
        children = self.db.table("res.partner").index("parent_id").get(account["id"], [])
        partners = self.db.table("res.partner").records
        return next((c for c in children if partners[c]["type"] == kind), account["id"])

    def _tax(self, account: dict[str, Any]) -> dict[str, Any] | None:
        taxes = self.db.table("account.tax").records.values()
        return next((t for t in taxes if t["country_id"] == account["country_id"]), None)

    def _create_line(
        self, order_id: int, vals: dict[str, Any], sequence: int, tax: dict[str, Any] | None
    ) -> None:
        lines = self.db.table("sale.order.line")
        for name in vals:
            if name not in lines.fields:
                raise ValueError(f"Invalid field {name!r} on model 'sale.order.line'")
        order = self.db.table("sale.order").records[order_id]
        product = self.record("product.product", vals.get("product_id"))
        uom = vals.get("product_uom_id") or product["uom_id"]
        factor = uom_factor(self.db, uom, product["uom_id"], product["display_name"])
        qty = float(vals.get("product_uom_qty", 1.0))
        default_price = product["lst_price"] * order["currency_rate"] * factor
        price = round(float(vals.get("price_unit", default_price)), 2)
        discount = float(vals.get("discount", 0.0))
        taxes = [tax["id"]] if tax else []
        subtotal = round(qty * price * (1 - discount / 100), 2)
        tax_amount = round(subtotal * tax["amount"] / 100, 2) if tax else 0.0
        line = {
            "order_id": order_id,
            "sequence": sequence,
            "product_id": product["id"],
            "name": vals.get("name") or product["display_name"],
            "product_uom_qty": qty,
            "product_uom_id": uom,
            "price_unit": price,
            "discount": discount,
            "price_subtotal": subtotal,
            "price_tax": tax_amount,
            "price_total": round(subtotal + tax_amount, 2),
            "tax_ids": taxes,
            "qty_delivered": 0.0,
            "qty_invoiced": 0.0,
            "qty_to_invoice": 0.0,
            "currency_id": order["currency_id"],
            "order_partner_id": order["partner_id"],
            "state": "draft",
            "create_date": order["create_date"],
            "write_date": order["create_date"],
        }
        lines.insert(line)

    def _total(self, order_id: int) -> None:
        lines = [self.db.table("sale.order.line").records[i] for i in self._line_ids(order_id)]
        untaxed = round(sum(line["price_subtotal"] for line in lines), 2)
        tax = round(sum(line["price_tax"] for line in lines), 2)
        totals = {
            "amount_untaxed": untaxed,
            "amount_tax": tax,
            "amount_total": round(untaxed + tax, 2),
        }
        self.db.update("sale.order", order_id, totals)

    def _line_ids(self, order_id: int) -> list[int]:
        return list(self.db.table("sale.order.line").index("order_id").get(order_id, []))

    # Business methods ------------------------------------------------------------------

    def action_confirm(self) -> bool:
        orders = [self.record("sale.order", i) for i in self.ids]
        if any(order["state"] not in ("draft", "sent") for order in orders):
            names = ", ".join(order["name"] for order in orders)
            raise UserError(
                f"The following orders are not in a state requiring confirmation: {names}"
            )
        for order in orders:
            line_ids = self._line_ids(order["id"])
            self._set_state(order["id"], "sale", to_invoice=True)
            changes = {
                "date_order": now_text(),
                "invoice_status": "to invoice" if line_ids else "no",
            }
            self.db.update("sale.order", order["id"], changes)
            reserve(self.db, order["id"], line_ids)
        return True

    def action_cancel(self) -> bool | dict[str, Any]:
        orders = [self.record("sale.order", i) for i in self.ids]
        if any(order["locked"] for order in orders):
            raise UserError("You cannot cancel a locked order. Please unlock it first.")
        for order in orders:
            self._check_cancellable(order)
        if not self.context.get("disable_cancel_warning") and any(
            order["state"] != "draft" for order in orders
        ):
            return self._cancel_wizard()
        for order in orders:
            self._cancel(order)
        return True

    def unlink(self) -> bool:
        """Only quotations and cancelled orders go, with their lines (Odoo's
        `order_id` is `ondelete="cascade"`)."""
        orders = [self.record("sale.order", i) for i in self.ids]
        if any(order["state"] not in ("draft", "cancel") for order in orders):
            raise UserError(
                "You can not delete a sent quotation or a confirmed sales order."
                " You must first cancel it."
            )
        for order in orders:
            for line_id in self._line_ids(order["id"]):
                self.db.delete("sale.order.line", line_id)
        return super().unlink()

    def _check_cancellable(self, order: dict[str, Any]) -> None:
        lines = self.db.table("sale.order.line").records
        if any(lines[i]["qty_delivered"] > 0 for i in self._line_ids(order["id"])):
            raise UserError(
                f"You cannot cancel the sales order {order['name']}: some of its products have"
                " already been delivered. Return them instead."
            )
        moves = self.db.table("account.move").records
        if any(moves[i]["state"] == "posted" for i in order["invoice_ids"]):
            raise UserError(
                f"You cannot cancel the sales order {order['name']}: it has posted invoices."
                " Reverse them with a credit note first."
            )

    def _cancel(self, order: dict[str, Any]) -> None:
        moves = self.db.table("account.move").records
        for move_id in order["invoice_ids"]:
            if moves[move_id]["state"] == "draft":
                self.db.update("account.move", move_id, {"state": "cancel"})
        if order["state"] == "sale":
            release(self.db, order["id"])
        self._set_state(order["id"], "cancel", to_invoice=False)
        self.db.update("sale.order", order["id"], {"invoice_status": "no"})

    def _set_state(self, order_id: int, state: str, *, to_invoice: bool) -> None:
        when = now_text()
        lines = self.db.table("sale.order.line").records
        for line_id in self._line_ids(order_id):
            qty = lines[line_id]["product_uom_qty"] if to_invoice else 0.0
            self.db.update("sale.order.line", line_id, {"state": state, "qty_to_invoice": qty})
        self.db.update("sale.order", order_id, {"state": state, "write_date": when})

    def _cancel_wizard(self) -> dict[str, Any]:
        if len(self.ids) != 1:
            raise ValueError(f"Expected singleton: {self!r}")
        return {
            "name": "Cancel Sales Order",
            "view_mode": "form",
            "res_model": "sale.order.cancel",
            "type": "ir.actions.act_window",
            "target": "new",
            "context": {"default_order_id": self.ids[0], "mark_so_as_canceled": True},
        }
