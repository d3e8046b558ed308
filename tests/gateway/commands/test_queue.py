"""The durable command queue: one contract suite over SQLite and a real Redis (the
fixtures in conftest.py); several processes at once are in test_queue_processes.py."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from erp_backends.models import Address, AddressKind, Quantity
from erp_backends.writes import DraftLine
from gateway.commands.model import CommandStatus
from gateway.commands.payloads import PlaceOrder, payload_of
from gateway.commands.queue import (
    InvalidTransition,
    NotReplayable,
    QueueUnavailable,
    UnknownCommand,
    open_command_queue,
)
from tests.gateway.commands.queues import LEASE_S, T0, command, submitted

# --- Submit and read ------------------------------------------------------------------


async def test_a_submitted_command_reads_back_whole_with_decimal_strings_and_times(queue):
    # given a command created in another time zone, with Decimals as strings
    berlin = timezone(timedelta(hours=1))
    new = command(created_at=datetime(2026, 12, 2, 10, 0, 0, 123456, tzinfo=berlin))

    stored, created = await queue.submit(new)

    assert created
    assert await queue.get(new.id) == stored == new
    assert stored.created_at == datetime(2026, 12, 2, 9, 0, 0, 123456, tzinfo=UTC)
    assert stored.payload["lines"][0]["quantity"] == "2.500"
    assert (stored.status, stored.attempts, stored.result) == (CommandStatus.QUEUED, 0, None)
    assert await queue.find("customer-7", "key-1") == stored


async def test_a_payload_reads_back_as_the_same_typed_payload(queue):
    placed = PlaceOrder(
        customer_id="7",
        lines=(DraftLine("5", Quantity(Decimal("2.500"), "KGM")),),
        note="Lieferung bis Freitag, bitte",
        shipping_address=Address(
            AddressKind.SHIPPING, "Ada", "Hauptstraße 1", None, "10115", "Berlin", None, "DE"
        ),
    )

    stored, _ = await queue.submit(command(payload=placed.to_json()))

    assert payload_of(stored) == placed
    assert stored.payload == placed.to_json()


async def test_an_unknown_command_reads_as_none(queue):
    assert await queue.get("nope") is None
    assert await queue.find("customer-7", "nope") is None


async def test_a_second_submit_of_a_key_returns_the_first_command(queue):
    first, _ = await queue.submit(command(1, key="k"))

    again, created = await queue.submit(command(2, key="k", payload={"other": "1"}))

    assert not created
    assert again == first
    assert (await queue.counts())[CommandStatus.QUEUED] == 1


async def test_the_same_key_in_another_scope_is_another_command(queue):
    mine, _ = await queue.submit(command(1, scope="customer-7", key="k"))

    theirs, created = await queue.submit(command(2, scope="customer-8", key="k"))

    assert created
    assert theirs.id != mine.id


async def test_an_id_taken_by_a_command_of_another_key_is_refused(queue):
    [first] = await submitted(queue, command(1))

    with pytest.raises(ValueError, match="already taken"):
        await queue.submit(command(2).with_(id=first.id))
    assert await queue.get(first.id) == first


async def test_a_payload_that_is_not_json_safe_is_refused(queue):
    with pytest.raises(ValueError, match="JSON-safe"):
        await queue.submit(command(payload={"amount": Decimal("1.10")}))


# --- Claim and lease ------------------------------------------------------------------


async def test_claims_take_commands_oldest_first_then_none(queue):
    ids = [c.id for c in await submitted(queue, command(1), command(2), command(3))]

    claimed = [await queue.claim("w1", LEASE_S, T0 + timedelta(minutes=1)) for _ in range(3)]

    assert [c.id for c in claimed] == ids
    assert await queue.claim("w1", LEASE_S, T0 + timedelta(minutes=1)) is None
    first = claimed[0]
    assert (first.status, first.attempts) == (CommandStatus.RUNNING, 1)
    assert first.lease_until == T0 + timedelta(minutes=1, seconds=LEASE_S)
    assert await queue.get(first.id) == first


async def test_an_empty_queue_claims_nothing(queue):
    assert await queue.claim("w1", LEASE_S, T0) is None


async def test_a_leased_command_is_not_claimed_again_before_its_lease_ends(queue):
    [new] = await submitted(queue, command())
    await queue.claim("w1", LEASE_S, T0)

    assert await queue.claim("w2", LEASE_S, T0 + timedelta(seconds=LEASE_S - 1)) is None

    again = await queue.claim("w2", LEASE_S, T0 + timedelta(seconds=LEASE_S + 1))
    assert again.id == new.id
    assert again.attempts == 2
    assert again.lease_until == T0 + timedelta(seconds=2 * LEASE_S + 1)
    assert (await queue.counts())[CommandStatus.RUNNING] == 1


async def test_a_retry_waits_for_its_time(queue):
    [new] = await submitted(queue, command())
    await queue.claim("w1", LEASE_S, T0)

    retried = await queue.retry_later(new.id, "BACKEND_TIMEOUT", T0 + timedelta(minutes=5))

    assert retried.status is CommandStatus.QUEUED
    assert (retried.next_attempt_at, retried.last_error, retried.lease_until) == (
        T0 + timedelta(minutes=5),
        "BACKEND_TIMEOUT",
        None,
    )
    assert await queue.claim("w2", LEASE_S, T0 + timedelta(minutes=4)) is None
    again = await queue.claim("w2", LEASE_S, T0 + timedelta(minutes=5))
    assert (again.id, again.attempts, again.next_attempt_at) == (new.id, 2, None)


async def test_a_delayed_command_does_not_hold_up_the_others(queue):
    [slow, fast] = await submitted(queue, command(1), command(2))
    await queue.claim("w1", LEASE_S, T0)
    await queue.retry_later(slow.id, "BACKEND_TIMEOUT", T0 + timedelta(hours=1))

    assert (await queue.claim("w1", LEASE_S, T0)).id == fast.id
    assert await queue.claim("w1", LEASE_S, T0) is None


# --- Settling -------------------------------------------------------------------------


async def test_confirm_and_fail_are_final(queue):
    [ok, refused] = await submitted(queue, command(1), command(2))
    await queue.claim("w1", LEASE_S, T0)
    await queue.claim("w1", LEASE_S, T0)

    confirmed = await queue.confirm(ok.id, {"order_id": "42", "number": "S00042"})
    failed = await queue.fail(refused.id, "OUT_OF_STOCK: A-1", {"code": "OUT_OF_STOCK"})

    assert (confirmed.status, confirmed.result) == (
        CommandStatus.CONFIRMED,
        {"order_id": "42", "number": "S00042"},
    )
    assert (failed.status, failed.last_error) == (CommandStatus.FAILED, "OUT_OF_STOCK: A-1")
    assert confirmed.lease_until is None
    assert confirmed.status.is_final
    assert await queue.get(ok.id) == confirmed
    assert await queue.claim("w1", LEASE_S, T0 + timedelta(days=1)) is None
    with pytest.raises(InvalidTransition, match="confirmed, not running"):
        await queue.confirm(ok.id, {})


async def test_a_command_that_is_not_running_cannot_be_settled(queue):
    [new] = await submitted(queue, command())

    with pytest.raises(InvalidTransition):
        await queue.bury(new.id, "too early")
    assert (await queue.get(new.id)).status is CommandStatus.QUEUED


async def test_a_buried_command_is_a_dead_letter_until_replayed(queue):
    [new, other] = await submitted(queue, command(1), command(2))
    await queue.claim("w1", LEASE_S, T0)
    await queue.claim("w1", LEASE_S, T0)

    await queue.confirm(other.id, {})

    dead = await queue.bury(new.id, "BACKEND_REQUEST_REFUSED")

    assert dead.status is CommandStatus.DEAD
    assert await queue.dead_letters() == [dead]
    assert await queue.claim("w1", LEASE_S, T0 + timedelta(days=1)) is None

    replayed = await queue.replay(new.id)

    assert (replayed.status, replayed.attempts) == (CommandStatus.QUEUED, 0)
    assert await queue.dead_letters() == []
    again = await queue.claim("w2", LEASE_S, T0 + timedelta(days=1))
    assert (again.id, again.attempts) == (new.id, 1)


async def test_a_dead_letter_can_be_discarded(queue):
    [new] = await submitted(queue, command())
    await queue.claim("w1", LEASE_S, T0)
    await queue.bury(new.id, "BACKEND_DATA_ERROR")

    discarded = await queue.discard(new.id)

    assert discarded.status is CommandStatus.DISCARDED
    assert await queue.dead_letters() == []
    with pytest.raises(NotReplayable, match="discarded, not dead"):
        await queue.replay(new.id)


async def test_only_dead_letters_replay_and_unknown_ids_are_named(queue):
    [new] = await submitted(queue, command())

    with pytest.raises(NotReplayable):
        await queue.replay(new.id)
    with pytest.raises(NotReplayable):
        await queue.discard(new.id)
    with pytest.raises(UnknownCommand, match="no command with id 'nope'") as raised:
        await queue.replay("nope")
    assert isinstance(raised.value, KeyError)


async def test_counts_follow_every_move(queue):
    commands = await submitted(queue, *(command(n) for n in range(1, 8)))
    claimed = [await queue.claim("w1", LEASE_S, T0) for _ in range(6)]
    await queue.confirm(commands[0].id, {})
    await queue.fail(commands[1].id, "refused", {})
    await queue.bury(commands[2].id, "dead")
    await queue.bury(commands[3].id, "dead")
    await queue.discard(commands[3].id)
    await queue.roll_back(commands[4].id, "refused", {"compensated": "cancelled S00042"})
    await queue.renew(claimed[5].id, claimed[5].lease_until, LEASE_S, T0)

    assert await queue.counts() == {
        CommandStatus.QUEUED: 1,
        CommandStatus.RUNNING: 1,
        CommandStatus.CONFIRMED: 1,
        CommandStatus.FAILED: 1,
        CommandStatus.ROLLED_BACK: 1,
        CommandStatus.DEAD: 1,
        CommandStatus.DISCARDED: 1,
    }


async def test_two_queues_on_one_store_share_their_commands(store):
    # given two gateway processes' queues on the same store
    one, two = store.open(), store.open()
    [new] = await submitted(one, command())

    assert await two.get(new.id) == new
    assert (await two.submit(command(2, key="key-1")))[1] is False
    assert (await two.claim("w2", LEASE_S, T0)).id == new.id
    assert await one.claim("w1", LEASE_S, T0) is None
    assert (await one.confirm(new.id, {"order_id": "1"})).status is CommandStatus.CONFIRMED


# --- Failures of the store ------------------------------------------------------------


async def test_an_unreachable_sqlite_file_is_queue_unavailable(tmp_path):
    queue = open_command_queue(f"sqlite:///{tmp_path}")  # a folder, not a file

    with pytest.raises(QueueUnavailable, match=r"SQLite command queue .*: cannot submit"):
        await queue.submit(command())
    await queue.close()


async def test_an_unreachable_redis_is_queue_unavailable_without_its_password():
    queue = open_command_queue("redis://gateway:s3cret@127.0.0.1:1/0")

    with pytest.raises(QueueUnavailable, match=r"Redis command queue .*cannot claim") as raised:
        await queue.claim("w1", LEASE_S, T0)
    assert "s3cret" not in str(raised.value)
    await queue.close()


def test_a_url_that_names_no_store_is_refused():
    with pytest.raises(ValueError, match="expected sqlite"):
        open_command_queue("postgres://localhost/queue")
