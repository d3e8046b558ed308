"""The worker renews the lease of the command it runs, so a slow command is never taken
over while its worker lives; a worker that finds its lease gone stops and settles
nothing. Time is stepped by the test: the worker's clock and its sleep between
renewals are injected, so nothing races the wall clock."""

import asyncio
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest

from gateway.commands.model import CommandStatus
from gateway.commands.queue import QueueUnavailable, open_command_queue
from gateway.commands.worker import Worker
from gateway.config import QueueSettings
from tests.gateway.commands.queues import T0, command

LEASE_S = 30.0


class SteppedTime:
    """The worker's clock and its sleep: a sleeper wakes only when the test advances."""

    def __init__(self) -> None:
        self.now = T0
        self.sleeps: list[float] = []
        self._sleepers: list[asyncio.Event] = []

    def clock(self):
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        woken = asyncio.Event()
        self._sleepers.append(woken)
        await woken.wait()

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        sleepers, self._sleepers = self._sleepers, []
        for woken in sleepers:
            woken.set()


class SlowWriter:
    """Places an order once the test lets it finish."""

    def __init__(self) -> None:
        self.calls = 0
        self.cancelled = False
        self.finish = asyncio.Event()

    async def place_order(self, draft):
        self.calls += 1
        try:
            await self.finish.wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        # What the worker reads of an order (see gateway.commands.execution).
        return SimpleNamespace(id="42", number="S00042", customer_id=draft.customer_id)


async def until(condition, what: str, timeout_s: float = 10.0) -> None:
    """Wait for the worker's tasks to reach a state (the queue's SQLite runs in a
    thread); the deadline only bounds a failure."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.005)


@pytest.fixture
async def queue(tmp_path):
    queue = open_command_queue(f"sqlite:///{tmp_path}/queue.sqlite3")
    yield queue
    await queue.close()


def worker_on(queue, writer, stepped: SteppedTime) -> Worker:
    settings = QueueSettings(url="unused", lease_s=LEASE_S)
    return Worker(queue, writer, settings, clock=stepped.clock, sleep=stepped.sleep)


async def test_a_slow_command_keeps_its_lease_while_its_worker_lives(queue):
    # given a worker running a command that takes longer than several leases
    new, _ = await queue.submit(command())
    stepped, writer = SteppedTime(), SlowWriter()
    running = asyncio.create_task(worker_on(queue, writer, stepped).run_once())
    await until(lambda: writer.calls == 1 and len(stepped.sleeps) == 1, "the first sleep")

    # when time passes, a third of a lease at a time, well past the first lease's end
    for renewal in range(1, 7):
        stepped.advance(LEASE_S / 3)
        await until(lambda n=renewal: len(stepped.sleeps) == n + 1, f"renewal {renewal}")
        held = await queue.get(new.id)
        # then each renewal moved the lease on, and no other worker can take it
        assert held.lease_until == stepped.now + timedelta(seconds=LEASE_S)
        assert await queue.claim("other", LEASE_S, stepped.now) is None

    # and when the ERP answers, the command is confirmed once, on its first attempt
    writer.finish.set()
    assert await running
    done = await queue.get(new.id)
    assert (done.status, done.attempts, writer.calls) == (CommandStatus.CONFIRMED, 1, 1)
    assert set(stepped.sleeps) == {LEASE_S / 3}


async def test_a_worker_that_lost_its_lease_stops_and_settles_nothing(queue):
    # given a worker whose command another worker claimed after the lease passed (the
    # first could not reach the queue for a whole lease)
    new, _ = await queue.submit(command())
    stepped, writer = SteppedTime(), SlowWriter()
    running = asyncio.create_task(worker_on(queue, writer, stepped).run_once())
    await until(lambda: writer.calls == 1 and len(stepped.sleeps) == 1, "the first sleep")
    stepped.now = T0 + timedelta(seconds=LEASE_S + 1)
    taken = await queue.claim("other", LEASE_S, stepped.now)
    assert taken.id == new.id

    # when the first worker next renews
    stepped.advance(0)

    # then it stops its attempt and leaves the command to the other worker
    assert await running
    assert writer.cancelled
    assert await queue.get(new.id) == taken
    assert len(stepped.sleeps) == 1


async def test_a_renewal_the_queue_could_not_take_is_tried_again(queue):
    # given a queue that is out of reach for one renewal
    new, _ = await queue.submit(command())
    stepped, writer = SteppedTime(), SlowWriter()
    renew, failures = queue.renew, list[object]()

    async def flaky_renew(*args):
        if not failures:
            failures.append(args)
            raise QueueUnavailable("SQLite command queue: cannot update: disk I/O error")
        return await renew(*args)

    queue.renew = flaky_renew
    running = asyncio.create_task(worker_on(queue, writer, stepped).run_once())
    await until(lambda: len(stepped.sleeps) == 1, "the first sleep")

    # when the first renewal fails and the next one goes through
    stepped.advance(LEASE_S / 3)
    await until(lambda: len(stepped.sleeps) == 2, "the second sleep")
    stepped.advance(LEASE_S / 3)
    await until(lambda: len(stepped.sleeps) == 3, "the third sleep")

    # then the worker kept the command and confirms it
    assert (await queue.get(new.id)).lease_until == T0 + timedelta(
        seconds=2 * LEASE_S / 3 + LEASE_S
    )
    writer.finish.set()
    assert await running
    assert (await queue.get(new.id)).status is CommandStatus.CONFIRMED
    assert not writer.cancelled
