"""The worker drains orders in batches: one `place_orders` for the orders it claims at
once, each settled by its own outcome, every lease of the batch kept while it runs; and
against the Odoo emulator, a large drain spends a small fraction of an ERP call per
order, each order once."""

import asyncio
from datetime import timedelta
from types import SimpleNamespace

import httpx
import pytest

from erp_backends.errors import BusinessRuleViolation, UserErrorCode
from erp_backends.http import BackendHttp
from erp_backends.odoo import emulator
from erp_backends.odoo.client import OdooConnection
from erp_backends.odoo.writes import open_odoo_writer
from gateway.commands.model import CommandStatus
from gateway.commands.queue import open_command_queue
from gateway.commands.worker import Worker
from gateway.config import QueueSettings
from tests.commands.test_lease_renewal import LEASE_S, SteppedTime, until
from tests.gateway.commands.queues import T0, command
from tests.harness import EmulatorCalls, odoo_rpc
from tests.servers import serve_in_thread


class BatchWriter:
    """Places a batch once the test lets it finish; refuses the customers in `refuse`."""

    def __init__(self, refuse=frozenset()) -> None:
        self.batches: list[list[str]] = []
        self.refuse = refuse
        self.cancelled = False
        self.finish = asyncio.Event()

    async def place_orders(self, drafts):
        self.batches.append([draft.reference for draft in drafts])
        try:
            await self.finish.wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        return {
            draft.reference: BusinessRuleViolation(
                UserErrorCode.CUSTOMER_NOT_FOUND, "No such customer", field="customerId"
            )
            if draft.customer_id in self.refuse
            else SimpleNamespace(id="42", number="S00042", customer_id=draft.customer_id)
            for draft in drafts
        }


def for_customer(n: int, customer: str):
    payload = {
        "customer_id": customer,
        "lines": [{"product_id": "5", "quantity": "1", "unit": "C62"}],
    }
    return command(n, payload=payload)


@pytest.fixture
async def queue(tmp_path):
    queue = open_command_queue(f"sqlite:///{tmp_path}/queue.sqlite3")
    yield queue
    await queue.close()


def worker_on(queue, writer, stepped: SteppedTime, batch_size: int = 100) -> Worker:
    settings = QueueSettings(url="unused", lease_s=LEASE_S, batch_size=batch_size)
    return Worker(queue, writer, settings, clock=stepped.clock, sleep=stepped.sleep)


async def test_the_orders_claimed_together_go_in_one_batch_each_settled_by_its_outcome(queue):
    # given three orders, one for a customer the ERP refuses
    orders = [for_customer(1, "7"), for_customer(2, "8"), for_customer(3, "9")]
    for order in orders:
        await queue.submit(order)
    stepped, writer = SteppedTime(), BatchWriter(refuse={"8"})
    running = asyncio.create_task(worker_on(queue, writer, stepped).run_once())
    await until(lambda: writer.batches and len(stepped.sleeps) == 3, "the batch and its keepers")

    # when the batch outlives a lease, its leases are renewed, all three
    stepped.advance(LEASE_S / 3)
    await until(lambda: len(stepped.sleeps) == 6, "the renewals")
    for order in orders:
        held = await queue.get(order.id)
        assert held.status is CommandStatus.RUNNING
        assert held.lease_until == stepped.now + timedelta(seconds=LEASE_S)
    assert await queue.claim("other", LEASE_S, T0 + timedelta(seconds=LEASE_S + 1)) is None

    # and when the ERP answers, each is settled by its own outcome
    writer.finish.set()
    assert await running
    assert writer.batches == [[f"EGW-{order.id}" for order in orders]]
    settled = [await queue.get(order.id) for order in orders]
    assert [c.status for c in settled] == [
        CommandStatus.CONFIRMED,
        CommandStatus.FAILED,
        CommandStatus.CONFIRMED,
    ]
    assert settled[1].result["user_error"]["code"] == "CUSTOMER_NOT_FOUND"


async def test_a_batch_with_a_lost_lease_stops_and_settles_nothing(queue):
    orders = [for_customer(1, "7"), for_customer(2, "8")]
    for order in orders:
        await queue.submit(order)
    stepped, writer = SteppedTime(), BatchWriter()
    running = asyncio.create_task(worker_on(queue, writer, stepped).run_once())
    await until(lambda: writer.batches and len(stepped.sleeps) == 2, "the batch and its keepers")

    # when another worker took one of them over (this one was cut off for a lease)
    stepped.now = T0 + timedelta(seconds=LEASE_S + 1)
    taken = await queue.claim("other", LEASE_S, stepped.now)
    stepped.advance(0)

    # then the batch stops, and nothing of it is settled by this worker
    assert await running
    assert writer.cancelled
    assert (await queue.get(taken.id)) == taken
    assert {(await queue.get(o.id)).status for o in orders} == {CommandStatus.RUNNING}


# --- Against the emulator ---------------------------------------------------------------


@pytest.mark.slow
async def test_a_large_drain_spends_a_tenth_of_a_call_per_order_and_places_each_once(tmp_path):
    with serve_in_thread(emulator.create_app(emulator.EmulatorOptions(seed=4))) as odoo:
        domain = [["customer_rank", ">", 0], ["parent_id", "=", False]]
        people = odoo_rpc(
            odoo, "res.partner", "search_read", [domain], {"fields": ["id"], "limit": 20}
        )
        stocked = [
            ["is_storable", "=", True],
            ["free_qty", ">", 100],
            ["uom_id.name", "=", "Units"],
        ]
        products = odoo_rpc(
            odoo, "product.product", "search_read", [stocked], {"fields": ["id"], "limit": 20}
        )
        queue = open_command_queue(f"sqlite:///{tmp_path}/queue.sqlite3")
        orders = []
        for n in range(300):
            payload = {
                "customer_id": str(people[n % len(people)]["id"]),
                "lines": [
                    {
                        "product_id": str(products[n % len(products)]["id"]),
                        "quantity": "1",
                        "unit": "C62",
                    }
                ],
            }
            stored, _ = await queue.submit(command(n, payload=payload, key=f"drain-{n}"))
            orders.append(stored)
        calls = EmulatorCalls(odoo)
        calls.reset()
        async with httpx.AsyncClient(timeout=30) as client:
            http = BackendHttp(client, odoo, backend="erp", system="Odoo")
            writer = open_odoo_writer(http, OdooConnection("demo", "admin", "admin"))
            worker = Worker(queue, writer, QueueSettings(url="unused", batch_size=100))
            while await worker.run_once():
                pass
        seen = calls.snapshot()
        counts = await queue.counts()
        await queue.close()
        references = odoo_rpc(
            odoo,
            "sale.order",
            "search_read",
            [[["client_order_ref", "=like", "EGW-%"]]],
            {"fields": ["client_order_ref"]},
        )
    assert counts[CommandStatus.CONFIRMED] == 300
    assert sorted(r["client_order_ref"] for r in references) == sorted(
        f"EGW-{o.id}" for o in orders
    )
    assert seen["total"] / 300 <= 0.1, seen
