"""Commands and queues for the queue tests, and the worker processes they start (which
import this module, not pytest's)."""

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gateway.commands.model import Command, CommandKind, fingerprint_of
from gateway.commands.queue import RedisCommandQueue, open_command_queue

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
LEASE_S = 30.0
# A place_order payload as mutations store it (see gateway/commands/payloads.py).
PAYLOAD = {
    "customer_id": "7",
    "lines": [{"product_id": "5", "quantity": "2.500", "unit": "KGM"}],
    "note": "Lieferung bis Freitag, bitte",
    "shipping_address": None,
}


def command(n=1, *, scope="customer-7", key=None, created_at=None, payload=None):
    payload = PAYLOAD if payload is None else payload
    return Command(
        id=f"cmd-{n}-{uuid.uuid4().hex[:6]}",
        kind=CommandKind.PLACE_ORDER,
        payload=payload,
        idempotency_scope=scope,
        idempotency_key=key or f"key-{n}",
        fingerprint=fingerprint_of(CommandKind.PLACE_ORDER, payload),
        submitted_by=scope,
        created_at=created_at or T0 + timedelta(seconds=n),
    )


def open_queue(url, prefix):
    """Another queue on the store, as another gateway process would open it."""
    return open_command_queue(url) if prefix is None else RedisCommandQueue(url, prefix)


class Store:
    """One store under test: its URL (and Redis key prefix), and how to open another
    queue on it; the fixture closes every queue opened."""

    def __init__(self, url, prefix=None):
        self.url, self.prefix = url, prefix
        self.opened = []

    def open(self):
        queue = open_queue(self.url, self.prefix)
        self.opened.append(queue)
        return queue


async def submitted(queue, *commands):
    return [(await queue.submit(c))[0] for c in commands]


# --- Worker processes -----------------------------------------------------------------


def drain(url, prefix, out, start):
    """A worker process: claim and confirm until nothing is due; the ids, one a line."""
    start.wait(30)
    asyncio.run(_drain(url, prefix, Path(out)))


async def _drain(url, prefix, out):
    queue, claimed = open_queue(url, prefix), []
    worker = f"worker-{out.stem}"
    while (next_ := await queue.claim(worker, 60, datetime.now(UTC))) is not None:
        await queue.confirm(next_.id, {"by": worker})
        claimed.append(next_.id)
    await queue.close()
    out.write_text("".join(f"{i}\n" for i in claimed))


def claim_and_hang(url, prefix, out, how_many, claimed_all):
    """A worker process that claims `how_many` commands and hangs until killed."""
    asyncio.run(_claim(url, prefix, Path(out), how_many))
    claimed_all.set()
    time.sleep(60)


async def _claim(url, prefix, out, how_many):
    queue = open_queue(url, prefix)
    with out.open("w") as ids:
        for _ in range(how_many):
            ids.write((await queue.claim("doomed", 60, datetime.now(UTC))).id + "\n")
            ids.flush()
    await queue.close()
