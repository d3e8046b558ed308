"""Black Friday burst, the founding scenario: 5,000 placeOrder mutations from 200
concurrent clients against an Odoo emulator that allows 99 calls a minute and fails 5 %
of them.

Every order that the stock allows must be accepted at once (persisted, answered QUEUED)
and reach the ERP exactly once; no product may be sold beyond its stock. Prints the
acceptance time and latency, the ERP calls spent while accepting, the drain time, the
ERP calls per order, the 429s the gateway received, the emulator's count of gateway
orders with duplicates, and per product the quantity confirmed against the stock.

    .venv/bin/python -m bench.burst [--orders 5000] [--clients 200] [--workers 2]
        [--rate-limit 99/minute] [--fail-rate 0.05] [--drain-timeout 600]

The gateway runs as an operator runs it, `erp-gateway serve --workers N` (default 2, one
per core here) on a gateway.toml, and the clients from a process of their own with a
client that costs next to no CPU (`bench.lean_client`): on a 2-core machine they share
the cores with the gateway they measure.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sqlite3
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import replace
from typing import Any

import httpx

from bench.harness import sandbox, served_gateway
from bench.lean_client import LeanClient
from erp_backends.http import Resilience
from erp_backends.rate_limit import RateLimit
from gateway.auth.principal import PrincipalKind
from gateway.auth.scopes import SCOPES
from gateway.commands.model import CommandStatus
from gateway.commands.queue import open_command_queue
from gateway.config import CacheSettings, QueueSettings, Settings
from gateway.wiring.worker_process import run_worker
from resolvers.node import encode_id
from tests.harness import TEST_SECRET, bearer, odoo_rpc, odoo_settings, token_for

PLACE = """mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { receipt { commandId status } userErrors { code message } } }"""
WRITER = token_for(PrincipalKind.PARTNER, scopes=frozenset(SCOPES), subject="bench-partner")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rate-limit", default="99/minute")
    parser.add_argument("--fail-rate", default="0.05")
    parser.add_argument("--latency-ms", type=float, default=5.0)
    parser.add_argument(
        "--drain-after", action="store_true", help="accept every order first, then start the worker"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="gateway processes (`serve --workers`)"
    )
    parser.add_argument(
        "--drain-timeout", type=float, default=600.0, help="stop waiting for the drain after this"
    )
    args = parser.parse_args()

    limit = RateLimit.parse(args.rate_limit)
    with sandbox(
        "odoo", args.latency_ms, "--rate-limit", args.rate_limit, "--fail-rate", args.fail_rate
    ) as odoo:
        customers, stock = world(odoo)
        skus = sorted(stock)
        time.sleep(2)  # the emulator's bucket refills after the lookups
        queue_url = f"sqlite:///{tempfile.mkdtemp(prefix='bench-burst-')}/queue.sqlite3"
        # A little under the ERP's limit: the two clocks never tick quite together.
        margin = RateLimit(max(1, int(limit.count * 0.95)), limit.period_s)
        settings = replace(
            odoo_settings(odoo, rate_limit=margin, resilience=Resilience(timeout_s=10, retries=3)),
            cache=CacheSettings(),
            queue=QueueSettings(
                url=queue_url, sync_wait_ms=0, concurrency=8, worker=not args.drain_after
            ),
        )
        config = gateway_toml(odoo, margin, queue_url, worker=not args.drain_after)
        secrets = {"ODOO_API_KEY": "admin", "ERP_GATEWAY_JWT_SECRET": TEST_SECRET.reveal()}
        with served_gateway(config, args.workers, secrets) as served:
            httpx.delete(f"{odoo}/_emulator/calls")
            # The clients run in a process of their own, so they do not share the
            # gateway's interpreter (and its GIL). Time counts from the first mutation
            # sent (perf_counter is the machine's monotonic clock in both processes),
            # not from the start of the clients' process.
            with multiprocessing.get_context("spawn").Pool(1) as pool:
                results = pool.apply(
                    run_clients, (served.url, args.orders, args.clients, customers, skus)
                )
            started = min(sent for _, _, sent in results)
            accepted_s = max(sent + seconds for _, seconds, sent in results) - started
            accepted = sum(outcome == "accepted" for outcome, _, _ in results)
            acceptance_calls = httpx.get(f"{odoo}/_emulator/calls").json()
            if args.drain_after:
                drained_s = asyncio.run(drain_with_a_worker(settings, accepted, args.drain_timeout))
            else:
                drained_s = asyncio.run(wait_for_drain(queue_url, accepted, args.drain_timeout))
            drain_end = time.perf_counter() - started
        counts = asyncio.run(final_counts(queue_url))
        failures = failure_codes(queue_url)
        calls = httpx.get(f"{odoo}/_emulator/calls").json()
        ours = [["client_order_ref", "=like", "EGW-%"]]
        fields = {"fields": ["client_order_ref"]}
        rows = patient_rpc(odoo, "sale.order", "search_read", [ours], fields)
        references = [row["client_order_ref"] for row in rows]
        sold = confirmed_quantities(odoo)
    report(
        args, results, accepted_s, drained_s, drain_end, counts, calls, acceptance_calls, references
    )
    oversold = {sku: (sold[sku], stock[sku]) for sku in sold if sold[sku] > stock[sku]}
    print(
        f"stock: {len(sold)} products sold, none beyond its stock"
        if not oversold
        else f"stock: OVERSOLD (confirmed, stock): {oversold}"
    )
    for sku in sorted(sold, key=lambda s: sold[s] / stock[s], reverse=True)[:5]:
        print(f"  {sku}: {sold[sku]:g} confirmed of {stock[sku]:g} in stock")
    worker = "without the worker's" if args.drain_after else "the worker's included"
    print(
        f"ERP calls while accepting ({worker}): {acceptance_calls['total']} "
        f"{dict(sorted(acceptance_calls['calls'].items()))}"
    )
    if failures:
        print(f"refused by the ERP: {dict(failures)}")


def gateway_toml(odoo: str, limit: RateLimit, queue_url: str, *, worker: bool) -> str:
    """gateway.toml for the burst: the emulated Odoo behind its rate limit, an in-memory
    cache, the queue at `queue_url` answering QUEUED at once, a worker unless not, and
    the tests' JWT secret (from the environment `served_gateway` gives)."""
    folder = queue_url.removeprefix("sqlite:///").rpartition("/")[0]
    return f"""
[backends.erp]
kind = "odoo"
url = "{odoo}"
database = "demo"
credentials_env = "ODOO_API_KEY"
rate_limit = "{limit}"
timeout_s = 10
retries = 3

[cache]
url = "memory://"

[auth]
secret_env = "ERP_GATEWAY_JWT_SECRET"
store = "sqlite:///{folder}/auth.sqlite3"

[queue]
url = "{queue_url}"
sync_wait_ms = 0
concurrency = 8
worker = {str(worker).lower()}
"""


