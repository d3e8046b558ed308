"""Writes around deliveries: returns of delivered goods (an incoming `stock.picking`
whose `origin` is the command's reference, created and then confirmed, as Odoo's return
wizard does; cancelled again when Odoo refuses to confirm it) and the delivery address
of a new order (an existing address of the customer, or a new delivery contact under
it)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from erp_backends.errors import BackendDataError, BusinessRuleViolation, UserErrorCode
from erp_backends.models import Address, Quantity
from erp_backends.normalize import NormalizationError
from erp_backends.normalize.units import convert
from erp_backends.odoo.client import Domain, OdooClient
from erp_backends.odoo.errors import OdooUserError
from erp_backends.odoo.records import OdooRecord
from erp_backends.odoo.reference import ModelFields
from erp_backends.odoo.writes_support import odoo_id, odoo_message, uom_of
from erp_backends.writes import DraftLine, ReturnDraft, ReturnReceipt

RETURNS: Domain = [("picking_type_code", "=", "incoming")]


class ReturnWriter:
    def __init__(self, client: OdooClient, fields: ModelFields, *, backend: str) -> None:
        self._client = client
        self._fields = fields
        self._backend = backend
        self._receipt_type: int | None = None

    async def request_return(self, draft: ReturnDraft) -> ReturnReceipt:
        found = await self._return_by_reference(draft.reference)
        if found is None:
            await self._create_return(draft)
            found = await self._return_by_reference(draft.reference)
            if found is None:
                raise BackendDataError(
                    f"Odoo has no return {draft.reference} after creating it",
                    backend=self._backend,
                )
        receipt, state = found
        if state == "cancel":
            raise BusinessRuleViolation(
                UserErrorCode.ERP_REFUSED,
                f"The return of {draft.reference} was cancelled in Odoo before it was confirmed",
                compensated=f"return {receipt.number} is cancelled",
            )
        if state == "draft":  # new, or left unconfirmed by a crashed attempt
            await self._confirm_or_cancel(receipt)
        return receipt

    async def _confirm_or_cancel(self, receipt: ReturnReceipt) -> None:
        """Confirm the return's transfer; if Odoo refuses, cancel it and raise that."""
        picking = [int(receipt.id)]
        try:
            await self._client.call("stock.picking", "action_confirm", picking)
        except OdooUserError as exc:
            refusal = BusinessRuleViolation(UserErrorCode.ERP_REFUSED, odoo_message(exc))
            await self._client.call("stock.picking", "action_cancel", picking)
            raise refusal.undone(f"cancelled return {receipt.number}") from exc

    async def _create_return(self, draft: ReturnDraft) -> None:
        key = odoo_id(draft.order_id, UserErrorCode.ORDER_NOT_FOUND, "orderId")
        rows = await self._client.search_read(
            "sale.order", [("id", "=", key)], ["name", "partner_id", "partner_shipping_id"]
        )
        if not rows:
            raise BusinessRuleViolation(
                UserErrorCode.ORDER_NOT_FOUND, f"No order {draft.order_id}", field="orderId"
            )
        order = OdooRecord("sale.order", rows[0], backend=self._backend)
        delivered = await self._delivered(key)
        if not delivered:
            raise BusinessRuleViolation(
                UserErrorCode.ORDER_NOT_RETURNABLE,
                f"Nothing of order {order.text('name')} was delivered",
            )
        moves = await self._moves(draft.lines, delivered)
        vals: dict[str, Any] = {
            "picking_type_id": await self._receipts(),
            "origin": draft.reference,
            "partner_id": order.many2one_id("partner_shipping_id")
            or order.required_many2one("partner_id")[0],
            "sale_id": key,
            "move_ids": moves,
        }
        if draft.reason:
            vals["note"] = draft.reason
        try:
            await self._client.create("stock.picking", [vals])
        except OdooUserError as exc:
            raise BusinessRuleViolation(
                UserErrorCode.ORDER_NOT_RETURNABLE, odoo_message(exc)
            ) from exc

    async def _return_by_reference(self, reference: str) -> tuple[ReturnReceipt, str] | None:
        """The return with this reference and its state; a live one before a cancelled."""
        rows = await self._client.search_read(
            "stock.picking",
            [("origin", "=", reference), *RETURNS],
            ["name", "sale_id", "state"],
            order="id",
        )
        live = [row for row in rows if row["state"] != "cancel"] or rows
        if not live:
            return None
        rec = OdooRecord("stock.picking", live[0], backend=self._backend)
        order = rec.many2one_id("sale_id")
        receipt = ReturnReceipt(str(rec.id), rec.text("name"), "" if order is None else str(order))
        return receipt, rec.text("state")

    async def _delivered(self, order_id: int) -> dict[int, tuple[Decimal, int, str]]:
        """Per product: the quantity delivered, and the unit's id and Rec 20 code."""
        uom = await self._fields.first_of("sale.order.line", "product_uom_id", "product_uom")
        rows = await self._client.search_read(
            "sale.order.line",
            [("order_id", "=", order_id), ("display_type", "=", False)],
            ["product_id", "qty_delivered", uom],
        )
        delivered: dict[int, tuple[Decimal, int, str]] = {}
        for row in rows:
            line = OdooRecord("sale.order.line", row, backend=self._backend)
            product, qty = line.many2one_id("product_id"), line.number("qty_delivered")
            if product is None or qty <= 0:
                continue
            uom_id, code = uom_of(line, uom)
            before = delivered.get(product, (Decimal(0), uom_id, ""))[0]
            delivered[product] = (before + qty, uom_id, code)
        return delivered

    async def _moves(
        self, lines: tuple[DraftLine, ...], delivered: dict[int, tuple[Decimal, int, str]]
    ) -> list[Any]:
        uom = await self._fields.first_of("stock.move", "product_uom_id", "product_uom")
        wanted: dict[int, Decimal] = {}
        for line in lines:
            product = odoo_id(line.product_id, UserErrorCode.ORDER_NOT_RETURNABLE, "lines")
            unit = delivered[product][2] if product in delivered else line.quantity.unit
            wanted[product] = wanted.get(product, Decimal(0)) + _in_unit(line.quantity, unit)
        if not lines:
            wanted = {product: qty for product, (qty, _uom, _code) in delivered.items()}
        moves = []
        for product, qty in wanted.items():
            sent = delivered.get(product, (Decimal(0), 0, ""))
            if qty <= 0 or qty > sent[0]:
                raise BusinessRuleViolation(
                    UserErrorCode.ORDER_NOT_RETURNABLE,
                    f"Product {product}: {qty} to return, {sent[0]} delivered",
                    field="lines",
                )
            moves.append(
                [0, 0, {"product_id": product, "product_uom_qty": float(qty), uom: sent[1]}]
            )
        return moves

    async def _receipts(self) -> int:
        """The receipt operation type returns come in by (the first warehouse's)."""
        if self._receipt_type is None:
            rows = await self._client.search_read(
                "stock.picking.type",
                [("code", "=", "incoming")],
                ["id"],
                order="sequence, id",
                limit=1,
            )
            if not rows:
                raise BackendDataError("Odoo has no receipt operation type", backend=self._backend)
            self._receipt_type = int(rows[0]["id"])
        return self._receipt_type

    # Delivery addresses ----------------------------------------------------------------

    async def shipping_partner(self, customer: int, address: Address) -> int:
        """The customer's contact at `address`, created as a delivery address if new."""
        country, state = await self._country_and_state(address)
        fields: dict[str, Any] = {
            "street": address.street,
            "street2": address.street2,
            "zip": address.postal_code,
            "city": address.city,
        }
        domain: Domain = [
            ("commercial_partner_id", "=", customer),
            ("country_id", "=", country or False),
        ]
        domain += [(name, "=", value or False) for name, value in fields.items()]
        rows = await self._client.search_read("res.partner", domain, ["id"], order="id", limit=1)
        if rows:
            return int(rows[0]["id"])
        vals = {name: value for name, value in fields.items() if value}
        vals |= {
            "parent_id": customer,
            "type": "delivery",
            "name": address.name or False,
            "country_id": country or False,
            "state_id": state or False,
        }
        [partner] = await self._client.create("res.partner", [vals])
        return partner

    async def _country_and_state(self, address: Address) -> tuple[int | None, int | None]:
        if address.country_code is None:
            return None, None
        rows = await self._client.search_read(
            "res.country", [("code", "=", address.country_code)], ["id"], limit=1
        )
        if not rows:
            raise BusinessRuleViolation(
                UserErrorCode.UNKNOWN_COUNTRY,
                f"Unknown country {address.country_code}",
                field="shippingAddress",
            )
        country, state = int(rows[0]["id"]), None
        if address.region:
            local = address.region.split("-", 1)[-1]
            states = await self._client.search_read(
                "res.country.state",
                [("country_id", "=", country), ("code", "=", local)],
                ["id"],
                limit=1,
            )
            state = int(states[0]["id"]) if states else None
        return country, state


def _in_unit(quantity: Quantity, unit: str) -> Decimal:
    if quantity.unit == unit:
        return quantity.value
    try:
        return convert(quantity, unit).value
    except NormalizationError as exc:
        raise BusinessRuleViolation(
            UserErrorCode.UNIT_NOT_CONVERTIBLE, str(exc), field="lines"
        ) from exc
