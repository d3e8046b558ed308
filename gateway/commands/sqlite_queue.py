"""The command queue in a SQLite file, which the gateway processes and workers of one
host share (not over a network file system).

Durable: WAL with `synchronous=FULL`, so a command `submit` has returned survives a
crash or a power loss (submits and updates of concurrent requests commit together, each
in a savepoint of its own: `SharedConnection.write`). Exclusive: a claim reads and
leases its command in one `BEGIN IMMEDIATE` transaction, which holds the database's write
lock, so two processes never claim the same command; a UNIQUE (idempotency_scope,
idempotency_key) makes two submits of one key from two processes keep one command.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from gateway.commands import sqlite_ledger
from gateway.commands.fields import FIELD_NAMES, from_fields, micros, normalized, to_fields, utc
from gateway.commands.ledger import Reservation, Snapshot, merged
from gateway.commands.model import Command, CommandStatus, QueueUnavailable
from gateway.commands.transitions import (
    Change,
    Clock,
    StoredQueue,
    UnknownCommand,
    claimed,
    utcnow,
)
from gateway.sqlite_files import SharedConnection

__all__ = ["SqliteCommandQueue"]

T = TypeVar("T")
BUSY_TIMEOUT_S = 10.0  # how long to wait while another process holds the write lock

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS commands (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- submission order, among equal created_at
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,  -- JSON
    idempotency_scope TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    created_at TEXT NOT NULL,  -- ISO 8601, UTC
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT,
    last_error TEXT,
    result TEXT,  -- JSON
    lease_until TEXT,
    updated_at TEXT,
    created_us INTEGER NOT NULL,  -- created_at in microseconds since the epoch, for order
    -- When a claim may take the command: a QUEUED one's next attempt (0: at once), a
    -- RUNNING one's lease end; NULL for the others.
    due_us INTEGER,
    UNIQUE (idempotency_scope, idempotency_key)
);
CREATE INDEX IF NOT EXISTS commands_claimable ON commands (created_us, seq)
    WHERE status IN ('queued', 'running');
CREATE INDEX IF NOT EXISTS commands_by_status ON commands (status, created_us);
"""
    + sqlite_ledger.LEDGER_SCHEMA
)
_ALL = (*FIELD_NAMES, "created_us", "due_us")
# Built from the constant column names only; values are always bound parameters.
_INSERT = (
    f"INSERT INTO commands ({', '.join(_ALL)}) "  # noqa: S608
    f"VALUES ({', '.join(':' + c for c in _ALL)}) ON CONFLICT DO NOTHING"
)
_CHANGING = tuple(
    "status attempts next_attempt_at last_error result lease_until updated_at due_us".split()
)
_UPDATE = f"UPDATE commands SET {', '.join(f'{c} = :{c}' for c in _CHANGING)} WHERE id = :id"  # noqa: S608
_SELECT = f"SELECT {', '.join(FIELD_NAMES)} FROM commands"  # noqa: S608
_BY_ID = f"{_SELECT} WHERE id = ?"
_BY_KEY = f"{_SELECT} WHERE idempotency_scope = ? AND idempotency_key = ?"
# In created order through the partial index, stopping at the first due commands (the
# planner would rather sort every claimable command by the status index).
_NEXT_DUE = (
    f"SELECT {', '.join(FIELD_NAMES)} FROM commands INDEXED BY commands_claimable "  # noqa: S608
    "WHERE status IN ('queued', 'running') AND due_us <= ? ORDER BY created_us, seq LIMIT ?"
)
_DEAD = f"{_SELECT} WHERE status = 'dead' ORDER BY created_us, seq"
_COUNTS = "SELECT status, count(*) FROM commands GROUP BY status"


