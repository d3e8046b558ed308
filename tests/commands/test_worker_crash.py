"""Nothing lost, nothing duplicated: a worker process killed with SIGKILL in the middle
of draining 200 queued orders, then a new one started, leaves exactly 200 orders in the
ERP, none twice. And recovery in seconds: with a short lease, which the living worker
renews while its slow commands run, the killed worker's commands are resumed by the
next worker within the lease."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from gateway.commands.model import Command, CommandStatus
from gateway.commands.queue import open_command_queue
from gateway.config import load_settings
from gateway.wiring.app import create_app
from resolvers.node import encode_id
from tests.commands.conftest import STAFF
from tests.harness import TEST_SECRET, data_of, graphql, odoo_rpc
from tests.servers import free_port, serve_in_thread

# Starts an emulator and gateways on sockets, and workers.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[2]
ORDERS = 200
PLACE = """mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { receipt { commandId status } userErrors { code message } } }"""
ENV = {**os.environ, "ODOO_API_KEY": "admin", "ERP_GATEWAY_JWT_SECRET": TEST_SECRET.reveal()}


def erp_gateway(*args: str, log: Path) -> subprocess.Popen:
    """The command as its own process, its output in `log` (a pipe nobody reads would
    fill up and stop it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "gateway", *args],
        cwd=ROOT,
        env=ENV,
        text=True,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )


def wait_for_line(process: subprocess.Popen, log: Path, start: str) -> None:
    deadline = time.monotonic() + 30
    while not any(line.startswith(start) for line in log.read_text().splitlines()):
        assert process.poll() is None, f"{process.args!r} ended: {log.read_text()}"
        assert time.monotonic() < deadline, f"{process.args!r} did not print {start!r}"
        time.sleep(0.05)


def gateway_orders(odoo: str) -> list[str]:
    ours = [["client_order_ref", "=like", "EGW-%"]]
    rows = odoo_rpc(odoo, "sale.order", "search_read", [ours], {"fields": ["client_order_ref"]})
    return [row["client_order_ref"] for row in rows]


def confirmed(queue_file: Path) -> int:
    async def count() -> int:
        queue = open_command_queue(f"sqlite:///{queue_file}")
        try:
            return (await queue.counts()).get(CommandStatus.CONFIRMED, 0)
        finally:
            await queue.close()

    return asyncio.run(count())


def commands(queue_file: Path, ids: list[str]) -> list[Command]:
    async def read() -> list[Command]:
        queue = open_command_queue(f"sqlite:///{queue_file}")
        try:
            return [command for i in ids if (command := await queue.get(i)) is not None]
        finally:
            await queue.close()

    return asyncio.run(read())


