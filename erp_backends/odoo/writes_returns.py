"""Writes around deliveries: returns of delivered goods (an incoming `stock.picking`
whose `origin` is the command's reference, created and then confirmed, as Odoo's return
wizard does; cancelled again when Odoo refuses to confirm it) and the delivery address
of a new order (an existing address of the customer, or a new delivery contact under
it)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from erp_backends.errors import BackendDataError, BusinessRuleViolation, UserErrorCode
from erp_backends.models import Address, Quantity
from erp_backends.normalize import NormalizationError
from erp_backends.normalize.units import convert
from erp_backends.odoo.adapter import WITH_ARCHIVED
from erp_backends.odoo.client import Domain, OdooClient
from erp_backends.odoo.errors import OdooUserError
from erp_backends.odoo.records import OdooRecord, odoo_key
from erp_backends.odoo.reference import ModelFields
from erp_backends.odoo.writes_support import odoo_id, odoo_message, quantity_in, uom_of
from erp_backends.writes import DraftLine, ReturnDraft, ReturnReceipt

RETURNS: Domain = [("picking_type_code", "=", "incoming")]


@dataclass(frozen=True, slots=True)
class Sent:
    """What an order delivered of a product: how much, in which unit (Odoo's id and the
    Rec 20 code), and by which sale lines (each line's id and quantity, in that unit)."""

    qty: Decimal
    uom_id: int
    code: str
    lines: tuple[tuple[int, Decimal], ...]


def delivered_units(delivered: Mapping[int, Mapping[int, Sent]]) -> dict[tuple[int, int], str]:
    """The unit each (order, product) was delivered in."""
    return {
        (order, product): sent.code
        for order, products in delivered.items()
        for product, sent in products.items()
    }


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
        delivered = (await self._delivered([key])).get(key, {})
        if not delivered:
            raise BusinessRuleViolation(
                UserErrorCode.ORDER_NOT_RETURNABLE,
                f"Nothing of order {order.text('name')} was delivered",
            )
        open_returns = (await self._open_returns([key], delivered_units({key: delivered}))).get(
            key, {}
        )
        moves = await self._moves(draft.lines, delivered, open_returns)
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

    async def returnable(self, order_ids: Sequence[str]) -> dict[str, dict[str, Quantity]]:
        """Per order and product: delivered (Odoo's `qty_delivered`, which validated
        returns marked `to_refund` decrease) less what open returns ask back, in the
        product's unit. Three or four calls, whatever the number of orders."""
        keys = sorted({key for i in order_ids if (key := odoo_key(i)) is not None})
        if not keys:
            return {}
        delivered = await self._delivered(keys)
        units = delivered_units(delivered)
        open_returns, product_units = await asyncio.gather(
            self._open_returns(keys, units), self._product_units({product for _, product in units})
        )
        left: dict[str, dict[str, Quantity]] = {}
        for order, products in delivered.items():
            asked = open_returns.get(order, {})
            for product, sent in products.items():
                rest = Quantity(
                    max(sent.qty - asked.get(product, Decimal(0)), Decimal(0)), sent.code
                )
                unit = product_units.get(product, sent.code)
                with contextlib.suppress(NormalizationError):  # the ERP's units disagree
                    rest = convert(rest, unit)
                left.setdefault(str(order), {})[str(product)] = rest
        return left

    async def _delivered(self, order_ids: list[int]) -> dict[int, dict[int, Sent]]:
        """Per order and product: the quantity delivered, in the unit of its first line."""
        uom = await self._fields.first_of("sale.order.line", "product_uom_id", "product_uom")
        rows = await self._client.search_read(
            "sale.order.line",
            [
                ("order_id", "in", order_ids),
                ("display_type", "=", False),
                ("qty_delivered", ">", 0),
            ],
            ["order_id", "product_id", "qty_delivered", uom],
            order="id",
        )
        delivered: dict[int, dict[int, Sent]] = {}
        for row in rows:
            line = OdooRecord("sale.order.line", row, backend=self._backend)
            product, qty = line.many2one_id("product_id"), line.number("qty_delivered")
            if product is None or qty <= 0:
                continue
            uom_id, code = uom_of(line, uom)
            order = delivered.setdefault(line.required_many2one("order_id")[0], {})
            before = order.get(product)
            if before is None:
                order[product] = Sent(qty, uom_id, code, ((line.id, qty),))
                continue
            with contextlib.suppress(NormalizationError):  # the ERP's own lines disagree
                more = convert(Quantity(qty, code), before.code).value
                lines = (*before.lines, (line.id, more))
                order[product] = Sent(before.qty + more, before.uom_id, before.code, lines)
        return delivered

    async def _open_returns(
        self, order_ids: list[int], units: Mapping[tuple[int, int], str]
    ) -> dict[int, dict[int, Decimal]]:
        """Per order and product: what its returns neither done nor cancelled ask back,
        in the unit `units` gives the (product, order)'s delivery."""
        open_state = ("state", "not in", ["done", "cancel"])
        pickings = await self._client.search_read(
            "stock.picking", [("sale_id", "in", order_ids), *RETURNS, open_state], ["sale_id"]
        )
        order_of = {int(row["id"]): int(row["sale_id"][0]) for row in pickings if row["sale_id"]}
        if not order_of:
            return {}
        uom = await self._fields.first_of("stock.move", "product_uom_id", "product_uom")
        rows = await self._client.search_read(
            "stock.move",
            [("picking_id", "in", sorted(order_of)), open_state],
            ["picking_id", "product_id", "product_uom_qty", uom],
        )
        asked: dict[int, dict[int, Decimal]] = {}
        for row in rows:
            move = OdooRecord("stock.move", row, backend=self._backend)
            order = order_of[move.required_many2one("picking_id")[0]]
            product = move.required_many2one("product_id")[0]
            qty = Quantity(move.number("product_uom_qty"), uom_of(move, uom)[1])
            unit = units.get((order, product), qty.unit)
            try:
                value = convert(qty, unit).value
            except NormalizationError:
                value = qty.value  # the ERP's units disagree: count it as it stands
            products = asked.setdefault(order, {})
            products[product] = products.get(product, Decimal(0)) + value
        return asked

    async def _product_units(self, product_ids: set[int]) -> dict[int, str]:
        """The Rec 20 code of each product's own unit (archived products too)."""
        if not product_ids:
            return {}
        rows = await self._client.search_read(
            "product.product",
            [("id", "in", sorted(product_ids))],
            ["uom_id"],
            context=WITH_ARCHIVED,
        )
        records = [OdooRecord("product.product", row, backend=self._backend) for row in rows]
        return {rec.id: uom_of(rec, "uom_id")[1] for rec in records}

    async def _moves(
        self,
        lines: tuple[DraftLine, ...],
        delivered: dict[int, Sent],
        open_returns: Mapping[int, Decimal],
    ) -> list[Any]:
        """The return's moves, each product asking back no more than was delivered less
        what open returns of the order ask (all delivered when `lines` is empty)."""
        uom = await self._fields.first_of("stock.move", "product_uom_id", "product_uom")
        wanted: dict[int, Decimal] = {}
        for line in lines:
            product = odoo_id(line.product_id, UserErrorCode.ORDER_NOT_RETURNABLE, "lines")
            unit = delivered[product].code if product in delivered else line.quantity.unit
            wanted[product] = wanted.get(product, Decimal(0)) + quantity_in(line.quantity, unit)
        if not lines:
            wanted = {product: sent.qty for product, sent in delivered.items()}
        moves = []
        for product, qty in wanted.items():
            sent = delivered.get(product, Sent(Decimal(0), 0, "", ()))
            pending = open_returns.get(product, Decimal(0))
            if qty <= 0 or qty > sent.qty - pending:
                raise BusinessRuleViolation(
                    UserErrorCode.ORDER_NOT_RETURNABLE,
                    f"Product {product}: {_figure(qty)} to return, {_figure(sent.qty)} delivered"
                    + (f", {_figure(pending)} in open returns" if pending else ""),
                    field="lines",
                )
            for line_id, part in _split(qty, sent.lines):
                # As Odoo's return wizard does: once done, the move takes what it brought
                # back off its sale line's delivered quantity.
                vals = {"product_id": product, "product_uom_qty": float(part), uom: sent.uom_id}
                vals |= {"sale_line_id": line_id, "to_refund": True}
                moves.append([0, 0, vals])
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


def _split(qty: Decimal, lines: tuple[tuple[int, Decimal], ...]) -> list[tuple[int, Decimal]]:
    """`qty` over the sale lines that delivered it, each taking at most what it delivered
    (the last one the rest)."""
    parts = []
    for n, (line_id, sent) in enumerate(lines):
        part = qty if n == len(lines) - 1 else min(qty, sent)
        if part > 0:
            parts.append((line_id, part))
        qty -= part
    return parts


def _figure(value: Decimal) -> str:
    """5, not 5.0 (what Odoo's floats become)."""
    return f"{value.normalize():f}"
