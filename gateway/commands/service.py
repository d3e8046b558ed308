"""Accepting commands: what a mutation calls once its input is valid.

`submit` persists the command (durably, before the mutation answers) under its
idempotency key: the same key from the same principal returns the first command instead
of a second one, and the same key with another payload is refused. A new command's
reservations go into the ledger in the same step, or the command is refused with a
`Shortfall` (see gateway/commands/ledger.py); snapshots too old for it are read from
the ERP first, waiting at most `SNAPSHOT_WAIT_S` when an older one can stand in (the
read goes on and lands for the next acceptance). `settle` then waits
up to `sync_wait_ms` for a worker to finish it, so a fast ERP answers CONFIRMED in one
round trip and a slow or throttled one QUEUED.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from erp_backends.errors import BackendError
from gateway.commands.ledger import Reservation, SnapshotsStale
from gateway.commands.model import (
    Command,
    CommandKind,
    CommandQueue,
    CommandStatus,
    fingerprint_of,
)
from gateway.commands.payloads import CommandPayload
from gateway.commands.snapshots import SnapshotReader

SETTLE_POLL_S = 0.1  # how often `settle` looks at a command a worker elsewhere runs
SNAPSHOT_WAIT_S = 0.5  # how long an acceptance waits for a fresher snapshot than it has


class IdempotencyKeyReused(Exception):
    """The key was used before, by the same principal, for a different request."""

    def __init__(self, existing: Command) -> None:
        super().__init__("this idempotency key was used for a different request")
        self.existing = existing


class CommandService:
    def __init__(
        self,
        queue: CommandQueue,
        *,
        sync_wait_s: float,
        snapshots: SnapshotReader | None = None,
        snapshot_max_age_s: float = 15.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.queue = queue
        self._sync_wait_s = sync_wait_s
        self._snapshots = snapshots
        self._snapshot_max_age = timedelta(seconds=snapshot_max_age_s)
        self._clock = clock
        # The snapshot reads in flight, by item (the loop keeps only weak references).
        self._refreshing: dict[str, asyncio.Future[Any]] = {}
        self._waiters: dict[str, asyncio.Event] = {}
        # With a worker in this process, `notify` wakes waiting mutations; without one,
        # they poll the queue (a worker elsewhere cannot reach them).
        self.local_worker = False
        # That worker's doorbell: a new command is there to run (`Worker.ring`).
        self.on_submitted: Callable[[], None] | None = None

    async def earlier(
        self, kind: CommandKind, request: Mapping[str, Any], *, scope: str, key: str | None
    ) -> Command | None:
        """The command accepted before under this key, if the same request: checked before
        validating, so a retry gets the first receipt even once the first order has
        taken the stock it asked for. IdempotencyKeyReused for another request."""
        if key is None:
            return None
        existing = await self.queue.find(scope, key)
        if existing is not None and existing.fingerprint != fingerprint_of(kind, request):
            raise IdempotencyKeyReused(existing)
        return existing

    async def submit(
        self,
        payload: CommandPayload,
        *,
        request: Mapping[str, Any],
        scope: str,
        idempotency_key: str | None,
        submitted_by: str,
        reservations: Sequence[Reservation] = (),
    ) -> Command:
        """The accepted command: new, or the earlier one with the same key. `request` is
        what the client asked, which the key stands for (the payload may hold what the
        gateway derived from it at that moment, such as an amount due). A new command
        holds `reservations` until it is settled; `Shortfall` when the ledger cannot
        cover them, BackendError when no snapshot of an item could be read."""
        fingerprint = fingerprint_of(payload.kind, request)
        command = Command(
            id=uuid.uuid4().hex,
            kind=payload.kind,
            payload=payload.to_json(),
            idempotency_scope=scope,
            # Without a key from the client, every request is a command of its own.
            idempotency_key=idempotency_key or f"auto:{uuid.uuid4().hex}",
            fingerprint=fingerprint,
            submitted_by=submitted_by,
            created_at=self._clock(),
        )
        stored, created = await self._submit(command, reservations)
        if created and self.on_submitted is not None:
            self.on_submitted()
        if not created and stored.fingerprint != fingerprint:
            raise IdempotencyKeyReused(stored)
        return stored

    async def _submit(
        self, command: Command, reservations: Sequence[Reservation]
    ) -> tuple[Command, bool]:
        snapshots = self._snapshots
        if not reservations or snapshots is None:
            return await self.queue.submit(command, reservations)
        fresh_after = self._clock() - self._snapshot_max_age
        try:
            return await self.queue.submit(command, reservations, fresh_after=fresh_after)
        except SnapshotsStale as stale:
            refresh = self._refresh(snapshots, stale.items)
        # An older snapshot plus the ledger is still a safe bound: wait a little for a
        # fresher one, then go with what there is (the read lands for the next ones).
        with contextlib.suppress(TimeoutError, BackendError):
            await asyncio.wait_for(asyncio.shield(refresh), SNAPSHOT_WAIT_S)
        try:
            return await self.queue.submit(command, reservations)
        except SnapshotsStale:
            await refresh  # never read at all: the ERP's answer is needed; BackendError
            return await self.queue.submit(command, reservations)

    def _refresh(self, snapshots: SnapshotReader, items: Sequence[str]) -> asyncio.Future[Any]:
        """Read the items' snapshots and keep them; an item already being read joins
        that read."""
        loop = asyncio.get_running_loop()
        unread = [item for item in items if item not in self._refreshing]
        if unread:
            task = loop.create_task(snapshots.refresh(unread))
            for item in unread:
                self._refreshing[item] = task
            task.add_done_callback(lambda done: self._forget_refresh(unread, done))
        refresh = asyncio.gather(*{self._refreshing[item] for item in items})
        refresh.add_done_callback(_retrieve_exception)
        return refresh

    def _forget_refresh(self, items: Sequence[str], task: asyncio.Future[Any]) -> None:
        _retrieve_exception(task)
        for item in items:
            if self._refreshing.get(item) is task:
                del self._refreshing[item]

    async def settle(self, command: Command) -> Command:
        """The command once a worker has finished it, or as it stands after
        `sync_wait_ms`."""
        if _settled(command) or self._sync_wait_s <= 0:
            return command
        event = self._waiters.setdefault(command.id, asyncio.Event())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._sync_wait_s
        try:
            # Look first: a worker may have finished before the event was there to set.
            while (current := await self.queue.get(command.id)) is None or not _settled(current):
                left = deadline - loop.time()
                if left <= 0:
                    break
                wait = left if self.local_worker else min(left, SETTLE_POLL_S)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), wait)
                event.clear()
        finally:
            self._waiters.pop(command.id, None)
        return current or command

    def notify(self, command: Command) -> None:
        """Called by an in-process worker when a command is settled."""
        event = self._waiters.get(command.id)
        if event is not None:
            event.set()


def _retrieve_exception(task: asyncio.Future[Any]) -> None:
    """A refresh nobody awaits any more may fail: its callers went on without it."""
    if not task.cancelled():
        task.exception()


def _settled(command: Command) -> bool:
    """Nothing more will happen without a human: done, refused, or dead."""
    return command.status.is_final or command.status is CommandStatus.DEAD
