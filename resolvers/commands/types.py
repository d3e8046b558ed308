"""What every mutation answers: a receipt for the accepted command, or user errors.

`receipt.status` is CONFIRMED when the ERP did it within `sync_wait_ms`, QUEUED when it
is accepted and waiting (it will be done: the command is persisted), FAILED when the ERP
refused it for a business reason (the user errors say why), ROLLED_BACK when it refused
it after a first step was done, which was undone. `Query.command(id)` follows a QUEUED
command.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from gateway.auth.scopes import ORDERS_READ, PAYMENTS_READ
from gateway.commands.model import Command, CommandKind, CommandStatus
from resolvers.access import requires
from resolvers.commands.codes import UserErrorCode
from resolvers.context import Info

if TYPE_CHECKING:
    from resolvers.orders.types import Order
    from resolvers.payments.types import Payment

strawberry.enum(CommandKind, name="CommandKind")
strawberry.enum(CommandStatus, name="CommandStatus")


@strawberry.enum(description="Where an accepted write stands.")
class ReceiptStatus(Enum):
    CONFIRMED = "confirmed"
    QUEUED = "queued"
    FAILED = "failed"
    ROLLED_BACK = strawberry.enum_value(
        "rolled_back",
        description=(
            "The ERP refused it after a first step (e.g. created the order, then refused "
            "to confirm it); that step was undone. `userErrors` say why."
        ),
    )


@strawberry.type(description="A business rule the request broke; nothing was done.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='The path of the input at fault, e.g. ["lines", "0", "sku"].'
    )
    code: UserErrorCode
    message: str


def user_error(code: UserErrorCode, message: str, *path: str | int) -> UserError:
    return UserError(field=[str(p) for p in path] or None, code=code, message=message)


@strawberry.type(description="An accepted write.")
class Receipt:
    command_id: strawberry.ID
    status: ReceiptStatus
    command: strawberry.Private[Command]

    @strawberry.field(
        description="The order, once the ERP has it.", extensions=requires(ORDERS_READ)
    )
    async def order(
        self, info: Info
    ) -> Annotated[Order, strawberry.lazy("resolvers.orders.types")] | None:
        return await _order_of(info, self.command)

    @strawberry.field(
        description="The payment, once the ERP has it.", extensions=requires(PAYMENTS_READ)
    )
    async def payment(
        self, info: Info
    ) -> Annotated[Payment, strawberry.lazy("resolvers.payments.types")] | None:
        return await _payment_of(info, self.command)

    @strawberry.field(description="The return's number, once the ERP has it.")
    def return_number(self) -> str | None:
        return _result(self.command).get("return_number")

    @classmethod
    def of(cls, command: Command) -> Receipt:
        status = {
            CommandStatus.CONFIRMED: ReceiptStatus.CONFIRMED,
            CommandStatus.FAILED: ReceiptStatus.FAILED,
            CommandStatus.ROLLED_BACK: ReceiptStatus.ROLLED_BACK,
        }.get(command.status, ReceiptStatus.QUEUED)
        return cls(command_id=strawberry.ID(command.id), status=status, command=command)


@strawberry.type(name="Command", description="An accepted write, as it goes to the ERP.")
class CommandView:
    id: strawberry.ID
    kind: CommandKind
    status: CommandStatus
    attempts: int
    last_error: str | None = strawberry.field(description="Why the last attempt failed.")
    created_at: datetime
    updated_at: datetime | None
    command: strawberry.Private[Command]

    @strawberry.field(description="Why the ERP refused it, for a FAILED or ROLLED_BACK command.")
    def user_errors(self) -> list[UserError]:
        return failure_of(self.command)

    @strawberry.field(
        description=(
            'What the ERP had done of it and was undone again (e.g. "cancelled draft '
            'order S00042"), for a ROLLED_BACK command.'
        )
    )
    def compensation(self) -> str | None:
        compensated = _result(self.command).get("compensated")
        return compensated if isinstance(compensated, str) else None

    @strawberry.field(extensions=requires(ORDERS_READ))
    async def order(
        self, info: Info
    ) -> Annotated[Order, strawberry.lazy("resolvers.orders.types")] | None:
        return await _order_of(info, self.command)

    @strawberry.field(extensions=requires(PAYMENTS_READ))
    async def payment(
        self, info: Info
    ) -> Annotated[Payment, strawberry.lazy("resolvers.payments.types")] | None:
        return await _payment_of(info, self.command)

    @classmethod
    def of(cls, command: Command) -> CommandView:
        return cls(
            id=strawberry.ID(command.id),
            kind=command.kind,
            status=command.status,
            attempts=command.attempts,
            last_error=command.last_error,  # a code and the backend's role; no backend text
            created_at=command.created_at,
            updated_at=command.updated_at,
            command=command,
        )


REFUSED = (CommandStatus.FAILED, CommandStatus.ROLLED_BACK)


def failure_of(command: Command) -> list[UserError]:
    error = _result(command).get("user_error")
    if command.status not in REFUSED or not isinstance(error, dict):
        return []
    field = error.get("field")
    # Stored as text, maybe by another gateway version: never refused on the way out.
    code = UserErrorCode.from_stored(str(error["code"]))
    return [UserError(field=[field] if field else None, code=code, message=error["message"])]


def _result(command: Command) -> dict[str, Any]:
    return dict(command.result or {})


async def _order_of(info: Info, command: Command) -> Order | None:
    from resolvers.orders.types import load_order

    order_id = _result(command).get("order_id")
    if order_id is None:
        return None
    # The mutation may have read the order before the ERP changed it (cancelOrder).
    with contextlib.suppress(KeyError):  # not read before in this request
        info.context.loaders.order_by_id.clear(str(order_id))
    return await load_order(info, str(order_id))


async def _payment_of(info: Info, command: Command) -> Payment | None:
    from resolvers.payments.types import load_payment

    payment_id = _result(command).get("payment_id")
    return None if payment_id is None else await load_payment(info, str(payment_id))
