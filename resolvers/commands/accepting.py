"""The path every mutation takes once it has turned its input into a command payload
(one of gateway/commands/payloads.py): idempotency, then the mutation's own live checks,
then the durable queue, then a short wait for the ERP."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from erp_backends.errors import UserErrorCode
from gateway.auth.principal import Principal
from gateway.commands.ledger import Reservation, Shortfall
from gateway.commands.live import LiveReads
from gateway.commands.model import Command
from gateway.commands.payloads import CommandPayload
from gateway.commands.service import CommandService, IdempotencyKeyReused
from gateway.config import WritesSettings
from resolvers.commands.types import Receipt, UserError, failure_of, user_error
from resolvers.context import Info
from resolvers.errors import GatewayError

IDEMPOTENCY_HEADER = "idempotency-key"
MAX_KEY_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Writes:
    """What mutations need, for the app's lifetime."""

    commands: CommandService
    live: LiveReads
    settings: WritesSettings


class WritesNotConfigured(GatewayError):
    code = "BACKEND_NOT_CONFIGURED"

    def __init__(self) -> None:
        super().__init__("This gateway accepts no writes: its ERP has no write adapter")


@dataclass(frozen=True, slots=True)
class Outcome:
    receipt: Receipt | None
    user_errors: list[UserError]


P = TypeVar("P", bound=CommandPayload)
ShortfallErrors = Callable[[Shortfall], list[UserError]]
"""The user errors of a refusal by the ledger: which input asked too much."""
LiveChecks = Callable[[], Awaitable[P | list[UserError]]]
"""Checks past the cache, run only for a request not seen before: the payload to
submit, which may hold what they read (payInvoice's amount due now), or why not."""


def writes_of(info: Info) -> Writes:
    if info.context.writes is None:
        raise WritesNotConfigured()
    return info.context.writes


async def accept(
    info: Info,
    payload_type: type[P],
    payload: P | LiveChecks[P],
    *,
    request: object,
    input_key: str | None,
    reservations: Sequence[Reservation] = (),
    shortfall_errors: ShortfallErrors | None = None,
) -> Outcome:
    """Accept a command: `payload` itself, or the one its live checks give. Its type
    (`payloads.PlaceOrder`, ...) names the command's kind before the checks have built
    it. `request` is the mutation's input as the client sent it: what an idempotency
    key stands for. `reservations` are what the command holds in the ledger until the
    ERP has it; when the ledger cannot cover them, `shortfall_errors` says why."""
    writes = writes_of(info)
    principal = info.context.principal
    key = _idempotency_key(info, input_key)
    if isinstance(key, UserError):
        return Outcome(None, [key])
    scope = idempotency_scope(principal)
    asked = _plain(request)
    try:
        earlier = await writes.commands.earlier(payload_type.kind, asked, scope=scope, key=key)
        if earlier is not None:
            return _outcome(await writes.commands.settle(earlier))
        checked = await payload() if callable(payload) else payload
        if isinstance(checked, list):
            return Outcome(None, checked)
        command = await writes.commands.submit(
            checked,
            request=asked,
            scope=scope,
            idempotency_key=key,
            submitted_by=_who(principal),
            reservations=reservations,
        )
    except Shortfall as shortfall:
        if shortfall_errors is None:
            raise
        return Outcome(None, shortfall_errors(shortfall))
    except IdempotencyKeyReused:
        error = user_error(
            UserErrorCode.IDEMPOTENCY_KEY_REUSED,
            "This idempotency key was already used for a different request",
            "idempotencyKey",
        )
        return Outcome(None, [error])
    return _outcome(await writes.commands.settle(command))


def idempotency_scope(principal: Principal) -> str:
    """Keys are the principal's own: two partners may both send key "1"."""
    actor = principal.actor
    scope = f"{principal.kind.value}:{principal.subject}"
    return scope if actor is None else f"{actor.kind.value}:{actor.subject} as {scope}"


def _who(principal: Principal) -> str:
    actor = principal.actor
    return principal.subject if actor is None else f"{actor.subject} as {principal.subject}"


def _idempotency_key(info: Info, input_key: str | None) -> str | UserError | None:
    request = info.context.request
    header = None if request is None else request.headers.get(IDEMPOTENCY_HEADER)
    if input_key is not None and header is not None and input_key != header:
        return user_error(
            UserErrorCode.IDEMPOTENCY_KEY_CONFLICT,
            "The Idempotency-Key header and idempotencyKey differ",
            "idempotencyKey",
        )
    key = input_key if input_key is not None else header
    if key is not None and not (0 < len(key) <= MAX_KEY_LENGTH and key.isprintable()):
        return user_error(
            UserErrorCode.INVALID_IDEMPOTENCY_KEY,
            f"An idempotency key is 1 to {MAX_KEY_LENGTH} printable characters",
            "idempotencyKey",
        )
    return key


def _outcome(command: Command) -> Outcome:
    return Outcome(Receipt.of(command), failure_of(command))


def _plain(request: object) -> dict[str, Any]:
    """A strawberry input as plain data, without its idempotency key (the key is not
    part of what it stands for)."""
    data = dataclasses.asdict(request) if dataclasses.is_dataclass(request) else dict(request)  # type: ignore[arg-type,call-overload]
    data.pop("idempotency_key", None)
    return data
