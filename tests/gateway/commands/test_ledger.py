"""The reservation ledger in each queue store (gateway/commands/ledger.py): a command is
stored with its reservations only when the snapshots less the other reservations cover
them, in one step, however many acceptances race."""

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from gateway.commands.ledger import (
    CLOCK_SKEW,
    Reservation,
    Shortfall,
    Snapshot,
    SnapshotsStale,
    credit_item,
    stock_item,
)
from gateway.commands.model import CommandStatus
from tests.gateway.commands.queues import LEASE_S, command

STOCK = stock_item("5")
CREDIT = credit_item("7")


def now():
    return datetime.now(UTC)


def snapshot(item, available, taken_at=None):
    amount = None if available is None else Decimal(available)
    return Snapshot(item, amount, taken_at or now())


def holding(item, amount):
    return [Reservation(item, Decimal(amount))]


async def test_without_a_snapshot_nothing_is_stored_and_the_items_are_named(queue):
    new = command(1)

    with pytest.raises(SnapshotsStale) as stale:
        await queue.submit(new, holding(STOCK, 1) + holding(CREDIT, 10))

    assert set(stale.value.items) == {STOCK, CREDIT}
    assert await queue.get(new.id) is None
    assert await queue.find(new.idempotency_scope, new.idempotency_key) is None


async def test_a_snapshot_older_than_asked_is_stale(queue):
    await queue.put_snapshots([snapshot(STOCK, 8, now() - timedelta(seconds=60))])

    with pytest.raises(SnapshotsStale):
        await queue.submit(command(1), holding(STOCK, 1), fresh_after=now() - timedelta(seconds=5))
    stored, created = await queue.submit(command(2), holding(STOCK, 1))  # any age will do

    assert created
    assert stored.status is CommandStatus.QUEUED


async def test_reservations_add_up_until_the_snapshot_is_used_up(queue):
    await queue.put_snapshots([snapshot(STOCK, "8.5")])

    await queue.submit(command(1), holding(STOCK, 4))
    await queue.submit(command(2), holding(STOCK, "4.5"))
    with pytest.raises(Shortfall) as short:
        await queue.submit(command(3), holding(STOCK, "0.000001"))

    assert short.value.available == {STOCK: Decimal(0)}
    assert await queue.get(command(3).id) is None


async def test_one_item_short_refuses_the_whole_command_and_says_what_is_left(queue):
    await queue.put_snapshots([snapshot(STOCK, 8), snapshot(CREDIT, "100.50")])
    await queue.submit(command(1), holding(CREDIT, "99"))

    refused = command(2)
    with pytest.raises(Shortfall) as short:
        await queue.submit(refused, holding(STOCK, 2) + holding(CREDIT, "2"))

    assert short.value.available == {CREDIT: Decimal("1.5")}
    await queue.submit(command(3), holding(STOCK, 8))  # the refused one held no stock


async def test_two_lines_of_one_product_count_together(queue):
    await queue.put_snapshots([snapshot(STOCK, 8)])

    with pytest.raises(Shortfall):
        await queue.submit(command(1), holding(STOCK, 5) + holding(STOCK, 5))


async def test_no_limit_takes_anything(queue):
    await queue.put_snapshots([snapshot(CREDIT, None)])

    for n in range(3):
        await queue.submit(command(n), holding(CREDIT, "1000000000"))


async def test_a_retry_of_an_accepted_key_returns_it_without_reserving_again(queue):
    await queue.put_snapshots([snapshot(STOCK, 4)])
    first, _ = await queue.submit(command(1, key="k"), holding(STOCK, 4))

    again, created = await queue.submit(command(2, key="k"), holding(STOCK, 4))

    assert (again.id, created) == (first.id, False)


async def test_a_released_reservation_counts_until_a_later_snapshot_shows_it(queue):
    # given 8 in stock, and an order of 8 the ERP has written since the snapshot
    await queue.put_snapshots([snapshot(STOCK, 8, now() - timedelta(seconds=1))])
    written = command(1)
    await queue.submit(written, holding(STOCK, 8))
    await queue.claim("w", LEASE_S, now())
    await queue.confirm(written.id, {"order_id": "1"})

    # then the snapshot, read before the ERP wrote it, still has it held
    with pytest.raises(Shortfall):
        await queue.submit(command(2), holding(STOCK, 1))

    # and a snapshot read after it (by more than the clock skew) shows it gone
    later = now() + CLOCK_SKEW + timedelta(seconds=1)
    await queue.put_snapshots([snapshot(STOCK, 3, later)])
    await queue.submit(command(3), holding(STOCK, 3))


async def test_an_older_snapshot_never_replaces_a_newer_one(queue):
    await queue.put_snapshots([snapshot(STOCK, 1, now())])
    await queue.put_snapshots([snapshot(STOCK, 100, now() - timedelta(seconds=30))])

    with pytest.raises(Shortfall):
        await queue.submit(command(1), holding(STOCK, 2))


@pytest.mark.parametrize("settle", ["fail", "bury_and_discard"])
async def test_a_refused_or_discarded_command_gives_its_reservation_back(queue, settle):
    await queue.put_snapshots([snapshot(STOCK, 4, now() - timedelta(seconds=1))])
    held = command(1)
    await queue.submit(held, holding(STOCK, 4))
    await queue.claim("w", LEASE_S, now())
    if settle == "fail":
        await queue.fail(held.id, "refused", {})
    else:
        await queue.bury(held.id, "dead")
        with pytest.raises(Shortfall):  # a dead command may be replayed: it keeps it
            await queue.submit(command(2), holding(STOCK, 1))
        await queue.discard(held.id)

    await queue.put_snapshots([snapshot(STOCK, 4, now() + CLOCK_SKEW + timedelta(seconds=1))])
    await queue.submit(command(3), holding(STOCK, 4))


async def test_twenty_racing_acceptances_on_two_connections_take_what_there_is(store, queue):
    # given 8 units, and a second connection to the same store, as another process has
    other = store.open()
    await queue.put_snapshots([snapshot(STOCK, 8)])

    async def accept(n):
        try:
            await (queue if n % 2 else other).submit(command(n), holding(STOCK, 1))
        except Shortfall:
            return False
        return True

    accepted = await asyncio.gather(*(accept(n) for n in range(20)))

    assert accepted.count(True) == 8
    counts = await queue.counts()
    assert counts[CommandStatus.QUEUED] == 8
