"""A command as flat text fields, the shape both stores keep (SQLite columns, a Redis
hash): JSON for the payload and the result, ISO 8601 in UTC for times, and None for
what is unset (a Redis hash leaves such a field out)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from gateway.commands.model import Command, CommandKind, CommandStatus

Fields = dict[str, str | None]
FIELD_NAMES = tuple(
    "id kind payload idempotency_scope idempotency_key fingerprint submitted_by created_at status"
    " attempts next_attempt_at last_error result lease_until updated_at".split()
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_fields(command: Command) -> Fields:
    return {
        "id": command.id,
        "kind": command.kind.value,
        "payload": to_json(command.payload),
        "idempotency_scope": command.idempotency_scope,
        "idempotency_key": command.idempotency_key,
        "fingerprint": command.fingerprint,
        "submitted_by": command.submitted_by,
        "created_at": iso(command.created_at),
        "status": command.status.value,
        "attempts": str(command.attempts),
        "next_attempt_at": _iso_or_none(command.next_attempt_at),
        "last_error": command.last_error,
        "result": None if command.result is None else to_json(command.result),
        "lease_until": _iso_or_none(command.lease_until),
        "updated_at": _iso_or_none(command.updated_at),
    }


def from_fields(fields: Mapping[str, Any]) -> Command:
    """The command these fields hold; fields that are not the command's are ignored."""
    result = fields.get("result")
    return Command(
        id=fields["id"],
        kind=CommandKind(fields["kind"]),
        payload=json.loads(fields["payload"]),
        idempotency_scope=fields["idempotency_scope"],
        idempotency_key=fields["idempotency_key"],
        fingerprint=fields["fingerprint"],
        submitted_by=fields["submitted_by"],
        created_at=datetime.fromisoformat(fields["created_at"]),
        status=CommandStatus(fields["status"]),
        attempts=int(fields["attempts"]),
        next_attempt_at=_datetime_or_none(fields.get("next_attempt_at")),
        last_error=fields.get("last_error"),
        result=None if result is None else json.loads(result),
        lease_until=_datetime_or_none(fields.get("lease_until")),
        updated_at=_datetime_or_none(fields.get("updated_at")),
    )


def normalized(command: Command) -> Command:
    """The command as a store gives it back (times in UTC, payload as plain JSON)."""
    return from_fields(to_fields(command))


def to_json(value: Mapping[str, Any]) -> str:
    """Strict JSON: a Decimal or a datetime is refused rather than turned into a float or
    a string the reader would not recognise (payloads carry Decimals as strings)."""
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_mapping)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"a command's payload and result must be JSON-safe: {exc}") from exc


def _mapping(value: object) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON-safe")


def utc(at: datetime) -> datetime:
    """`at` in UTC; ValueError for a naive datetime, whose instant is unknown."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got {at!r}")
    return at.astimezone(UTC)


def iso(at: datetime) -> str:
    return utc(at).isoformat(timespec="microseconds")


def micros(at: datetime) -> int:
    """Microseconds since the epoch: exact, and ordered as the instants are (it fits a
    Redis sorted-set score, a double, exactly until the year 2255)."""
    delta = utc(at) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _iso_or_none(at: datetime | None) -> str | None:
    return None if at is None else iso(at)


def _datetime_or_none(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