class SqliteCommandQueue(StoredQueue):
    """The command queue in the SQLite file at `path` (created with its folder)."""

    def __init__(self, path: Path | str, *, clock: Clock = utcnow) -> None:
        super().__init__(clock)
        self.path = Path(path)
        # Autocommit outside the explicit BEGIN IMMEDIATE transactions; synchronous FULL,
        # as WAL's usual NORMAL may lose the last commits on power loss.
        self._db = SharedConnection(
            self.path, schema=_SCHEMA, busy_timeout_s=BUSY_TIMEOUT_S, row_factory=sqlite3.Row
        )

    async def submit(
        self,
        command: Command,
        reservations: Sequence[Reservation] = (),
        *,
        fresh_after: datetime | None = None,
    ) -> tuple[Command, bool]:
        if command.status is not CommandStatus.QUEUED:
            raise ValueError(f"a new command is queued, not {command.status.value}")
        command = normalized(command)
        row = _row(command)
        held = merged(reservations)
        fresh_after_us = None if fresh_after is None else micros(utc(fresh_after))

        def insert(db: sqlite3.Connection) -> tuple[Command, bool]:
            # In a write transaction of its own or shared with other submits (each in a
            # savepoint): the ledger's refusal rolls back this command alone.
            if db.execute(_INSERT, row).rowcount == 1:
                sqlite_ledger.reserve(db, command.id, held, fresh_after_us)
                return command, True
            found = db.execute(_BY_KEY, (command.idempotency_scope, command.idempotency_key))
            existing = found.fetchone()
            if existing is None:  # not the key, so the id was taken: a caller's bug
                raise ValueError(f"command id {command.id!r} is already taken")
            return _command(existing), False

        return await self._write("cannot submit", insert)

    async def put_snapshots(self, snapshots: Sequence[Snapshot]) -> None:
        def put(db: sqlite3.Connection) -> None:
            sqlite_ledger.put_snapshots(db, snapshots)

        await self._write("cannot store snapshots", put)

    async def get(self, command_id: str) -> Command | None:
        row = await self._run(
            "cannot read", lambda db: db.execute(_BY_ID, (command_id,)).fetchone()
        )
        return None if row is None else _command(row)

    async def find(self, scope: str, idempotency_key: str) -> Command | None:
        def select(db: sqlite3.Connection) -> sqlite3.Row | None:
            return db.execute(_BY_KEY, (scope, idempotency_key)).fetchone()  # type: ignore[no-any-return]

        row = await self._run("cannot read", select)
        return None if row is None else _command(row)

    async def claim(self, worker_id: str, lease_s: float, now: datetime) -> Command | None:
        taken = await self.claim_many(worker_id, lease_s, now, 1)
        return taken[0] if taken else None

    async def claim_many(
        self, worker_id: str, lease_s: float, now: datetime, limit: int
    ) -> list[Command]:
        now = utc(now)

        def take(db: sqlite3.Connection) -> list[Command]:
            with db:
                # IMMEDIATE takes the write lock before reading: no other process can
                # read these commands as due until their leases are committed.
                db.execute("BEGIN IMMEDIATE")
                rows = db.execute(_NEXT_DUE, (micros(now), limit)).fetchall()
                taken = [normalized(claimed(_command(row), lease_s, now)) for row in rows]
                db.executemany(_UPDATE, [_row(command) for command in taken])
                return taken

        return await self._run("cannot claim", take)

    async def dead_letters(self) -> list[Command]:
        rows = await self._run("cannot read", lambda db: db.execute(_DEAD).fetchall())
        return [_command(row) for row in rows]

    async def counts(self) -> Mapping[CommandStatus, int]:
        rows = await self._run("cannot count", lambda db: db.execute(_COUNTS).fetchall())
        found = {CommandStatus(status): count for status, count in rows}
        return {status: found.get(status, 0) for status in CommandStatus}

    async def close(self) -> None:
        await self._db.close()

    async def _update(self, command_id: str, change: Change) -> Command:
        def update(db: sqlite3.Connection) -> Command:
            # A write of its own, rolled back alone when `change` refuses.
            row = db.execute(_BY_ID, (command_id,)).fetchone()
            if row is None:
                raise UnknownCommand(command_id)
            old = _command(row)
            command = normalized(change(old))
            db.execute(_UPDATE, _row(command))
            if command.status.is_final and not old.status.is_final:
                sqlite_ledger.release(db, command.id, micros(command.updated_at or self._clock()))
            return command

        return await self._write("cannot update", update)

    async def _run(self, failure: str, work: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return await self._db.run(work)
        except (sqlite3.Error, OSError) as exc:
            raise QueueUnavailable(f"SQLite command queue {self.path}: {failure}: {exc}") from exc

    async def _write(self, failure: str, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work` in a write transaction, committed with the writes of concurrent
        requests (`SharedConnection.write`)."""
        try:
            return await self._db.write(work)
        except (sqlite3.Error, OSError) as exc:
            raise QueueUnavailable(f"SQLite command queue {self.path}: {failure}: {exc}") from exc


def _row(command: Command) -> dict[str, str | int | None]:
    row: dict[str, str | int | None] = dict(to_fields(command))
    row["created_us"] = micros(command.created_at)
    row["due_us"] = _due_us(command)
    return row


def _due_us(command: Command) -> int | None:
    if command.status is CommandStatus.QUEUED:
        return 0 if command.next_attempt_at is None else micros(command.next_attempt_at)
    if command.status is CommandStatus.RUNNING and command.lease_until is not None:
        return micros(command.lease_until)
    return None


def _command(row: sqlite3.Row) -> Command:
    return from_fields(dict(row))
