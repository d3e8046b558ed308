"""Stock written through the API: the reservations a confirmed order makes on the quants
(released when it is cancelled), and transfers (`stock.picking`) created with their
moves, the way a return of delivered goods is opened, then confirmed (`action_confirm`)
or cancelled (`action_cancel`), and validated (`button_validate`: a done return's moves
marked `to_refund` lower their sale line's `qty_delivered`, as in Odoo).

Odoo reserves through the delivery's stock moves; the emulator, which has no delivery
transfers, keeps what each order reserved in `Database.links`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from erp_backends.odoo.emulator.create import Creatable, created_values, now_text
from erp_backends.odoo.emulator.db import Database, UserError

RESERVATIONS = "sale.order:reservations"
_COUNT_UNITS = {"Units": 1.0, "Dozens": 12.0}


def uom_factor(db: Database, uom_id: int, product_uom_id: int, product: str) -> float:
    """How many of the product's unit one `uom_id` is; Odoo's error across categories."""
    if uom_id == product_uom_id:
        return 1.0
    units = db.table("uom.uom").records
    if uom_id not in units:
        raise UserError(f"Record does not exist or has been deleted.\n(Record: uom.uom({uom_id},))")
    chosen, own = units[uom_id]["name"], units[product_uom_id]["name"]
    if chosen in _COUNT_UNITS and own in _COUNT_UNITS:
        return _COUNT_UNITS[chosen] / _COUNT_UNITS[own]
    raise UserError(
        f"The unit of measure {chosen} defined on the order line doesn't belong to the same"
        f" category as the unit of measure {own} defined on the product {product}. Please"
        " correct the unit of measure defined on the order line or on the product."
    )


def reserve(db: Database, order_id: int, line_ids: Sequence[int]) -> None:
    """Reserve what the order's lines ask of storable products, quant by quant, as far
    as the stock goes (Odoo confirms an order whatever the stock: the rest waits)."""
    lines, products = db.table("sale.order.line").records, db.table("product.product").records
    taken: list[tuple[int, float]] = []
    forecast: list[tuple[int, float]] = []
    for line_id in line_ids:
        line = lines[line_id]
        product = products.get(line["product_id"])
        if product is None or not product["is_storable"]:
            continue
        factor = uom_factor(db, line["product_uom_id"], product["uom_id"], product["name"])
        qty = line["product_uom_qty"] * factor
        reserved = _reserve_product(db, product["id"], qty, taken)
        forecast.append((product["id"], qty))
        _move_product(db, product["id"], free=-reserved, forecast=-qty)
    db.links.setdefault(RESERVATIONS, {})[order_id] = (taken, forecast)


def release(db: Database, order_id: int) -> None:
    """Give back what `reserve` took for the order."""
    taken, forecast = db.links.get(RESERVATIONS, {}).pop(order_id, ([], []))
    quants = db.table("stock.quant").records
    for quant_id, qty in taken:
        quant = quants[quant_id]
        reserved = round(quant["reserved_quantity"] - qty, 4)
        _set_reserved(db, quant_id, reserved)
        _move_product(db, quant["product_id"], free=qty, forecast=0.0)
    for product_id, qty in forecast:
        _move_product(db, product_id, free=0.0, forecast=qty)


def _reserve_product(
    db: Database, product_id: int, wanted: float, taken: list[tuple[int, float]]
) -> float:
    quants, locations = db.table("stock.quant"), db.table("stock.location").records
    total = 0.0
    for quant_id in sorted(quants.index("product_id").get(product_id, [])):
        quant = quants.records[quant_id]
        if locations[quant["location_id"]]["usage"] != "internal":
            continue
        take = min(wanted - total, max(quant["quantity"] - quant["reserved_quantity"], 0.0))
        if take > 0:
            _set_reserved(db, quant_id, quant["reserved_quantity"] + take)
            taken.append((quant_id, take))
            total += take
        if total >= wanted:
            break
    return total


def _set_reserved(db: Database, quant_id: int, reserved: float) -> None:
    quant = db.table("stock.quant").records[quant_id]
    quantities = {
        "reserved_quantity": round(reserved, 4),
        "available_quantity": round(quant["quantity"] - reserved, 4),
    }
    db.update("stock.quant", quant_id, quantities)


def _move_product(db: Database, product_id: int, *, free: float, forecast: float) -> None:
    product = db.table("product.product").records[product_id]
    quantities = {
        "free_qty": round(product["free_qty"] + free, 4),
        "virtual_available": round(product["virtual_available"] + forecast, 4),
    }
    db.update("product.product", product_id, quantities)


class StockPicking(Creatable):
    """Transfers; one linked to a sales order (`sale_id`) that receives goods is a return,
    which the emulator allows only for what the order delivered."""

    PUBLIC_METHODS: ClassVar[dict[str, bool]] = {
        **Creatable.PUBLIC_METHODS,
        "action_confirm": False,
        "action_cancel": False,
        "button_validate": False,
    }

    def action_confirm(self) -> bool:
        """Draft moves become waiting (`confirmed`), and so do their transfers."""
        pickings = [self.record("stock.picking", i) for i in self.ids]
        for picking in pickings:
            if not self._move_ids(picking["id"]):
                raise UserError("Please add some items to move.")
        for picking in pickings:
            self._set_state(picking, "confirmed", only_from=("draft",))
        return True

    def action_cancel(self) -> bool:
        """Cancel the transfers and their moves; Odoo's refusal once a move is done."""
        pickings = [self.record("stock.picking", i) for i in self.ids]
        moves = self.db.table("stock.move").records
        for picking in pickings:
            if any(moves[i]["state"] == "done" for i in self._move_ids(picking["id"])):
                raise UserError(
                    "You cannot cancel a stock move that has been set to 'Done'. Create a"
                    " return in order to reverse the moves which took place."
                )
        for picking in pickings:
            self._set_state(picking, "cancel", only_from=("draft", "waiting", "confirmed"))
        return True

    def button_validate(self) -> bool:
        """The transfers are done. A done move `to_refund` of a return takes what it
        brought back off its sale line's delivered quantity, as Odoo's sale_stock does
        (the emulator keeps no quants for transfers)."""
        pickings = [self.record("stock.picking", i) for i in self.ids]
        for picking in pickings:
            if picking["state"] in ("done", "cancel"):
                raise UserError(f"{picking['name']} is already {picking['state']}.")
        moves = self.db.table("stock.move").records
        for picking in pickings:
            self._set_state(
                picking, "done", only_from=("draft", "waiting", "confirmed", "assigned")
            )
            if picking["picking_type_code"] == "incoming":
                for move_id in self._move_ids(picking["id"]):
                    self._refund(moves[move_id])
        return True

    def _refund(self, move: dict[str, Any]) -> None:
        if not (move["to_refund"] and move["sale_line_id"]):
            return
        line = self.record("sale.order.line", move["sale_line_id"])
        product = self.record("product.product", move["product_id"])
        # From the move's unit to the line's, through the product's.
        to_product = uom_factor(self.db, move["product_uom_id"], product["uom_id"], product["name"])
        to_line = uom_factor(self.db, line["product_uom_id"], product["uom_id"], product["name"])
        returned = move["product_uom_qty"] * to_product / to_line
        delivered = round(line["qty_delivered"] - returned, 4)  # Odoo's does not stop at 0
        self.db.update("sale.order.line", line["id"], {"qty_delivered": delivered})

    def _move_ids(self, picking_id: int) -> list[int]:
        return list(self.db.table("stock.move").index("picking_id").get(picking_id, []))

    def _set_state(
        self, picking: dict[str, Any], state: str, *, only_from: tuple[str, ...]
    ) -> None:
        when = now_text()
        moves = self.db.table("stock.move").records
        for move_id in self._move_ids(picking["id"]):
            if moves[move_id]["state"] in only_from:
                self.db.update("stock.move", move_id, {"state": state, "write_date": when})
        if picking["state"] in only_from:
            self.db.update("stock.picking", picking["id"], {"state": state, "write_date": when})

    def _create_one(self, vals: dict[str, Any]) -> int:
        self.required(vals, "picking_type_id")
        kind = self.record("stock.picking.type", vals["picking_type_id"])
        moves = created_values(vals.get("move_ids"), "move_ids")
        if vals.get("sale_id") and kind["code"] == "incoming":
            self._check_returnable(self.record("sale.order", vals["sale_id"]), moves)
        customers = self._customers_location()
        source = vals.get("location_id") or kind["default_location_src_id"] or customers
        destination = vals.get("location_dest_id") or kind["default_location_dest_id"] or customers
        when = now_text()
        values = {
            "name": self._next_name(kind),
            "origin": vals.get("origin"),
            "note": vals.get("note"),
            "partner_id": vals.get("partner_id"),
            "picking_type_id": kind["id"],
            "picking_type_code": kind["code"],
            "location_id": source,
            "location_dest_id": destination,
            "state": "draft",
            "scheduled_date": vals.get("scheduled_date") or when,
            "sale_id": vals.get("sale_id"),
            "create_date": when,
            "write_date": when,
        }
        picking_id = self.db.insert("stock.picking", values)
        picking = self.db.table("stock.picking").records[picking_id]
        for move in moves:
            self._create_move(picking, move)
        return picking_id

    def _create_move(self, picking: dict[str, Any], vals: dict[str, Any]) -> None:
        moves = self.db.table("stock.move")
        for name in vals:
            if name not in moves.fields:
                raise ValueError(f"Invalid field {name!r} on model 'stock.move'")
        product = self.record("product.product", vals.get("product_id"))
        move = {
            "name": vals.get("name") or product["display_name"],
            "picking_id": picking["id"],
            "product_id": product["id"],
            "product_uom_qty": float(vals.get("product_uom_qty", 0)),
            "product_uom_id": vals.get("product_uom_id") or product["uom_id"],
            "location_id": picking["location_id"],
            "location_dest_id": picking["location_dest_id"],
            "state": "draft",
            "origin": picking["origin"],
            "sale_line_id": vals.get("sale_line_id"),
            "to_refund": bool(vals.get("to_refund")),
            "create_date": picking["create_date"],
            "write_date": picking["create_date"],
        }
        moves.insert(move)

    def _check_returnable(self, order: dict[str, Any], moves: list[dict[str, Any]]) -> None:
        lines = self.db.table("sale.order.line")
        delivered: dict[int, float] = {}
        for line_id in lines.index("order_id").get(order["id"], []):
            line = lines.records[line_id]
            if line["product_id"] and line["qty_delivered"] > 0:
                product = line["product_id"]
                delivered[product] = delivered.get(product, 0.0) + line["qty_delivered"]
        if not delivered:
            raise UserError(
                f"Nothing of {order['name']} has been delivered yet: there is nothing to return."
            )
        for move in moves:
            product, qty = move.get("product_id"), float(move.get("product_uom_qty", 0))
            sent = delivered.get(product, 0.0) if isinstance(product, int) else 0.0
            if qty > sent:
                raise UserError(
                    f"You cannot return more of product {product} than {order['name']}"
                    f" delivered ({sent:g})."
                )

    def _customers_location(self) -> int | None:
        locations = self.db.table("stock.location").records
        return next((i for i, loc in locations.items() if loc["usage"] == "customer"), None)

    def _next_name(self, kind: dict[str, Any]) -> str:
        warehouses = self.db.table("stock.warehouse").records
        code = warehouses[kind["warehouse_id"]]["code"] if kind["warehouse_id"] else "WH"
        count = len(self._table.index("picking_type_id").get(kind["id"], []))
        return f"{code}/{kind['sequence_code']}/{count + 1:05d}"