def wait_until(condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def start_odoo(tmp_path: Path, latency_ms: int):
    port, log = free_port(), tmp_path / "odoo.log"
    command = ("sandbox", "odoo", "--port", str(port), "--seed", "5")
    sandbox = erp_gateway(*command, "--latency-ms", str(latency_ms), log=log)
    try:
        wait_for_line(sandbox, log, "Odoo emulator")
        yield f"http://127.0.0.1:{port}"
    finally:
        sandbox.kill()
        sandbox.wait()


@pytest.fixture
def odoo(tmp_path):
    yield from start_odoo(tmp_path, latency_ms=15)


@pytest.fixture
def slow_odoo(tmp_path):
    yield from start_odoo(tmp_path, latency_ms=200)


def write_config(
    tmp_path: Path, odoo: str, lease_s: float, erp: str = "", batch_size: int = 100
) -> Path:
    config = tmp_path / "gateway.toml"
    config.write_text(f"""
[backends.erp]
kind = "odoo"
url = "{odoo}"
database = "demo"
credentials_env = "ODOO_API_KEY"
retries = 0
{erp}
[auth]
store = "sqlite:///{tmp_path}/auth.sqlite3"
[queue]
url = "sqlite:///{tmp_path / "queue.sqlite3"}"
worker = false
sync_wait_ms = 0
lease_s = {lease_s}
concurrency = 4
batch_size = {batch_size}
""")
    return config


def accept_orders(config: Path, odoo: str, orders: int) -> list[str]:
    """Queue `orders` orders through a gateway without a worker; their command ids."""
    settings = load_settings(config, ENV)
    with serve_in_thread(create_app(settings)) as gateway:
        products = data_of(
            graphql(
                gateway,
                """{ products(first: 100) { nodes { sku salesUnit
                           stock { available { value } } } } }""",
                token=STAFF,
            )
        )["products"]["nodes"]
        skus = [
            p["sku"]
            for p in products
            if p["stock"]
            and float(p["stock"]["available"]["value"]) >= 5
            and p["salesUnit"] == "C62"
        ]
        unlimited = [["customer_rank", ">", 0], ["use_partner_credit_limit", "=", False]]
        customers = odoo_rpc(
            odoo, "res.partner", "search_read", [unlimited], {"fields": ["id"], "limit": 20}
        )

        def accept(n: int) -> str:
            variables = {
                "input": {
                    "customerId": encode_id("Customer", str(customers[n % len(customers)]["id"])),
                    "lines": [{"sku": skus[n % len(skus)], "quantity": "1"}],
                }
            }
            payload = data_of(graphql(gateway, PLACE, variables, token=STAFF))["placeOrder"]
            assert payload["userErrors"] == [], payload
            assert payload["receipt"]["status"] == "QUEUED"
            return payload["receipt"]["commandId"]

        with ThreadPoolExecutor(8) as pool:
            accepted = list(pool.map(accept, range(orders)))
    assert len(set(accepted)) == orders
    assert gateway_orders(odoo) == []  # no worker yet: all of them wait in the queue
    return accepted


def test_a_killed_worker_loses_nothing_and_duplicates_nothing(tmp_path, odoo):
    # (small batches at 20 calls a second: the kill lands in the middle of the drain,
    # likely between a batch's create and its confirm)
    queue_file = tmp_path / "queue.sqlite3"
    config = write_config(tmp_path, odoo, lease_s=10, erp='rate_limit = "20/second"', batch_size=5)
    accepted = accept_orders(config, odoo, ORDERS)

    first = erp_gateway("worker", "--config", str(config), log=tmp_path / "worker-1.log")
    try:
        wait_until(lambda: len(gateway_orders(odoo)) >= 40, 60, "the first worker to get going")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    done_when_killed = len(gateway_orders(odoo))
    assert done_when_killed < ORDERS, "the worker was killed in the middle of the queue"

    second = erp_gateway("worker", "--config", str(config), log=tmp_path / "worker-2.log")
    try:
        wait_until(lambda: confirmed(queue_file) == ORDERS, 120, "the second worker to finish")
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0

    references = gateway_orders(odoo)
    assert len(references) == ORDERS
    assert len(set(references)) == ORDERS
    assert set(references) == {f"EGW-{command}" for command in accepted}


SLOW_ORDERS = 12
LEASE_S = 2.0


def test_a_killed_workers_commands_resume_within_the_lease_and_run_once(tmp_path, slow_odoo):
    # given orders queued against an Odoo so slow, and so limited, that each order (some
    # 7 calls, the worker's 4 lanes sharing 5 calls a second) outlasts the 2 s lease
    # several times, each lane's at its own pace (one order at a time: batches of one)
    queue_file = tmp_path / "queue.sqlite3"
    config = write_config(
        tmp_path, slow_odoo, lease_s=LEASE_S, erp='rate_limit = "6/second"', batch_size=1
    )
    accepted = accept_orders(config, slow_odoo, SLOW_ORDERS)

    # when a worker has confirmed a few (renewing their leases as they ran) and holds
    # others, and is killed
    log = tmp_path / "worker-1.log"
    first = erp_gateway("worker", "--config", str(config), log=log)
    try:
        wait_until(lambda: confirmed(queue_file) >= 4, 120, "the first worker's first orders")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    at_kill = commands(queue_file, accepted)
    done_first = [c for c in at_kill if c.status is CommandStatus.CONFIRMED]
    held = [c.id for c in at_kill if c.status is CommandStatus.RUNNING]
    assert held, "the worker was killed holding commands"
    # while the first worker lived, none of its commands was taken over (by one of its own
    # lanes, free again while another lane still ran an order): each took one attempt
    assert [c.attempts for c in done_first] == [1] * len(done_first)

    # then the next worker resumes the held commands within the lease (plus a margin for
    # a busy machine), and finishes every order
    log = tmp_path / "worker-2.log"
    second = erp_gateway("worker", "--config", str(config), log=log)
    try:
        wait_for_line(second, log, "worker ")
        started = time.monotonic()

        def resumed() -> bool:
            return all(c.attempts >= 2 for c in commands(queue_file, held))

        wait_until(resumed, 60, "the held commands to be resumed")
        assert time.monotonic() - started < LEASE_S + 3
        wait_until(lambda: confirmed(queue_file) == SLOW_ORDERS, 120, "every order")
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0

    # and the ERP has each order exactly once
    references = gateway_orders(slow_odoo)
    assert sorted(references) == sorted(f"EGW-{command}" for command in accepted)
