"""The worker: drains the command queue into the ERP at the ERP's rate limit (the
adapter's `BackendHttp` holds the bucket).

Each lane claims up to `[queue] batch_size` due commands at once. The orders among them
go to the ERP as one batch (`ErpWriter.place_orders`: a handful of calls for the whole
batch, see erp_backends/odoo/writes_orders.py), each settled by its own outcome; the
other commands run one by one, side by side.

A command is claimed with a lease (`lease_s`), which the worker renews every third of
it while the command runs, so a slow command is never taken over while its worker lives;
if this process dies, another worker reclaims the command once the lease passes, within
`lease_s`. That is safe because every write is idempotent by the command's reference
(see `execution.erp_reference`): the ERP never gets a second order for one command,
however often the command is tried. A renewal that finds the lease gone (the queue was
out of reach for a whole lease and another worker claimed the command) stops this
worker's attempt, which then settles nothing.

Outcomes:
- done: CONFIRMED, the touched cache entries are invalidated;
- a business refusal (`BusinessRuleViolation`): FAILED with the user error, at once;
  ROLLED_BACK when the writer had done a first step in the ERP and undid it (the
  violation's `compensated` says what);
- a transient failure (unavailable, timeout, 429): retried with exponential backoff and
  full jitter, honouring the ERP's Retry-After; after `max_attempts`, DEAD;
- a refusal of the request itself (`BackendRequestError`, `BackendDataError`): retrying
  cannot help, so DEAD at once, for a human to look at and replay;
- anything else is a bug, a payload this version cannot read (`MalformedPayload`)
  among them: logged with its traceback, retried as a transient failure, then DEAD.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from erp_backends.errors import (
    BackendDataError,
    BackendError,
    BackendRateLimited,
    BackendRequestError,
    BackendTimeout,
    BackendUnavailable,
    BusinessRuleViolation,
)
from erp_backends.writes import ErpWriter
from gateway.auth.audit import AuditEntry, AuditLog, AuditUnavailable
from gateway.cache.service import GatewayCache
from gateway.commands.execution import Done, execute, place_orders, user_error_result
from gateway.commands.model import Command, CommandKind, CommandQueue, QueueUnavailable
from gateway.commands.payloads import payload_of
from gateway.commands.transitions import InvalidTransition, UnknownCommand
from gateway.config import QueueSettings
from gateway.global_ids import encode_id

log = logging.getLogger("erp_gateway.worker")

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]
# How often an idle worker looks for due commands it was not told of: those submitted
# by other processes, retries coming due, leases of a dead worker running out. Commands
# submitted in its own process ring its doorbell (`ring`) and start at once.
IDLE_POLL_S = 1.0
RENEWALS_PER_LEASE = 3  # a lease outlives one renewal the queue could not take


def utcnow() -> datetime:
    return datetime.now(UTC)


class Worker:
    def __init__(
        self,
        queue: CommandQueue,
        writer: ErpWriter,
        settings: QueueSettings,
        *,
        cache: GatewayCache | None = None,
        audit: AuditLog | None = None,
        on_settled: Callable[[Command], None] | None = None,
        clock: Clock = utcnow,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._queue = queue
        self._writer = writer
        self._settings = settings
        self._cache = cache
        self._audit = audit
        self._on_settled = on_settled
        self._clock = clock
        self._sleep = sleep  # between lease renewals; tests step it by hand
        self.worker_id = f"worker-{uuid.uuid4().hex[:8]}"
        self._doorbell = asyncio.Event()

    def ring(self) -> None:
        """A command was submitted in this process: idle lanes look for it at once."""
        self._doorbell.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set, `concurrency` commands at a time."""
        log.info("%s draining the command queue", self.worker_id)
        lanes = [self._lane(stop) for _ in range(self._settings.concurrency)]
        await asyncio.gather(*lanes)

    async def _lane(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self._doorbell.clear()  # this claim sees what was rung for so far
            try:
                worked = await self.run_once()
            except QueueUnavailable as exc:
                log.error("%s: the queue is unavailable: %s", self.worker_id, exc)
                worked = False
            except Exception:  # a bug must not silently end this lane's draining
                log.exception("%s: unexpected error; the lane goes on", self.worker_id)
                worked = False
            if not worked:
                await self._idle(stop)

    async def _idle(self, stop: asyncio.Event) -> None:
        """Until the doorbell rings, `stop` is set or `IDLE_POLL_S` has passed."""
        waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._doorbell.wait())]
        try:
            await asyncio.wait(waits, timeout=IDLE_POLL_S, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()

    async def run_once(self) -> bool:
        """Claim and run the due commands, up to `batch_size`; False when none was due."""
        commands = await self._queue.claim_many(
            self.worker_id, self._settings.lease_s, self._clock(), self._settings.batch_size
        )
        if not commands:
            return False
        orders = [command for command in commands if _batchable(command)]
        if len(orders) < 2:
            orders = []  # one order goes the way of every single command
        batched = {command.id for command in orders}
        singles = [command for command in commands if command.id not in batched]
        runs = [self._settled_elsewhere(self._run_leased(command), command) for command in singles]
        if orders:
            runs.append(self._run_batch_leased(orders))
        await asyncio.gather(*runs)
        return True

    async def _settled_elsewhere(self, run: Awaitable[None], command: Command) -> None:
        try:
            await run
        except InvalidTransition:
            # Our lease passed and another worker settled it first; the ERP's idempotent
            # write made sure it was done once.
            log.warning("%s: command %s was settled by another worker", self.worker_id, command.id)

    async def _run_batch_leased(self, commands: list[Command]) -> None:
        """Place the orders as one batch while a task per command keeps its lease. If
        any lease is lost, the batch stops and settles nothing: every command of it is
        claimed again once its lease passes, and the reference lookup finds what this
        attempt did."""
        work = asyncio.ensure_future(place_orders(commands, self._writer))
        keepers = [
            asyncio.ensure_future(self._keep_lease(command.id, _lease_of(command)))
            for command in commands
        ]
        try:
            await asyncio.wait({work, *keepers}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (work, *keepers):
                task.cancel()
            await asyncio.gather(work, *keepers, return_exceptions=True)
        lost = [keeper.result() for keeper in keepers if not keeper.cancelled()]
        if lost:
            log.warning(
                "%s: stopped a batch of %d orders, a lease of which it lost (%s)",
                self.worker_id,
                len(commands),
                lost[0],
            )
            return
        for command in commands:
            await self._settled_elsewhere(self._run(command, _outcome_of(work, command)), command)

    async def _run_leased(self, command: Command) -> None:
        """Run the command while a second task keeps its lease; if the lease is lost,
        stop the attempt and settle nothing: the command is another worker's now."""
        work = asyncio.ensure_future(self._attempt(command))
        keeper = asyncio.ensure_future(self._keep_lease(command.id, _lease_of(command)))
        try:
            await asyncio.wait({work, keeper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            keeper.cancel()  # neither cancel touches a task that is done
            work.cancel()
            await asyncio.gather(work, keeper, return_exceptions=True)
        if keeper.cancelled():
            await self._run(command, work)
            return
        log.warning(
            "%s: stopped command %s, whose lease it lost (%s); its new worker settles it",
            self.worker_id,
            command.id,
            keeper.result(),
        )

    async def _attempt(self, command: Command) -> Done:
        return await execute(command, self._writer)

    async def _keep_lease(self, command_id: str, held_until: datetime) -> str:
        """Renew the lease every `lease_s / RENEWALS_PER_LEASE` until cancelled; ends
        only when the lease is lost, saying why."""
        lease_s = self._settings.lease_s
        while True:
            await self._sleep(lease_s / RENEWALS_PER_LEASE)
            try:
                renewed = await self._queue.renew(command_id, held_until, lease_s, self._clock())
            except (InvalidTransition, UnknownCommand) as lost:
                return str(lost)
            except QueueUnavailable as exc:  # the lease may still hold: try at the next tick
                log.error("%s: cannot renew the lease of %s: %s", self.worker_id, command_id, exc)
                continue
            except Exception:  # a bug must not stop the renewals of a running command
                log.exception("%s: renewing the lease of %s raised", self.worker_id, command_id)
                continue
            if renewed.lease_until is not None:
                held_until = renewed.lease_until

    async def _run(self, command: Command, work: asyncio.Future[Done]) -> None:
        """Settle the command by how its attempt ended."""
        try:
            done = work.result()
        except BusinessRuleViolation as violation:
            await self._refused(command, violation)
        except (BackendRequestError, BackendDataError) as error:
            log.error(
                "%s: command %s refused by the %s: %s",
                self.worker_id,
                command.id,
                error.backend,
                error.message,
            )
            await self._bury(command, public_error(error))
        except BackendError as error:
            await self._retry_or_bury(command, public_error(error), error)
        except Exception:  # a bug: keep the command, and say so loudly
            log.exception("%s: command %s raised", self.worker_id, command.id)
            await self._retry_or_bury(command, "INTERNAL_ERROR: see the worker's log", None)
        else:
            await self._confirm(command, done)

    async def _refused(self, command: Command, violation: BusinessRuleViolation) -> None:
        error, result = f"{violation.code}: {violation.message}", user_error_result(violation)
        if violation.compensated is None:
            settled = await self._queue.fail(command.id, error, result)
            await self._settle(settled, f"failed: {violation.code}")
            return
        log.warning(
            "%s: command %s refused by the ERP after a first step: %s; %s",
            self.worker_id,
            command.id,
            violation.code,
            violation.compensated,
        )
        settled = await self._queue.roll_back(command.id, error, result)
        await self._settle(settled, f"rolled_back: {violation.code}; {violation.compensated}")

    async def _confirm(self, command: Command, done: Done) -> None:
        settled = await self._queue.confirm(command.id, done.result)
        try:
            await self._invalidate(done)
        except Exception:  # the write is done; stale entries expire with their TTL
            log.warning(
                "%s: could not invalidate the cache after command %s",
                self.worker_id,
                command.id,
                exc_info=True,
            )
        await self._settle(settled, "confirmed")

    async def _invalidate(self, done: Done) -> None:
        if self._cache is None:
            return
        for entity, keys in done.stale.records.items():
            await self._cache.invalidate(entity, keys)
        for entity, parents in done.stale.lists.items():
            await self._cache.invalidate_lists(entity, parents)

    async def _retry_or_bury(self, command: Command, error: str, cause: Exception | None) -> None:
        if command.attempts >= self._settings.max_attempts:
            await self._bury(command, error)
            return
        delay = self.backoff_s(command.attempts)
        if isinstance(cause, BackendRateLimited) and cause.retry_after is not None:
            delay = max(delay, cause.retry_after)
        at = self._clock() + timedelta(seconds=delay)
        log.warning(
            "%s: command %s attempt %d failed (%s); again in %.1f s",
            self.worker_id,
            command.id,
            command.attempts,
            error,
            delay,
        )
        await self._queue.retry_later(command.id, error, at)

    def backoff_s(self, attempts: int) -> float:
        """Full jitter: anywhere up to base * 2^(attempts-1), capped."""
        ceiling = self._settings.retry_backoff_s * 2 ** max(attempts - 1, 0)
        return random.uniform(0, min(ceiling, self._settings.retry_max_backoff_s))  # noqa: S311

    async def _bury(self, command: Command, error: str) -> None:
        log.error(
            "%s: command %s is dead after %d attempts: %s",
            self.worker_id,
            command.id,
            command.attempts,
            error,
        )
        settled = await self._queue.bury(command.id, error)
        await self._settle(settled, f"dead: {error}")

    async def _settle(self, command: Command, outcome: str) -> None:
        if self._on_settled is not None:
            self._on_settled(command)
        if self._audit is None:
            return
        entry = AuditEntry(
            at=self._clock(),
            request_id=command.id,
            actor=None,
            subject=command.submitted_by,
            kind="command",
            customer_id=_customer_of(command),
            credential=self.worker_id,
            operation_type="command",
            operation_name=command.kind.value,
            variables={"commandId": command.id, "attempts": command.attempts},
            outcome=outcome,
        )
        try:
            await self._audit.append(entry)
        except AuditUnavailable as exc:  # the ERP has done it; the queue says so too
            log.error("audit log unavailable for command %s: %s", command.id, exc.reason)


def _customer_of(command: Command) -> str | None:
    """The customer a command acts for, as the schema and the request's entry name it
    (every payload carries the ERP key of its customer)."""
    key = command.payload.get("customer_id")
    return encode_id("Customer", key) if isinstance(key, str) and key else None


def _batchable(command: Command) -> bool:
    """An order whose payload this version reads (another is run alone, to fail alone)."""
    if command.kind is not CommandKind.PLACE_ORDER:
        return False
    try:
        payload_of(command)
    except Exception:  # `_run` reports it, for this command alone
        return False
    return True


def _lease_of(command: Command) -> datetime:
    if command.lease_until is None:
        raise ValueError(f"claimed command {command.id} has no lease")
    return command.lease_until


def _outcome_of(
    batch: asyncio.Future[dict[str, Done | BusinessRuleViolation]], command: Command
) -> asyncio.Future[Done]:
    """The command's share of the batch's outcome, as `_run` settles a single attempt."""
    outcome: asyncio.Future[Done] = asyncio.get_running_loop().create_future()
    error = batch.exception()
    if error is not None:
        outcome.set_exception(error)
        return outcome
    result = batch.result()[command.id]
    if isinstance(result, BusinessRuleViolation):
        outcome.set_exception(result)
    else:
        outcome.set_result(result)
    return outcome


def public_error(error: BackendError) -> str:
    """What the queue records (and `Query.command` shows) of a failed attempt: the kind
    of failure, never the backend's own text, which may name models or hosts."""
    code = {
        BackendRateLimited: "BACKEND_RATE_LIMITED",
        BackendTimeout: "BACKEND_TIMEOUT",
        BackendUnavailable: "BACKEND_UNAVAILABLE",
        BackendRequestError: "BACKEND_REQUEST_REFUSED",
        BackendDataError: "BACKEND_DATA_ERROR",
    }.get(type(error), "BACKEND_ERROR")
    return f"{code}: the {error.backend} backend failed"
