"""Sales orders written to Odoo: one at a time, or a batch in a handful of calls.

An order is created with its reference in `client_order_ref` and confirmed
(`action_confirm`); a retry finds it by that reference. A batch does the same for many
drafts at once: one lookup of every reference, one read of the customers and one of the
products, one `create` of every missing order (Odoo's `create` takes a list of values),
one `action_confirm` of every draft, one read of the orders. Odoo runs each call in one
transaction, so when it refuses a call for one order it refuses it for all: the batch is
then split in halves until the refused order is isolated, and the others go on. A
drain of a thousand orders in batches of a hundred costs some 70 calls, not 7,000.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from erp_backends.errors import BackendDataError, BusinessRuleViolation, UserErrorCode
from erp_backends.models import Order
from erp_backends.odoo.adapter import WITH_ARCHIVED, OdooErp
from erp_backends.odoo.client import OdooClient, Row
from erp_backends.odoo.errors import OdooUserError
from erp_backends.odoo.records import OdooRecord, odoo_key
from erp_backends.odoo.reference import ModelFields
from erp_backends.odoo.writes_returns import ReturnWriter
from erp_backends.odoo.writes_support import odoo_id, odoo_message, quantity_in, uom_of
from erp_backends.writes import DraftLine, OrderDraft

NO_CANCEL_WIZARD = {"disable_cancel_warning": True}
PRODUCT_FIELDS = ["uom_id", "sale_ok", "active", "display_name"]
T = TypeVar("T")
Outcomes = dict[str, Order | BusinessRuleViolation]  # by reference


class OrderWriter:
    def __init__(
        self,
        client: OdooClient,
        reader: OdooErp,
        fields: ModelFields,
        returns: ReturnWriter,
        *,
        backend: str,
    ) -> None:
        self._client = client
        self._reader = reader
        self._fields = fields
        self._returns = returns  # makes the delivery contact of a shipping address
        self._backend = backend

    # One order -------------------------------------------------------------------------

    async def place_order(self, draft: OrderDraft) -> Order:
        found = (await self._by_reference([draft.reference])).get(draft.reference)
        if found is None:
            order_id, state = await self._create_order(draft), "draft"
        else:
            order_id, state = found["id"], found["state"]
        if state == "cancel":
            raise _cancelled_before(draft.reference, found)
        if state in ("draft", "sent"):  # new, or left unconfirmed by a crashed attempt
            try:
                await self._client.call("sale.order", "action_confirm", [order_id])
            except OdooUserError as exc:
                raise await self._undo_refused(order_id, exc) from exc
        return await self.order(order_id)

    async def _create_order(self, draft: OrderDraft) -> int:
        customer = odoo_id(draft.customer_id, UserErrorCode.CUSTOMER_NOT_FOUND, "customerId")
        if not await self._client.search_count("res.partner", [("id", "=", customer)]):
            raise _no_customer(draft)
        products = await self._products([draft])
        [order_id] = await self._client.create(
            "sale.order", [await self._values(draft, customer, products)]
        )
        return order_id

    async def order(self, key: int) -> Order:
        orders = await self._reader.get_orders([str(key)])
        if str(key) not in orders:
            raise BackendDataError(f"Odoo sale.order {key} vanished", backend=self._backend)
        return orders[str(key)]

    # A batch ---------------------------------------------------------------------------

    async def place_orders(self, drafts: Sequence[OrderDraft]) -> Outcomes:
        outcomes: Outcomes = {}
        found = await self._by_reference([draft.reference for draft in drafts])
        for reference, row in found.items():
            if row["state"] == "cancel":
                outcomes[reference] = _cancelled_before(reference, row)
        new = [draft for draft in drafts if draft.reference not in found]
        created = await self._create_split(await self._values_of(new, outcomes), outcomes)
        drafted = {
            ref: row["id"] for ref, row in found.items() if row["state"] in ("draft", "sent")
        }
        await self._confirm_split({**drafted, **created}, outcomes)
        placed = {ref: row["id"] for ref, row in found.items() if ref not in outcomes}
        placed |= {ref: order_id for ref, order_id in created.items() if ref not in outcomes}
        orders = await self._reader.get_orders([str(order_id) for order_id in placed.values()])
        for reference, order_id in placed.items():
            if str(order_id) not in orders:
                raise BackendDataError(
                    f"Odoo sale.order {order_id} vanished", backend=self._backend
                )
            outcomes[reference] = orders[str(order_id)]
        return outcomes

    async def _values_of(
        self, drafts: Sequence[OrderDraft], outcomes: Outcomes
    ) -> list[tuple[str, Row]]:
        """The create values of each draft Odoo can take; a refusal in `outcomes` for
        the others (an unknown customer, a product not for sale)."""
        customers = {
            draft.reference: key for draft in drafts if (key := odoo_key(draft.customer_id))
        }
        known = set()
        if customers:
            rows = await self._client.search_read(
                "res.partner", [("id", "in", sorted(set(customers.values())))], ["id"]
            )
            known = {row["id"] for row in rows}
        products = await self._products(drafts)
        values = []
        for draft in drafts:
            customer = customers.get(draft.reference)
            if customer is None or customer not in known:
                outcomes[draft.reference] = _no_customer(draft)
                continue
            try:
                values.append((draft.reference, await self._values(draft, customer, products)))
            except BusinessRuleViolation as refusal:
                outcomes[draft.reference] = refusal
        return values

    async def _create_split(
        self, values: list[tuple[str, Row]], outcomes: Outcomes
    ) -> dict[str, int]:
        """Create the orders; their ids by reference."""

        async def create(batch: list[tuple[str, Row]]) -> dict[str, int]:
            ids = await self._client.create("sale.order", [vals for _, vals in batch])
            return {
                reference: order_id for (reference, _), order_id in zip(batch, ids, strict=True)
            }

        async def refused(reference: str, exc: OdooUserError) -> None:
            outcomes[reference] = BusinessRuleViolation(
                UserErrorCode.ERP_REFUSED, odoo_message(exc)
            )

        return await _split(values, create, refused)

    async def _confirm_split(self, orders: Mapping[str, int], outcomes: Outcomes) -> None:
        """Confirm the drafts; cancel each one Odoo refuses, with its refusal."""

        async def confirm(batch: list[tuple[str, int]]) -> dict[str, int]:
            await self._client.call("sale.order", "action_confirm", [i for _, i in batch])
            return dict(batch)

        async def refused(reference: str, exc: OdooUserError) -> None:
            outcomes[reference] = await self._undo_refused(orders[reference], exc)

        await _split(list(orders.items()), confirm, refused)

    # What both share -------------------------------------------------------------------

    async def _by_reference(self, references: Sequence[str]) -> dict[str, Row]:
        """The order of each reference that has one: a live one before a cancelled one."""
        if not references:
            return {}
        rows = await self._client.search_read(
            "sale.order",
            [("client_order_ref", "in", list(references))],
            ["client_order_ref", "state", "name"],
            order="id",
        )
        found: dict[str, Row] = {}
        for row in rows:
            reference = row["client_order_ref"]
            if reference not in found or found[reference]["state"] == "cancel":
                found[reference] = row
        return found

    async def _products(self, drafts: Sequence[OrderDraft]) -> dict[int, OdooRecord]:
        """The products of every line of the drafts, archived ones included, in one read."""
        keys = {
            key for draft in drafts for line in draft.lines if (key := odoo_key(line.product_id))
        }
        if not keys:
            return {}
        rows = await self._client.search_read(
            "product.product", [("id", "in", sorted(keys))], PRODUCT_FIELDS, context=WITH_ARCHIVED
        )
        return {
            row["id"]: OdooRecord("product.product", row, backend=self._backend) for row in rows
        }

    async def _values(
        self, draft: OrderDraft, customer: int, products: Mapping[int, OdooRecord]
    ) -> Row:
        uom_field = await self._fields.first_of("sale.order.line", "product_uom_id", "product_uom")
        vals: dict[str, Any] = {
            "partner_id": customer,
            "client_order_ref": draft.reference,
            "order_line": _line_commands(draft.lines, uom_field, products),
        }
        if draft.note:
            vals["note"] = draft.note
        if draft.shipping_address is not None:
            vals["partner_shipping_id"] = await self._returns.shipping_partner(
                customer, draft.shipping_address
            )
        return vals

    async def _undo_refused(self, order_id: int, exc: OdooUserError) -> BusinessRuleViolation:
        """Cancel the draft whose confirmation Odoo refused; the refusal, saying so."""
        refusal = BusinessRuleViolation(UserErrorCode.ERP_REFUSED, odoo_message(exc))
        await self._client.call("sale.order", "action_cancel", [order_id], context=NO_CANCEL_WIZARD)
        return refusal.undone(f"cancelled draft order {await self._order_name(order_id)}")

    async def _order_name(self, order_id: int) -> str:
        rows = await self._client.search_read("sale.order", [("id", "=", order_id)], ["name"])
        return str(rows[0]["name"]) if rows else str(order_id)


async def _split(
    items: list[tuple[str, T]],
    call: Callable[[list[tuple[str, T]]], Awaitable[dict[str, int]]],
    refused: Callable[[str, OdooUserError], Awaitable[None]],
) -> dict[str, int]:
    """`call` on all the items; when Odoo refuses it (a UserError: the whole call is
    rolled back), on each half, until the refused item is alone and `refused` says so."""
    if not items:
        return {}
    try:
        return await call(items)
    except OdooUserError as exc:
        if len(items) == 1:
            await refused(items[0][0], exc)
            return {}
    half = len(items) // 2
    return await _split(items[:half], call, refused) | await _split(items[half:], call, refused)


def _cancelled_before(reference: str, order: Row | None) -> BusinessRuleViolation:
    name = "" if order is None else f" {order.get('name', order['id'])}"
    return BusinessRuleViolation(
        UserErrorCode.ERP_REFUSED,
        f"The order of {reference} was cancelled in Odoo before it was confirmed",
        compensated=f"draft order{name} is cancelled",
    )


def _no_customer(draft: OrderDraft) -> BusinessRuleViolation:
    return BusinessRuleViolation(
        UserErrorCode.CUSTOMER_NOT_FOUND, f"No customer {draft.customer_id}", field="customerId"
    )


def _line_commands(
    lines: Sequence[DraftLine], uom_field: str, products: Mapping[int, OdooRecord]
) -> list[Any]:
    """The order's `order_line` create commands; refused for a line Odoo cannot take."""
    if not lines:
        raise BusinessRuleViolation(UserErrorCode.NO_LINES, "An order needs lines", field="lines")
    commands = []
    for line in lines:
        key = odoo_id(line.product_id, UserErrorCode.PRODUCT_NOT_FOUND, "lines")
        product = products.get(key)
        if product is None or not product.boolean("sale_ok") or not product.boolean("active"):
            raise BusinessRuleViolation(
                UserErrorCode.PRODUCT_NOT_SELLABLE,
                f"Product {line.product_id} is not for sale",
                field="lines",
            )
        uom_id, unit = uom_of(product, "uom_id")
        quantity = in_unit(line, unit)
        commands.append([0, 0, {"product_id": key, "product_uom_qty": quantity, uom_field: uom_id}])
    return commands


def in_unit(line: DraftLine, unit: str) -> float:
    """The line's quantity in the product's unit `unit`; refused when it cannot be."""
    quantity = line.quantity
    if quantity.value <= 0:
        raise BusinessRuleViolation(
            UserErrorCode.INVALID_QUANTITY,
            f"Quantity of product {line.product_id} must be positive",
            field="lines",
        )
    return float(quantity_in(quantity, unit))
