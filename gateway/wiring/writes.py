"""Starting the write path inside a gateway process: the queue, the service mutations
use, and (unless `[queue] worker = false`) a worker draining the queue in-process."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

from erp_backends.ports import ErpBackend
from erp_backends.writes import ErpWriter
from gateway.auth.audit import AuditLog
from gateway.cache.service import GatewayCache
from gateway.commands.live import LiveReads
from gateway.commands.queue import open_command_queue
from gateway.commands.service import CommandService
from gateway.commands.snapshots import SnapshotReader
from gateway.commands.transitions import utcnow
from gateway.commands.worker import Worker
from gateway.config import QueueSettings, WritesSettings
from resolvers.commands.accepting import Writes


async def open_writes(
    settings: QueueSettings,
    writes: WritesSettings,
    *,
    erp_live: ErpBackend,
    writer: ErpWriter,
    cache: GatewayCache | None,
    audit: AuditLog | None,
    stack: AsyncExitStack,
    alone: bool = True,
) -> Writes:
    """`alone`: no other process serves with this one (`serve --workers 1`), so the
    commands its mutations wait for are run by its own worker or by none."""
    queue = open_command_queue(settings.connect_url())
    stack.push_async_callback(queue.close)
    service = CommandService(
        queue,
        sync_wait_s=settings.sync_wait_ms / 1000,
        snapshots=SnapshotReader(erp_live, writer, keep=queue.put_snapshots, clock=utcnow),
        snapshot_max_age_s=writes.snapshot_max_age_s,
    )
    if settings.worker:
        worker = Worker(
            queue, writer, settings, cache=cache, audit=audit, on_settled=service.notify
        )
        # Else another process's worker may run them: waiting mutations poll the queue.
        service.local_worker = alone
        service.on_submitted = worker.ring
        stop = asyncio.Event()
        running = asyncio.create_task(worker.run(stop), name=worker.worker_id)

        async def finish() -> None:
            # Commands in flight finish; the rest wait in the queue for the next worker.
            stop.set()
            await running

        stack.push_async_callback(finish)
    return Writes(commands=service, live=LiveReads.of(erp_live), settings=writes)
