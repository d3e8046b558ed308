"""Several worker processes on one queue (a SQLite file, a real Redis): each command is
claimed once, and none is lost when a worker dies holding some."""

import asyncio
import multiprocessing
from datetime import UTC, datetime, timedelta

import pytest

from gateway.commands.model import CommandStatus
from tests.gateway.commands.queues import claim_and_hang, command, drain, submitted

# Starts processes.
pytestmark = pytest.mark.slow

SPAWN = multiprocessing.get_context("spawn")


async def test_four_processes_claim_every_command_exactly_once(store, tmp_path):
    queue = store.open()
    now = datetime.now(UTC)
    commands = [command(n, created_at=now + timedelta(microseconds=n)) for n in range(200)]
    await submitted(queue, *commands)
    start = SPAWN.Event()
    outs = [tmp_path / f"{n}.ids" for n in range(4)]
    workers = [
        SPAWN.Process(target=drain, args=(store.url, store.prefix, str(out), start)) for out in outs
    ]

    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        await asyncio.to_thread(worker.join, 30)

    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]
    claimed = [line for out in outs for line in out.read_text().splitlines()]
    assert sorted(claimed) == sorted(c.id for c in commands)  # none twice, none missing
    assert (await queue.counts())[CommandStatus.CONFIRMED] == 200


async def test_a_killed_workers_commands_are_claimed_again_after_their_lease(store, tmp_path):
    queue = store.open()
    now = datetime.now(UTC)
    commands = [command(n, created_at=now + timedelta(microseconds=n)) for n in range(20)]
    await submitted(queue, *commands)
    out, claimed_all = tmp_path / "doomed.ids", SPAWN.Event()
    doomed = SPAWN.Process(
        target=claim_and_hang, args=(store.url, store.prefix, str(out), 5, claimed_all)
    )

    # given a worker that claimed five commands and was killed before confirming them
    doomed.start()
    assert await asyncio.to_thread(claimed_all.wait, 30)
    doomed.kill()
    await asyncio.to_thread(doomed.join, 10)
    orphans = out.read_text().splitlines()
    assert len(orphans) == 5

    # when another worker drains the queue, the orphans' leases still hold
    others = []
    while (next_ := await queue.claim("survivor", 60, datetime.now(UTC))) is not None:
        others.append((await queue.confirm(next_.id, {})).id)
    assert not set(others) & set(orphans)

    # then once the leases pass, exactly the orphans come back, a second attempt each
    later = datetime.now(UTC) + timedelta(seconds=61)
    reclaimed = []
    while (next_ := await queue.claim("survivor", 60, later)) is not None:
        reclaimed.append(next_)
        await queue.confirm(next_.id, {})
    assert sorted(c.id for c in reclaimed) == sorted(orphans)
    assert {c.attempts for c in reclaimed} == {2}
    assert sorted(others + orphans) == sorted(c.id for c in commands)
    assert (await queue.counts())[CommandStatus.CONFIRMED] == 20
