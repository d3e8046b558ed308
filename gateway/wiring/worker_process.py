"""`erp-gateway worker`: a process that only drains the command queue, for deployments
that scale writes apart from reads (then `[queue] worker = false` in the gateways)."""

from __future__ import annotations

import asyncio
import logging
from contextlib import AsyncExitStack

from gateway.auth.audit import open_audit_log
from gateway.commands.queue import open_command_queue
from gateway.commands.worker import Worker
from gateway.config import ConfigError, Settings
from gateway.wiring.backends import backend_http, erp_side, open_gateway_cache, rate_limit_redis

log = logging.getLogger("erp_gateway.worker")


async def run_worker(settings: Settings, stop: asyncio.Event) -> None:
    async with AsyncExitStack() as stack:
        shared = await rate_limit_redis(settings, stack)
        erp = erp_side(settings.erp, await backend_http(settings.erp, stack, shared=shared))
        if erp.writer is None:
            raise ConfigError(f"backends.erp: {settings.erp.kind} takes no writes from the gateway")
        # The cache this worker invalidates is only shared when it is Redis.
        cache = await open_gateway_cache(settings.cache, stack)
        audit = open_audit_log(settings.auth.store_connect_url())
        stack.push_async_callback(audit.close)
        queue = open_command_queue(settings.queue.connect_url())
        stack.push_async_callback(queue.close)
        worker = Worker(queue, erp.writer, settings.queue, cache=cache, audit=audit)
        print(f"worker {worker.worker_id} draining {settings.queue.url}", flush=True)
        await worker.run(stop)
        log.info("%s stopped", worker.worker_id)
