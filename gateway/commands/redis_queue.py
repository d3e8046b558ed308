"""The command queue in Redis, shared by every gateway process and worker on every host.

    <prefix>:command:<id>              hash: the command's fields, and `entry`, the id of
                                       its stream entry while one is pending
    <prefix>:command-key:<sha256>      the command id that holds an idempotency key
    <prefix>:commands:stream           stream of new (and replayed) commands, read by the
                                       consumer group `workers`, one consumer per worker
    <prefix>:commands:due              sorted set: RUNNING commands by lease end, retries
                                       by next attempt (microseconds since the epoch)
    <prefix>:commands:dead             sorted set: the dead letters, by created_at
    <prefix>:commands:counts           hash: how many commands are in each status
    <prefix>:ledger:item:<item>        hash: command id -> millionths it holds of the item,
                                       "<micros>:<released_us>" once released
    <prefix>:ledger:command:<id>       hash: item -> millionths, what the command holds
    <prefix>:ledger:snapshots          hash: item -> "<micros or empty>,<taken_us>"

A submit (with the command's reservations, see `gateway.commands.ledger`) and a claim
are Lua scripts (`redis_scripts`), so each is atomic: a claimed
command is leased (RUNNING, in `due` by its lease end) in the same step that takes it,
and a worker that dies after a claim leaves it there for the next claim after its lease.
The lease is the hash's `lease_until` against the caller's `now`, which `due` indexes;
Redis's own idle time of a pending entry (XAUTOCLAIM) would ignore that `now`. The
other moves read the hash, change it (`transitions`) and write it back under WATCH.

Durable as far as Redis is: a command `submit` has returned survives a Redis restart
only with `appendonly yes`, and survives a crash of its host only with
`appendfsync always` (`everysec` may lose the last second).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError, WatchError
from redis.typing import EncodableT, FieldT

from gateway.auth.audit import display_url
from gateway.commands.fields import from_fields, iso, micros, normalized, to_fields, utc
from gateway.commands.ledger import (
    CLOCK_SKEW,
    Reservation,
    Shortfall,
    Snapshot,
    SnapshotsStale,
    from_micros,
    merged,
)
from gateway.commands.model import Command, CommandStatus, QueueUnavailable
from gateway.commands.redis_scripts import CLAIM, PUT_SNAPSHOTS, SUBMIT
from gateway.commands.transitions import Change, Clock, StoredQueue, UnknownCommand, utcnow

__all__ = ["RedisCommandQueue"]

GROUP = "workers"
SKEW_US = int(CLOCK_SKEW.total_seconds() * 1_000_000)


class RedisCommandQueue(StoredQueue):
    """The command queue in the Redis at `url`, its keys under `prefix`."""

    def __init__(self, url: str, prefix: str = "erp-gateway", *, clock: Clock = utcnow) -> None:
        super().__init__(clock)
        self._where = display_url(url)
        self._redis: Redis = Redis.from_url(
            url, decode_responses=True, socket_connect_timeout=2.0, socket_timeout=5.0
        )
        self._command_prefix = f"{prefix}:command:"
        self._key_prefix = f"{prefix}:command-key:"
        self._stream = f"{prefix}:commands:stream"
        self._due = f"{prefix}:commands:due"
        self._dead = f"{prefix}:commands:dead"
        self._counts = f"{prefix}:commands:counts"
        self._ledger = f"{prefix}:ledger:"
        self._submit = self._redis.register_script(SUBMIT)
        self._claim = self._redis.register_script(CLAIM)
        self._put_snapshots = self._redis.register_script(PUT_SNAPSHOTS)

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
        held = merged(reservations)
        claims = [value for r in held for value in (r.item, r.micros)]
        fresh = "" if fresh_after is None else str(micros(utc(fresh_after)))
        fields = [item for pair in _present(to_fields(command)).items() for item in pair]
        due = "" if command.next_attempt_at is None else str(micros(command.next_attempt_at))
        scope, key = command.idempotency_scope, command.idempotency_key
        keys = [
            self._idempotency_key(scope, key),
            self._key(command.id),
            self._stream,
            self._due,
            self._counts,
            self._held_by(command.id),
        ]
        args: list[EncodableT] = [
            command.id,
            GROUP,
            due,
            self._command_prefix,
            self._ledger,
            fresh,
            SKEW_US,
            len(held),
            *claims,
            *fields,
        ]
        try:
            outcome, found = cast(list[Any], await self._submit(keys=keys, args=args))
        except RedisError as exc:
            raise self._unavailable("cannot submit", exc) from exc
        if outcome == 2:
            raise ValueError(f"command id {command.id!r} is already taken")
        if outcome == 3:
            raise SnapshotsStale(found)
        if outcome == 4:
            left = _pairs(found)
            raise Shortfall({item: from_micros(int(Decimal(v))) for item, v in left.items()})
        return (command, True) if outcome == 1 else (from_fields(_pairs(found)), False)

    async def put_snapshots(self, snapshots: Sequence[Snapshot]) -> None:
        args: list[EncodableT] = [self._ledger, SKEW_US]
        for snapshot in snapshots:
            amount = "" if snapshot.micros is None else str(snapshot.micros)
            args += [snapshot.item, amount, micros(snapshot.taken_at)]
        try:
            await self._put_snapshots(keys=[], args=args)
        except RedisError as exc:
            raise self._unavailable("cannot store snapshots", exc) from exc

    async def get(self, command_id: str) -> Command | None:
        try:
            fields = _strings(await self._redis.hgetall(self._key(command_id)))
        except RedisError as exc:
            raise self._unavailable("cannot read", exc) from exc
        return from_fields(fields) if fields else None

    async def find(self, scope: str, idempotency_key: str) -> Command | None:
        try:
            command_id = await self._redis.get(self._idempotency_key(scope, idempotency_key))
        except RedisError as exc:
            raise self._unavailable("cannot read", exc) from exc
        return None if command_id is None else await self.get(cast(str, command_id))

    async def claim(self, worker_id: str, lease_s: float, now: datetime) -> Command | None:
        now = utc(now)
        lease_until = now + timedelta(seconds=lease_s)
        args: list[EncodableT] = [
            GROUP,
            worker_id,
            micros(now),
            micros(lease_until),
            iso(lease_until),
            iso(now),
            self._command_prefix,
        ]
        try:
            found = await self._claim(keys=[self._stream, self._due, self._counts], args=args)
        except RedisError as exc:
            raise self._unavailable("cannot claim", exc) from exc
        return from_fields(_pairs(found)) if found else None

    async def dead_letters(self) -> list[Command]:
        try:
            ids = cast(list[str], await self._redis.zrange(self._dead, 0, -1))
            async with self._redis.pipeline(transaction=False) as pipe:
                for command_id in ids:
                    pipe.hgetall(self._key(command_id))
                found = await pipe.execute()
        except RedisError as exc:
            raise self._unavailable("cannot read", exc) from exc
        return [from_fields(_strings(fields)) for fields in found if fields]

    async def counts(self) -> Mapping[CommandStatus, int]:
        try:
            found = await self._redis.hgetall(self._counts)
        except RedisError as exc:
            raise self._unavailable("cannot count", exc) from exc
        return {status: int(found.get(status.value, 0)) for status in CommandStatus}

    async def close(self) -> None:
        await self._redis.aclose()

    async def _update(self, command_id: str, change: Change) -> Command:
        key = self._key(command_id)
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                while True:
                    # WATCH makes the write fail if a claim or another move changed the
                    # command since we read it; then read and apply again.
                    await pipe.watch(key)
                    fields = _strings(await pipe.hgetall(key))
                    if not fields:
                        raise UnknownCommand(command_id)
                    old = from_fields(fields)
                    new = normalized(change(old))
                    releasing = new.status.is_final and not old.status.is_final
                    # What it holds never changes after the submit: safe to read here.
                    held = _strings(await pipe.hgetall(self._held_by(new.id))) if releasing else {}
                    pipe.multi()  # type: ignore[no-untyped-call]
                    self._write(pipe, old, new, fields.get("entry"))
                    self._release(pipe, new, held)
                    try:
                        await pipe.execute()
                    except WatchError:
                        continue
                    return new
        except RedisError as exc:
            raise self._unavailable("cannot update", exc) from exc

    def _write(self, pipe: Pipeline, old: Command, new: Command, entry: str | None) -> None:
        """Queue the writes of a move from `old` to `new`: the hash, the counts, and the
        stream, `due` and `dead`, which must agree with the status."""
        key, values = self._key(new.id), to_fields(new)
        pipe.hset(key, mapping=cast(Mapping[FieldT, EncodableT], _present(values)))
        if cleared := [name for name, value in values.items() if value is None]:
            pipe.hdel(key, *cleared)
        if old.status is not new.status:
            pipe.hincrby(self._counts, old.status.value, -1)
            pipe.hincrby(self._counts, new.status.value, 1)
        pipe.zrem(self._due, new.id)
        pipe.zrem(self._dead, new.id)
        if new.status is CommandStatus.QUEUED and new.next_attempt_at is not None:
            # A retry keeps its pending entry: the claim that takes it XCLAIMs it.
            pipe.zadd(self._due, {new.id: micros(new.next_attempt_at)})
        elif new.status is CommandStatus.QUEUED:  # a replay: a new entry, a fresh start
            pipe.xadd(self._stream, {"id": new.id})
        elif new.status is CommandStatus.RUNNING and new.lease_until is not None:
            pipe.zadd(self._due, {new.id: micros(new.lease_until)})
        if new.status is CommandStatus.DEAD:
            pipe.zadd(self._dead, {new.id: micros(new.created_at)})
        if entry is not None and new.status not in (CommandStatus.QUEUED, CommandStatus.RUNNING):
            pipe.xack(self._stream, GROUP, entry)
            pipe.xdel(self._stream, entry)
            pipe.hdel(key, "entry")

    def _release(self, pipe: Pipeline, command: Command, held: Mapping[str, str]) -> None:
        """Mark the command's reservations released (see `gateway.commands.ledger`)."""
        if not held:
            return
        released_us = micros(command.updated_at or self._clock())
        for item, amount in held.items():
            pipe.hset(f"{self._ledger}item:{item}", command.id, f"{amount}:{released_us}")
        pipe.delete(self._held_by(command.id))

    def _key(self, command_id: str) -> str:
        return self._command_prefix + command_id

    def _held_by(self, command_id: str) -> str:
        return f"{self._ledger}command:{command_id}"

    def _idempotency_key(self, scope: str, key: str) -> str:
        # Hashed: a key of any characters, and no separator that two pairs could share.
        digest = hashlib.sha256(f"{len(scope)}:{scope}{key}".encode()).hexdigest()
        return self._key_prefix + digest

    def _unavailable(self, failure: str, exc: RedisError) -> QueueUnavailable:
        # The class name only: a Redis message could quote the command, and with it data.
        return QueueUnavailable(
            f"Redis command queue {self._where}: {failure} ({type(exc).__name__})"
        )


def _present(fields: Mapping[str, str | None]) -> dict[str, str]:
    # A Redis hash cannot hold None: an unset field is left out (and deleted).
    return {name: value for name, value in fields.items() if value is not None}


def _strings(fields: Mapping[Any, Any]) -> dict[str, str]:
    # The client decodes responses, so keys and values are already str.
    return cast(dict[str, str], fields)


def _pairs(flat: list[str]) -> dict[str, str]:
    """A hash from a script's HGETALL, which comes back as [field, value, ...]."""
    return dict(zip(flat[::2], flat[1::2], strict=True))