def patient_rpc(odoo: str, model: str, method: str, args: list, kwargs: dict) -> Any:
    """`odoo_rpc`, again after a pause while the emulator throttles or fails it (the
    benchmark's own reads are subject to its rate limit and faults too)."""
    for _ in range(120):
        try:
            return odoo_rpc(odoo, model, method, args, kwargs)
        except (ValueError, AssertionError, httpx.HTTPError):
            time.sleep(1)
    return odoo_rpc(odoo, model, method, args, kwargs)


def world(odoo: str) -> tuple[list[str], dict[str, float]]:
    """Customers without a credit limit, and the free stock of each product sold by the
    unit that has some (a few run out during the burst: they must not be oversold)."""
    unlimited = [["customer_rank", ">", 0], ["use_partner_credit_limit", "=", False]]
    partners = patient_rpc(odoo, "res.partner", "search_read", [unlimited], {"fields": ["id"]})
    quant_fields = {"fields": ["product_id", "quantity", "reserved_quantity"]}
    quants = patient_rpc(odoo, "stock.quant", "search_read", [[]], quant_fields)
    free: defaultdict[int, float] = defaultdict(float)
    for quant in quants:
        free[quant["product_id"][0]] += quant["quantity"] - quant["reserved_quantity"]
    by_the_unit = [["uom_id", "=", 1], ["sale_ok", "=", True]]
    products = patient_rpc(
        odoo, "product.product", "search_read", [by_the_unit], {"fields": ["id", "default_code"]}
    )
    stock = {p["default_code"]: free[p["id"]] for p in products if free[p["id"]] >= 1}
    return [encode_id("Customer", str(p["id"])) for p in partners], stock


def confirmed_quantities(odoo: str) -> Counter[str]:
    """What the gateway's confirmed orders hold of each product, by SKU."""
    ours = [["order_id.client_order_ref", "=like", "EGW-%"], ["order_id.state", "=", "sale"]]
    fields = {"fields": ["product_id", "product_uom_qty"]}
    lines = patient_rpc(odoo, "sale.order.line", "search_read", [ours], fields)
    products = patient_rpc(
        odoo, "product.product", "search_read", [[]], {"fields": ["id", "default_code"]}
    )
    sku_of = {p["id"]: p["default_code"] for p in products}
    sold: Counter[str] = Counter()
    for line in lines:
        sold[sku_of[line["product_id"][0]]] += line["product_uom_qty"]
    return sold


# "accepted", a user error code or "error"; seconds taken; when it was sent (perf_counter)
Result = tuple[str, float, float]


def run_clients(
    gateway: str, orders: int, clients: int, customers: list[str], skus: list[str]
) -> list[Result]:
    return asyncio.run(burst(gateway, orders, clients, customers, skus))


