"""What the worker does with each kind of failure, with a real queue and a writer that
fails on purpose: the ERP's answers themselves are tested against the emulator."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from erp_backends.errors import (
    BackendRateLimited,
    BackendRequestError,
    BackendUnavailable,
    BusinessRuleViolation,
    UserErrorCode,
)
from gateway.commands import worker as worker_module
from gateway.commands.model import Command, CommandKind, CommandStatus
from gateway.commands.payloads import PlaceOrder
from gateway.commands.queue import open_command_queue
from gateway.commands.service import CommandService
from gateway.commands.worker import Worker
from gateway.config import QueueSettings


class FailingWriter:
    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    async def place_order(self, draft):
        self.calls += 1
        raise self.error


PAYLOAD = {
    "customer_id": "7",
    "note": None,
    "shipping_address": None,
    "lines": [{"product_id": "5", "quantity": "1", "unit": "C62"}],
}


async def run_once_against(tmp_path, error: Exception, **settings):
    queue = open_command_queue(f"sqlite:///{tmp_path}/queue.sqlite3")
    service = CommandService(queue, sync_wait_s=0)
    command = await service.submit(
        PlaceOrder.from_json(PAYLOAD),
        request=PAYLOAD,
        scope="s",
        idempotency_key=None,
        submitted_by="t",
    )
    writer = FailingWriter(error)
    worker = Worker(queue, writer, QueueSettings(url="unused", **settings))  # type: ignore[arg-type]
    assert await worker.run_once()
    after = await queue.get(command.id)
    await queue.close()
    return after, writer


async def test_a_business_refusal_is_final_with_its_user_error(tmp_path):
    refusal = BusinessRuleViolation(UserErrorCode.INSUFFICIENT_STOCK, "only 2 left", field="lines")
    command, _ = await run_once_against(tmp_path, refusal)
    assert command.status is CommandStatus.FAILED
    expected = {"code": "INSUFFICIENT_STOCK", "message": "only 2 left", "field": "lines"}
    assert command.result == {"user_error": expected}


async def test_a_refused_request_goes_to_the_dead_letters_at_once(tmp_path):
    error = BackendRequestError("Odoo: unknown field 'x' on sale.order", backend="erp")
    command, writer = await run_once_against(tmp_path, error, max_attempts=8)
    assert command.status is CommandStatus.DEAD
    assert writer.calls == 1
    assert command.last_error == "BACKEND_REQUEST_REFUSED: the erp backend failed"
    assert "unknown field" not in command.last_error


async def test_a_throttled_command_waits_at_least_what_the_erp_asked(tmp_path):
    before = datetime.now(UTC)
    error = BackendRateLimited("429", backend="erp", retry_after=30)
    command, _ = await run_once_against(tmp_path, error, retry_backoff_s=0.1)
    assert command.status is CommandStatus.QUEUED
    assert command.next_attempt_at >= before + timedelta(seconds=30)


@pytest.mark.parametrize("attempts", [1, 3])
async def test_a_transient_failure_is_retried_until_max_attempts(tmp_path, attempts):
    error = BackendUnavailable("503", backend="erp")
    command, _ = await run_once_against(tmp_path, error, max_attempts=attempts)
    assert command.status is (CommandStatus.DEAD if attempts == 1 else CommandStatus.QUEUED)


@pytest.mark.parametrize("attempts", [1, 3])
async def test_a_payload_the_worker_cannot_read_is_retried_then_dead_never_lost(
    tmp_path, attempts, caplog
):
    # given a queued command whose line has no quantity (a bug, or an edited store)
    queue = open_command_queue(f"sqlite:///{tmp_path}/queue.sqlite3")
    malformed = {**PAYLOAD, "lines": [{"product_id": "5", "unit": "C62"}]}
    command = Command(
        id="c1",
        kind=CommandKind.PLACE_ORDER,
        payload=malformed,
        idempotency_scope="s",
        idempotency_key="k1",
        fingerprint="f",
        submitted_by="t",
        created_at=datetime.now(UTC),
    )
    await queue.submit(command)
    writer = FailingWriter(AssertionError("the ERP must not be called"))
    settings = QueueSettings(url="unused", max_attempts=attempts, retry_backoff_s=0.01)
    worker = Worker(queue, writer, settings)  # type: ignore[arg-type]

    assert await worker.run_once()

    # then like any unexpected error: retried until max_attempts, then a dead letter, kept
    # as it was stored for a human to look at; the ERP never asked
    after = await queue.get(command.id)
    assert after is not None
    assert after.status is (CommandStatus.DEAD if attempts == 1 else CommandStatus.QUEUED)
    assert after.last_error == "INTERNAL_ERROR: see the worker's log"
    assert after.payload == malformed
    dead_letters = [dead.id for dead in await queue.dead_letters()]
    assert dead_letters == ([command.id] if attempts == 1 else [])
    assert sum((await queue.counts()).values()) == 1
    assert writer.calls == 0
    assert "malformed place_order payload: lines[0].quantity is missing" in caplog.text
    await queue.close()


class RecordingWriter:
    def __init__(self) -> None:
        self.placed = asyncio.Event()

    async def place_order(self, draft):
        self.placed.set()
        raise BusinessRuleViolation(UserErrorCode.INSUFFICIENT_STOCK, "none left")


async def test_an_idle_worker_starts_a_command_submitted_in_its_process_at_once(
    tmp_path, monkeypatch
):
    # An hour between polls: only the doorbell can wake the worker within the test.
    monkeypatch.setattr(worker_module, "IDLE_POLL_S", 3600.0)
    queue = open_command_queue(f"sqlite:///{tmp_path}/queue.sqlite3")
    writer = RecordingWriter()
    worker = Worker(queue, writer, QueueSettings(url="unused", concurrency=2))  # type: ignore[arg-type]
    service = CommandService(queue, sync_wait_s=0)
    service.on_submitted = worker.ring
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    try:
        await asyncio.sleep(0.05)  # both lanes found nothing and wait
        await service.submit(
            PlaceOrder.from_json(PAYLOAD),
            request=PAYLOAD,
            scope="s",
            idempotency_key=None,
            submitted_by="t",
        )
        await asyncio.wait_for(writer.placed.wait(), 30)  # bounds a failure only
    finally:
        stop.set()
        await running
        await queue.close()
