"""placeOrder, reorder, cancelOrder, requestReturn: validated here, then accepted as
commands that a worker carries into the ERP (see resolvers/commands/accepting.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Self

import strawberry

from erp_backends import models
from erp_backends.errors import UserErrorCode
from erp_backends.writes import DraftLine
from gateway.auth.scopes import ORDERS_READ, ORDERS_WRITE
from gateway.commands import payloads
from resolvers.access import requires
from resolvers.commands.accepting import Outcome, accept
from resolvers.commands.types import Receipt, UserError, user_error
from resolvers.context import Info
from resolvers.node import decode_id_of
from resolvers.orders.input_checks import line_count_errors, note_errors
from resolvers.orders.placing import (
    AddressInput,
    OrderLineInput,
    PricedLine,
    ordering_customer,
    priced_lines,
    shipping_address,
)
from resolvers.orders.reserving import order_reservations, shortfall_errors
from resolvers.orders.return_reserving import (
    asked_of_everything,
    asked_of_lines,
    return_reservations,
    return_shortfall_errors,
)
from resolvers.orders.returnable import return_errors

IDEMPOTENCY_KEY = strawberry.field(
    default=None,
    description="The same key from the same caller returns the first receipt instead of "
    "writing twice; the `Idempotency-Key` header works too.",
)


@strawberry.type
class CommandPayload:
    receipt: Receipt | None = strawberry.field(description="Null when userErrors say why.")
    user_errors: list[UserError]

    @classmethod
    def of(cls, outcome: Outcome) -> Self:
        return cls(receipt=outcome.receipt, user_errors=outcome.user_errors)

    @classmethod
    def refused(cls, errors: list[UserError]) -> Self:
        return cls(receipt=None, user_errors=errors)


@strawberry.type
class PlaceOrderPayload(CommandPayload):
    pass


@strawberry.type
class ReorderPayload(CommandPayload):
    pass


@strawberry.type
class CancelOrderPayload(CommandPayload):
    pass


@strawberry.type
class RequestReturnPayload(CommandPayload):
    pass


@strawberry.input
class PlaceOrderInput:
    customer_id: strawberry.ID | None = strawberry.field(
        default=None, description="For staff and partners; a customer orders for itself."
    )
    lines: list[OrderLineInput]
    shipping_address: AddressInput | None = None
    note: str | None = None
    idempotency_key: str | None = IDEMPOTENCY_KEY


@strawberry.input
class ReorderInput:
    order_id: strawberry.ID
    lines: list[OrderLineInput] | None = strawberry.field(
        default=None,
        description="Changed quantities by SKU (0 leaves the product out); the past "
        "order's lines as they were when absent.",
    )
    idempotency_key: str | None = IDEMPOTENCY_KEY


@strawberry.input
class CancelOrderInput:
    order_id: strawberry.ID
    idempotency_key: str | None = IDEMPOTENCY_KEY


@strawberry.input
class RequestReturnInput:
    order_id: strawberry.ID
    lines: list[OrderLineInput] | None = strawberry.field(
        default=None, description="What comes back; everything delivered when absent."
    )
    reason: str | None = None
    idempotency_key: str | None = IDEMPOTENCY_KEY


@strawberry.type
class OrderMutations:
    @strawberry.mutation(
        description="Order products for a customer.", extensions=requires(ORDERS_WRITE)
    )
    async def place_order(self, info: Info, input: PlaceOrderInput) -> PlaceOrderPayload:
        # What needs no backend first: a request too big is refused before it costs.
        errors = line_count_errors(info, len(input.lines))
        address, address_errors = shipping_address(info, input.shipping_address)
        errors += address_errors + note_errors(info, input.note, "note")
        if errors:
            return PlaceOrderPayload.refused(errors)
        customer = await ordering_customer(info, input.customer_id)
        if isinstance(customer, UserError):
            return PlaceOrderPayload.refused([customer])
        lines, errors = await priced_lines(info, input.lines)
        if errors:
            return PlaceOrderPayload.refused(errors)
        outcome = await _place(
            info,
            customer,
            lines,
            input.idempotency_key,
            request=input,
            note=input.note,
            address=address,
        )
        return PlaceOrderPayload.of(outcome)

    @strawberry.mutation(
        description="Order again what a past order had, quantities optional.",
        extensions=requires(ORDERS_WRITE),
    )
    async def reorder(self, info: Info, input: ReorderInput) -> ReorderPayload:
        if too_many := line_count_errors(info, len(input.lines or ())):
            return ReorderPayload.refused(too_many)
        order = await _owned_order(info, input.order_id)
        if isinstance(order, UserError):
            return ReorderPayload.refused([order])
        lines, errors = await _reorder_lines(info, order, input.lines)
        if errors:
            return ReorderPayload.refused(errors)
        note = f"Reorder of {order.number}"
        outcome = await _place(
            info,
            order.customer_id,
            lines,
            input.idempotency_key,
            request=input,
            note=note,
            address=None,
        )
        return ReorderPayload.of(outcome)

    @strawberry.mutation(
        description="Cancel an order that is neither delivered nor invoiced.",
        extensions=requires(ORDERS_WRITE),
    )
    async def cancel_order(self, info: Info, input: CancelOrderInput) -> CancelOrderPayload:
        order = await _owned_order(info, input.order_id)
        if isinstance(order, UserError):
            return CancelOrderPayload.refused([order])
        lines = await info.context.loaders.order_lines_by_order_id.load(order.id)
        delivered = any(line.delivered.value > 0 for line in lines)
        if delivered or order.invoicing_status is models.InvoicingStatus.INVOICED:
            # Why, and the order's number, only to a caller that may read the order.
            reason = "This order cannot be cancelled any more"
            if info.context.principal.has_scope(ORDERS_READ):
                reason = f"{order.number} is already {'delivered' if delivered else 'invoiced'}"
            error = user_error(UserErrorCode.ORDER_NOT_CANCELLABLE, reason, "orderId")
            return CancelOrderPayload.refused([error])
        product_ids = sorted({line.product_id for line in lines if line.product_id})
        payload = payloads.CancelOrder(
            order_id=order.id, customer_id=order.customer_id, product_ids=tuple(product_ids)
        )
        outcome = await accept(
            info, payloads.CancelOrder, payload, request=input, input_key=input.idempotency_key
        )
        return CancelOrderPayload.of(outcome)

    @strawberry.mutation(
        description="Ask to send back what an order delivered.", extensions=requires(ORDERS_WRITE)
    )
    async def request_return(self, info: Info, input: RequestReturnInput) -> RequestReturnPayload:
        errors = line_count_errors(info, len(input.lines or ()))
        errors += note_errors(info, input.reason, "reason")
        if errors:
            return RequestReturnPayload.refused(errors)
        order = await _owned_order(info, input.order_id)
        if isinstance(order, UserError):
            return RequestReturnPayload.refused([order])
        order_lines = await info.context.loaders.order_lines_by_order_id.load(order.id)
        if not any(line.delivered.value > 0 for line in order_lines):
            # The delivery state only for a caller who may read orders.
            message = "This order cannot be returned"
            if info.context.principal.has_scope(ORDERS_READ):
                message = f"Nothing of {order.number} was delivered yet"
            error = user_error(UserErrorCode.ORDER_NOT_RETURNABLE, message, "orderId")
            return RequestReturnPayload.refused([error])
        returned: tuple[DraftLine, ...] = ()
        if input.lines:
            priced, errors = await priced_lines(info, input.lines, for_sale=False)
            may_read = info.context.principal.has_scope(ORDERS_READ)
            errors = errors or return_errors(priced, order_lines, show_figures=may_read)
            if errors:
                return RequestReturnPayload.refused(errors)
            returned = tuple(line.draft() for line in priced)
            asked = asked_of_lines(priced)
        else:
            asked = await asked_of_everything(info, order_lines)
        payload = payloads.RequestReturn(
            order_id=order.id, customer_id=order.customer_id, lines=returned, reason=input.reason
        )
        outcome = await accept(
            info,
            payloads.RequestReturn,
            payload,
            request=input,
            input_key=input.idempotency_key,
            reservations=return_reservations(order.id, asked),
            shortfall_errors=lambda short: return_shortfall_errors(info, short, order.id, asked),
        )
        return RequestReturnPayload.of(outcome)


async def _place(
    info: Info,
    customer: str,
    lines: list[PricedLine],
    key: str | None,
    *,
    request: object,
    note: str | None,
    address: models.Address | None,
) -> Outcome:
    payload = payloads.PlaceOrder(
        customer_id=customer,
        lines=tuple(line.draft() for line in lines),
        note=note,
        shipping_address=address,
    )

    return await accept(
        info,
        payloads.PlaceOrder,
        payload,
        request=request,
        input_key=key,
        reservations=order_reservations(customer, lines),
        shortfall_errors=lambda shortfall: shortfall_errors(info, shortfall, customer, lines),
    )


async def _owned_order(info: Info, order_id: strawberry.ID) -> models.Order | UserError:
    """The order, through the ownership filter: another customer's is NOT_FOUND."""
    key = decode_id_of(order_id, "Order")
    order = None if key is None else await info.context.loaders.order_by_id.load(key)
    if order is None:
        return user_error(UserErrorCode.NOT_FOUND, f"No order with id {order_id!r}", "orderId")
    return order


async def _reorder_lines(
    info: Info, order: models.Order, changes: list[OrderLineInput] | None
) -> tuple[list[PricedLine], list[UserError]]:
    """The past order's product lines, with `changes` by SKU applied: the last change of
    a SKU replaces its lines, 0 leaves it out (in one pass: `changes` may be long)."""
    past = await info.context.loaders.order_lines_by_order_id.load(order.id)
    with_product = [line for line in past if line.product_id]
    products = await info.context.loaders.product_by_id.load_many(
        [line.product_id for line in with_product if line.product_id]
    )
    wanted = [
        OrderLineInput(sku=product.sku, quantity=line.quantity.value, unit=line.quantity.unit)
        for line, product in zip(with_product, products, strict=True)
        if product is not None and product.sku
    ]
    last = {change.sku: (index, change) for index, change in enumerate(changes or ())}
    wanted = [line for line in wanted if line.sku not in last]
    latest = [change for _, change in sorted(last.values(), key=lambda item: item[0])]
    wanted += [change for change in latest if change.quantity != Decimal(0)]
    return await priced_lines(info, wanted)