async def burst(
    gateway: str, orders: int, clients: int, customers: list[str], skus: list[str]
) -> list[Result]:
    """The outcome and seconds of every mutation, sent by `clients` concurrent clients."""
    numbers = iter(range(orders))
    results: list[Result] = []

    async def client() -> None:
        async with LeanClient(gateway, bearer(WRITER)) as http:
            for n in numbers:
                variables = {
                    "input": {
                        "customerId": customers[n % len(customers)],
                        "lines": [{"sku": skus[n % len(skus)], "quantity": "1"}],
                        "idempotencyKey": f"bench-{n}",
                    }
                }
                sent = time.perf_counter()
                _, answer = await http.post_json(
                    "/graphql", {"query": PLACE, "variables": variables}
                )
                elapsed = time.perf_counter() - sent
                placed = (((answer or {}).get("data") or {}).get("placeOrder")) or {}
                errors = placed.get("userErrors") or [{"code": "error"}]
                outcome = "accepted" if placed.get("receipt") else errors[0]["code"]
                results.append((outcome, elapsed, sent))

    await asyncio.gather(*(client() for _ in range(clients)))
    return results


async def wait_for_drain(queue_url: str, accepted: int, timeout_s: float) -> float:
    """Seconds until every accepted command is settled (or dead), at most `timeout_s`."""
    queue = open_command_queue(queue_url)
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < timeout_s:
            counts = await queue.counts()
            settled = sum(n for status, n in counts.items() if status.is_final) + counts.get(
                CommandStatus.DEAD, 0
            )
            if settled >= accepted:
                break
            await asyncio.sleep(0.5)
        return time.perf_counter() - started
    finally:
        await queue.close()


async def drain_with_a_worker(settings: Settings, accepted: int, timeout_s: float) -> float:
    """Start a worker only now, and wait until it has settled every accepted order."""
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(settings, stop))
    try:
        return await wait_for_drain(settings.queue.url, accepted, timeout_s)
    finally:
        stop.set()
        await worker


async def final_counts(queue_url: str) -> dict[str, int]:
    queue = open_command_queue(queue_url)
    try:
        counts = await queue.counts()
        return {status.value: n for status, n in counts.items() if n}
    finally:
        await queue.close()


def failure_codes(queue_url: str) -> Counter[str]:
    """Why the ERP refused the FAILED commands (read straight from the SQLite file: the
    queue's port has no listing by status)."""
    path = queue_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT last_error FROM commands WHERE status = 'failed'").fetchall()
    return Counter(str(error).split(":")[0] for (error,) in rows)


def report(
    args, results, accepted_s, drained_s, drain_end, counts, calls, acceptance_calls, references
) -> None:
    latencies = sorted(seconds * 1000 for _, seconds, _ in results)
    outcomes = Counter(outcome for outcome, _, _ in results)
    accepted = outcomes["accepted"]
    p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))]
    duplicates = sum(n - 1 for n in Counter(references).values() if n > 1)
    faults = calls.get("faults", {})
    print(
        f"burst: {args.orders} placeOrder from {args.clients} clients; Odoo emulator "
        f"--rate-limit {args.rate_limit} --fail-rate {args.fail_rate} "
        f"--latency-ms {args.latency_ms}"
    )
    print(
        f"answered: {len(results)} in {accepted_s:.1f} s = "
        f"{len(results) / accepted_s:.0f} mutations/s; {dict(outcomes.most_common())}"
    )
    print(
        f"acceptance latency: median {statistics.median(latencies):.1f} ms, "
        f"p99 {p99:.1f} ms, max {latencies[-1]:.1f} ms"
    )
    print(f"answered per 5 s: {answered_per_window(results, 5.0)}")
    settled = sum(n for status, n in counts.items() if status not in ("queued", "running"))
    if settled >= accepted:
        print(
            f"drain: all settled {drain_end:.1f} s after the first mutation "
            f"({drained_s:.1f} s after the last was accepted)"
        )
    else:
        print(
            f"drain: NOT DONE, {settled} of {accepted} settled {drain_end:.1f} s after the "
            f"first mutation (--drain-timeout {args.drain_timeout:g})"
        )
    print(f"queue: {counts}")
    per_order = calls["total"] / max(accepted, 1)
    after = calls["total"] - acceptance_calls["total"]
    print(
        f"ERP calls: {calls['total']} ({per_order:.3f} per order), of which {after} after "
        f"the last acceptance ({after / max(accepted, 1):.3f} per order); sale.order.create "
        f"{calls['calls'].get('sale.order.create', 0)}; the emulator answered 429 "
        f"{faults.get('throttled', 0)} times, 503 {faults.get('failed', 0)} times"
    )
    print(
        f"ERP orders from the gateway: {len(references)} ({len(set(references))} distinct "
        f"references, {duplicates} duplicates)"
    )


def answered_per_window(results: list[Result], window_s: float) -> list[int]:
    """How many mutations were answered in each `window_s` since the first was sent: a
    slow start (cold caches, a spent rate limit) shows in the first windows."""
    first = min(sent for _, _, sent in results)
    counts = Counter(int((sent + seconds - first) // window_s) for _, seconds, sent in results)
    return [counts[window] for window in range(max(counts) + 1)]


if __name__ == "__main__":
    main()
