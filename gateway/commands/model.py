"""A command: one accepted write, from the moment the mutation persists it until the ERP
has done it (or it is given up on, in the dead-letter list).

    QUEUED ──claim──▶ RUNNING ──▶ CONFIRMED          (renew: RUNNING, lease moved on)
       ▲                 │  ├────▶ FAILED (a business refusal: final, not retried)
       │                 │  └────▶ ROLLED_BACK (refused after a first step was done in
       │                 │         the ERP, which the writer undid: final)
       └──retry later────┤
                         └──max_attempts──▶ DEAD ──replay──▶ QUEUED
                                              └──discard──▶ DISCARDED
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from gateway.commands.ledger import Reservation, Snapshot


class CommandKind(StrEnum):
    PLACE_ORDER = "place_order"
    CANCEL_ORDER = "cancel_order"
    PAY_INVOICE = "pay_invoice"
    REQUEST_RETURN = "request_return"


class CommandStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    CONFIRMED = "confirmed"
    FAILED = "failed"
    ROLLED_BACK = "rolled_back"
    DEAD = "dead"
    DISCARDED = "discarded"

    @property
    def is_final(self) -> bool:
        return self in (
            CommandStatus.CONFIRMED,
            CommandStatus.FAILED,
            CommandStatus.ROLLED_BACK,
            CommandStatus.DISCARDED,
        )


@dataclass(frozen=True, slots=True)
class Command:
    id: str  # also the reference the ERP document carries
    kind: CommandKind
    payload: Mapping[str, Any]  # JSON-safe: Decimals as strings
    # Idempotency: one command per (scope, key); scope is the principal's subject.
    idempotency_scope: str
    idempotency_key: str
    fingerprint: str  # of kind + the request: the same key with another request is refused
    submitted_by: str  # for the audit log and `dlq list`
    created_at: datetime
    status: CommandStatus = CommandStatus.QUEUED
    attempts: int = 0
    next_attempt_at: datetime | None = None  # None: as soon as a worker is free
    last_error: str | None = None
    result: Mapping[str, Any] | None = None  # e.g. {"order_id": "42", "number": "S00042"}
    lease_until: datetime | None = None  # a RUNNING command whose lease passed is reclaimed
    updated_at: datetime | None = field(default=None)

    def with_(self, **changes: Any) -> Command:
        return replace(self, **changes)


def fingerprint_of(kind: CommandKind, payload: Mapping[str, Any]) -> str:
    canonical = json.dumps({"kind": kind.value, "payload": payload}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class QueueUnavailable(Exception):
    """The queue's store cannot be reached: a mutation cannot be accepted (HTTP 503)."""


class CommandQueue(Protocol):
    """A durable queue of commands. Every method is safe to call from several gateway
    processes (and workers) at once."""

    async def submit(
        self,
        command: Command,
        reservations: Sequence[Reservation] = (),
        *,
        fresh_after: datetime | None = None,
    ) -> tuple[Command, bool]:
        """Persist the command, durably, before returning. If its (scope, key) is
        already taken, return the existing command and False instead; else the new one
        and True. A new command's `reservations` are stored with it, in one step, if
        the ledger covers them (see gateway/commands/ledger.py): else `Shortfall`, or
        `SnapshotsStale` for items without a snapshot taken after `fresh_after` (any
        snapshot will do when None), and nothing is stored."""
        ...

    async def put_snapshots(self, snapshots: Sequence[Snapshot]) -> None:
        """Keep these snapshots of the ERP for the ledger, unless newer ones are there."""
        ...

    async def get(self, command_id: str) -> Command | None: ...

    async def find(self, scope: str, idempotency_key: str) -> Command | None:
        """The command submitted under this (scope, key), if any."""
        ...

    async def claim(self, worker_id: str, lease_s: float, now: datetime) -> Command | None:
        """The next due command, now RUNNING and leased to this worker until
        now + lease_s: a QUEUED one whose next_attempt_at has come, or a RUNNING one
        whose lease has passed (its worker died). None when nothing is due. attempts is
        incremented on claim."""
        ...

    async def claim_many(
        self, worker_id: str, lease_s: float, now: datetime, limit: int
    ) -> list[Command]:
        """Up to `limit` due commands, each as `claim` takes it, oldest first."""
        ...

    async def confirm(self, command_id: str, result: Mapping[str, Any]) -> Command: ...

    async def fail(self, command_id: str, error: str, result: Mapping[str, Any]) -> Command:
        """A final business refusal (FAILED), with the user error in `result`."""
        ...

    async def roll_back(self, command_id: str, error: str, result: Mapping[str, Any]) -> Command:
        """A final business refusal after part of the command was done in the ERP and
        undone again (ROLLED_BACK), with the user error and what was undone in `result`."""
        ...

    async def renew(
        self, command_id: str, held_until: datetime, lease_s: float, now: datetime
    ) -> Command:
        """Extend the lease of a RUNNING command to now + lease_s, while its worker
        works on it. `held_until` is the lease end the worker's claim (or last renewal)
        gave it; `LeaseLost` (an `InvalidTransition`) when the command no longer has that
        lease: it was settled, or another worker claimed it after the lease passed."""
        ...

    async def retry_later(self, command_id: str, error: str, at: datetime) -> Command: ...

    async def bury(self, command_id: str, error: str) -> Command:
        """Into the dead-letter list (DEAD)."""
        ...

    async def dead_letters(self) -> list[Command]: ...

    async def replay(self, command_id: str) -> Command:
        """DEAD -> QUEUED, attempts reset; KeyError-like `UnknownCommand` otherwise."""
        ...

    async def discard(self, command_id: str) -> Command: ...

    async def counts(self) -> Mapping[CommandStatus, int]: ...

    async def close(self) -> None: ...
