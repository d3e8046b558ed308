"""The moves of a command's life (see `gateway.commands.model`), the same in every store,
and the errors a move that its status does not allow raises.

    KeyError
    └── UnknownCommand      no command has this id
    InvalidTransition       the command's status does not allow the move
    ├── NotReplayable       replay or discard of a command that is not DEAD
    └── LeaseLost           a renewal of a lease the worker no longer holds
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.commands.model import Command, CommandStatus

Clock = Callable[[], datetime]
Change = Callable[[Command], Command]


class UnknownCommand(KeyError):
    """No command has this id."""

    def __init__(self, command_id: str) -> None:
        super().__init__(command_id)
        self.command_id = command_id

    def __str__(self) -> str:  # KeyError's own would show only the quoted id
        return f"no command with id {self.command_id!r}"


class InvalidTransition(Exception):
    """The command's status does not allow the move (say, confirming a command that is
    not RUNNING, because another worker took it over after its lease passed and has
    already confirmed it)."""

    def __init__(self, command: Command, move: str, allowed: CommandStatus) -> None:
        super().__init__(
            f"cannot {move} command {command.id!r}: it is {command.status.value}, "
            f"not {allowed.value}"
        )
        self.command = command
        self.move = move


class NotReplayable(InvalidTransition):
    """Only a DEAD command (in the dead-letter list) can be replayed or discarded."""


class LeaseLost(InvalidTransition):
    """The worker renewing a lease no longer holds it: the command was settled, or its
    lease passed and another worker claimed it (which gave it a lease of its own)."""

    def __init__(self, command: Command, held_until: datetime) -> None:
        Exception.__init__(
            self,
            f"cannot renew the lease of command {command.id!r}: it is "
            f"{command.status.value}, leased until {command.lease_until}, not the lease "
            f"until {held_until} this worker holds",
        )
        self.command = command
        self.move = "renew"


def utcnow() -> datetime:
    return datetime.now(UTC)


def claimed(command: Command, lease_s: float, now: datetime) -> Command:
    """RUNNING, leased until now + lease_s, one more attempt (the caller checked that the
    command is due)."""
    return command.with_(
        status=CommandStatus.RUNNING,
        attempts=command.attempts + 1,
        next_attempt_at=None,
        lease_until=now + timedelta(seconds=lease_s),
        updated_at=now,
    )


def renewed(command: Command, held_until: datetime, lease_s: float, now: datetime) -> Command:
    """Still RUNNING, its lease moved to now + lease_s, if the lease is still the one the
    renewing worker holds (`held_until`, what its claim or last renewal gave it). A
    claim after the lease passed sets a later lease end, so a reclaimed command never
    matches: LeaseLost then, as when the command was settled."""
    if command.status is not CommandStatus.RUNNING or command.lease_until != held_until:
        raise LeaseLost(command, held_until)
    return command.with_(lease_until=now + timedelta(seconds=lease_s), updated_at=now)


def confirmed(command: Command, result: Mapping[str, Any], now: datetime) -> Command:
    _expect(command, "confirm", CommandStatus.RUNNING)
    return _settled(command, CommandStatus.CONFIRMED, now, result=dict(result))


def failed(command: Command, error: str, result: Mapping[str, Any], now: datetime) -> Command:
    _expect(command, "fail", CommandStatus.RUNNING)
    return _settled(command, CommandStatus.FAILED, now, last_error=error, result=dict(result))


def rolled_back(command: Command, error: str, result: Mapping[str, Any], now: datetime) -> Command:
    """ROLLED_BACK: a business refusal after the ERP had done part of the command, which
    the writer undid; `result` has the user error and what was undone."""
    _expect(command, "roll back", CommandStatus.RUNNING)
    return _settled(command, CommandStatus.ROLLED_BACK, now, last_error=error, result=dict(result))


def retried(command: Command, error: str, at: datetime, now: datetime) -> Command:
    _expect(command, "retry", CommandStatus.RUNNING)
    return _settled(command, CommandStatus.QUEUED, now, last_error=error, next_attempt_at=at)


def buried(command: Command, error: str, now: datetime) -> Command:
    _expect(command, "bury", CommandStatus.RUNNING)
    return _settled(command, CommandStatus.DEAD, now, last_error=error)


def replayed(command: Command, now: datetime) -> Command:
    """QUEUED again, as if new: attempts reset; `last_error` kept, for the record."""
    _expect(command, "replay", CommandStatus.DEAD, NotReplayable)
    return _settled(command, CommandStatus.QUEUED, now, attempts=0)


def discarded(command: Command, now: datetime) -> Command:
    _expect(command, "discard", CommandStatus.DEAD, NotReplayable)
    return _settled(command, CommandStatus.DISCARDED, now)


def _settled(command: Command, status: CommandStatus, now: datetime, **changes: Any) -> Command:
    # Out of RUNNING, a command has no lease; only a retry has a next attempt.
    changes.setdefault("next_attempt_at", None)
    return command.with_(status=status, lease_until=None, updated_at=now, **changes)


def _expect(
    command: Command,
    move: str,
    allowed: CommandStatus,
    error: type[InvalidTransition] = InvalidTransition,
) -> None:
    if command.status is not allowed:
        raise error(command, move, allowed)


class StoredQueue(ABC):
    """The port's moves after the claim, over one primitive each store supplies: change
    one command atomically."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    @abstractmethod
    async def claim(self, worker_id: str, lease_s: float, now: datetime) -> Command | None:
        """See `CommandQueue.claim`."""

    async def claim_many(
        self, worker_id: str, lease_s: float, now: datetime, limit: int
    ) -> list[Command]:
        """Claim after claim, each atomic; a store may do them in one step instead."""
        claimed_commands: list[Command] = []
        while len(claimed_commands) < limit:
            command = await self.claim(worker_id, lease_s, now)
            if command is None:
                break
            claimed_commands.append(command)
        return claimed_commands

    async def confirm(self, command_id: str, result: Mapping[str, Any]) -> Command:
        return await self._update(command_id, lambda c: confirmed(c, result, self._clock()))

    async def fail(self, command_id: str, error: str, result: Mapping[str, Any]) -> Command:
        return await self._update(command_id, lambda c: failed(c, error, result, self._clock()))

    async def roll_back(self, command_id: str, error: str, result: Mapping[str, Any]) -> Command:
        return await self._update(
            command_id, lambda c: rolled_back(c, error, result, self._clock())
        )

    async def renew(
        self, command_id: str, held_until: datetime, lease_s: float, now: datetime
    ) -> Command:
        return await self._update(command_id, lambda c: renewed(c, held_until, lease_s, now))

    async def retry_later(self, command_id: str, error: str, at: datetime) -> Command:
        return await self._update(command_id, lambda c: retried(c, error, at, self._clock()))

    async def bury(self, command_id: str, error: str) -> Command:
        return await self._update(command_id, lambda c: buried(c, error, self._clock()))

    async def replay(self, command_id: str) -> Command:
        return await self._update(command_id, lambda c: replayed(c, self._clock()))

    async def discard(self, command_id: str) -> Command:
        return await self._update(command_id, lambda c: discarded(c, self._clock()))

    @abstractmethod
    async def _update(self, command_id: str, change: Change) -> Command:
        """Apply `change` to the stored command atomically, keeping the store's indexes
        in step; UnknownCommand when no command has the id."""
