"""Cache benchmark: the federated customer-360 query cold and warm, memory and Redis.

Against the Odoo, HubSpot and WooCommerce emulators (own processes, `--latency-ms 10`),
two gateways run side by side: one with the in-memory cache, one with Redis. For each:

- cold: the first query for each of several customers (their records are not cached
  yet; products and stock they share with earlier customers may be);
- warm: the same query again for one customer;
- throughput: warm queries from concurrent clients for a few seconds.

    .venv/bin/python -m bench.cache [--runs 10] [--clients 8] [--seconds 5]
    REDIS_URL=redis://127.0.0.1:6379/15 (the default) picks the Redis
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import threading
import time
from dataclasses import replace

import httpx

from bench.federated_360 import federation
from bench.harness import Runs, timed_runs
from gateway.cache.caching import DEFAULT_TTLS
from gateway.cache.store import RecordStore, open_cache
from gateway.config import CacheSettings, Settings
from gateway.wiring.app import create_app
from gateway.wiring.server import serve_in_thread
from tests.harness import STAFF_TOKEN, EmulatorCalls, bearer, federated_settings
from tests.resolvers.queries import FEDERATED_360

FIND_CUSTOMERS = "{ customers(first: 100) { nodes { id crm { contactId } shop { id } } } }"


def customers_known_everywhere(gateway: str, count: int) -> list[str]:
    answer = httpx.post(
        f"{gateway}/graphql",
        json={"query": FIND_CUSTOMERS},
        headers=bearer(STAFF_TOKEN),
        timeout=60,
    ).json()
    known = [n["id"] for n in answer["data"]["customers"]["nodes"] if n["crm"] and n["shop"]]
    return known[:count]


def body(customer: str) -> dict:
    return {"query": FEDERATED_360, "variables": {"id": customer, "first": 50}}


def cold_runs(gateway: str, customers: list[str], counters: dict[str, EmulatorCalls]) -> Runs:
    runs = [timed_runs(gateway, body(c), 1, counters, warm_up=0) for c in customers]
    return Runs([r.timings_ms[0] for r in runs], [r.calls[0] for r in runs])


def throughput(gateway: str, customer: str, clients: int, seconds: float) -> float:
    done = [0] * clients
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        with httpx.Client(base_url=gateway, timeout=60, headers=bearer(STAFF_TOKEN)) as http:
            while time.monotonic() < stop:
                http.post("/graphql", json=body(customer)).raise_for_status()
                done[n] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / seconds


def clear(url: str) -> None:
    async def run() -> None:
        store = RecordStore(open_cache(url))
        await store.clear()
        await store.close()

    asyncio.run(run())


def with_cache(settings: Settings, url: str) -> Settings:
    return replace(settings, cache=CacheSettings(url=url, ttls=dict(DEFAULT_TTLS)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--latency-ms", type=float, default=10.0)
    args = parser.parse_args()
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    clear(redis)

    rows = []
    with federation(args.latency_ms) as (uncached, counters):
        urls = {role: str(c.url) for role, c in counters.items()}  # emulators on sockets
        base = federated_settings(urls["erp"], urls["crm"], urls["shop"])
        customers = customers_known_everywhere(uncached, args.runs + 1)
        for name, url in (("memory", "memory://"), ("redis", redis)):
            with serve_in_thread(create_app(with_cache(base, url))) as gateway:
                log_in = {"query": "{ products(first: 1) { totalCount } }"}
                timed_runs(gateway, log_in, 1, counters, warm_up=1)  # so cold runs measure records
                cold = cold_runs(gateway, customers[1:], counters)
                warm = timed_runs(gateway, body(customers[1]), args.runs * 3, counters)
                rps = throughput(gateway, customers[1], args.clients, args.seconds)
            rows.append((name, cold, warm, rps))
    clear(redis)

    print(
        f"federated customer-360 query (50 orders deep), emulators --latency-ms "
        f"{args.latency_ms:g}; cold: {args.runs} customers' first query; warm: "
        f"{args.runs * 3} repeats; throughput: {args.clients} clients, "
        f"{args.seconds:g} s"
    )
    print(
        f"{'cache':<8}{'cold calls':>12}{'cold median':>14}{'warm calls':>12}"
        f"{'warm median':>14}{'warm req/s':>12}"
    )
    for name, cold, warm, rps in rows:
        cold_calls = statistics.median(sum(run.values()) for run in cold.calls)
        warm_calls = statistics.median(sum(run.values()) for run in warm.calls)
        print(
            f"{name:<8}{cold_calls:>12g}{cold.median_ms:>11.1f} ms{warm_calls:>12g}"
            f"{warm.median_ms:>11.1f} ms{rps:>12.1f}"
        )


if __name__ == "__main__":
    main()
