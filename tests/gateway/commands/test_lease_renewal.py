"""Renewing a lease and rolling a command back, over both stores (the fixtures in
conftest.py): the moves the worker makes around a slow or half-done command."""

from datetime import timedelta

import pytest

from gateway.commands.model import CommandStatus
from gateway.commands.queue import InvalidTransition
from gateway.commands.transitions import LeaseLost
from tests.gateway.commands.queues import LEASE_S, T0, command, submitted


async def test_a_renewed_lease_keeps_other_workers_off_the_command(queue):
    # given a command claimed at T0, its lease renewed two thirds of the way through
    [new] = await submitted(queue, command())
    claimed = await queue.claim("w1", LEASE_S, T0)
    at = T0 + timedelta(seconds=LEASE_S * 2 / 3)

    renewed = await queue.renew(new.id, claimed.lease_until, LEASE_S, at)

    # then it is still RUNNING, its lease runs from the renewal, and past the first
    # lease's end no other worker may claim it
    assert renewed.status is CommandStatus.RUNNING
    assert renewed.lease_until == at + timedelta(seconds=LEASE_S)
    assert renewed.attempts == 1
    assert await queue.get(new.id) == renewed
    assert await queue.claim("w2", LEASE_S, T0 + timedelta(seconds=LEASE_S + 1)) is None
    taken = await queue.claim("w2", LEASE_S, renewed.lease_until + timedelta(seconds=1))
    assert taken.id == new.id
    assert (await queue.counts())[CommandStatus.RUNNING] == 1


async def test_a_lease_another_worker_took_over_cannot_be_renewed(queue):
    # given a command whose first worker fell silent past its lease, then was reclaimed
    [new] = await submitted(queue, command())
    first = await queue.claim("w1", LEASE_S, T0)
    second = await queue.claim("w2", LEASE_S, T0 + timedelta(seconds=LEASE_S + 1))

    # when the first worker wakes up and renews
    with pytest.raises(LeaseLost) as lost:
        await queue.renew(new.id, first.lease_until, LEASE_S, T0 + timedelta(seconds=LEASE_S + 2))

    # then it learns it lost the command, and the second worker's lease stands
    assert isinstance(lost.value, InvalidTransition)
    assert await queue.get(new.id) == second
    renewed = await queue.renew(new.id, second.lease_until, LEASE_S, T0 + timedelta(seconds=40))
    assert renewed.lease_until == T0 + timedelta(seconds=40 + LEASE_S)


async def test_a_settled_command_has_no_lease_to_renew(queue):
    [new] = await submitted(queue, command())
    claimed = await queue.claim("w1", LEASE_S, T0)
    confirmed = await queue.confirm(new.id, {"order_id": "42"})

    with pytest.raises(LeaseLost):
        await queue.renew(new.id, claimed.lease_until, LEASE_S, T0 + timedelta(seconds=1))

    assert await queue.get(new.id) == confirmed


async def test_a_lease_that_passed_unclaimed_can_still_be_renewed(queue):
    # a worker that was slow to renew keeps its command if nobody took it meanwhile
    [new] = await submitted(queue, command())
    claimed = await queue.claim("w1", LEASE_S, T0)
    late = T0 + timedelta(seconds=LEASE_S + 5)

    renewed = await queue.renew(new.id, claimed.lease_until, LEASE_S, late)

    assert renewed.lease_until == late + timedelta(seconds=LEASE_S)
    assert await queue.claim("w2", LEASE_S, late + timedelta(seconds=1)) is None


async def test_a_rolled_back_command_is_final_with_its_user_error_and_what_was_undone(queue):
    [new] = await submitted(queue, command())
    await queue.claim("w1", LEASE_S, T0)
    result = {
        "user_error": {"code": "ERP_REFUSED", "message": "Approval needed", "field": None},
        "compensated": "cancelled draft order S00042",
    }

    rolled_back = await queue.roll_back(new.id, "ERP_REFUSED: Approval needed", result)

    assert rolled_back.status is CommandStatus.ROLLED_BACK
    assert rolled_back.status.is_final
    assert (rolled_back.result, rolled_back.lease_until) == (result, None)
    assert rolled_back.last_error == "ERP_REFUSED: Approval needed"
    assert await queue.get(new.id) == rolled_back
    assert await queue.claim("w2", LEASE_S, T0 + timedelta(hours=1)) is None
    counts = await queue.counts()
    assert (counts[CommandStatus.ROLLED_BACK], counts[CommandStatus.RUNNING]) == (1, 0)
    with pytest.raises(InvalidTransition):
        await queue.roll_back(new.id, "again", result)
