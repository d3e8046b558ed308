"""Authentication overhead: what a request pays to become a `Principal`.

Sends `{ viewer { subject } }` (no backend call) to one gateway, interleaving the ways a
client can authenticate, and prints the median and p90 latency of each next to the
anonymous request: a JWT (HS256), a partner API token in SQLite, and one in Redis (a
second gateway, same settings otherwise; skipped without Redis). Then a customer token
against a customer's orders with the cache warm, against staff: the ownership filter's
cost.

    .venv/bin/python -m bench.auth [--runs 300] [--redis redis://127.0.0.1:6379/15]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from contextlib import ExitStack
from dataclasses import replace

import httpx

from bench.harness import sandbox
from gateway.auth.principal import PrincipalKind
from gateway.auth.token_store import open_token_store
from gateway.config import CacheSettings, Settings
from gateway.wiring.app import create_app
from gateway.wiring.server import serve_in_thread
from tests.harness import TEST_AUTH, bearer, first_customer_id, odoo_settings, token_for
from tests.resolvers.queries import encode

VIEWER = {"query": "{ viewer { subject } }"}
ORDERS = "query($id: ID!) { customer(id: $id) { orders(first: 20) { nodes { number } } } }"


def partner_token(store: str) -> str:
    async def create() -> str:
        tokens = open_token_store(store)
        try:
            _, presented = await tokens.create("bench", frozenset({"stock:read"}), (), None)
        finally:
            await tokens.close()
        return presented

    return asyncio.run(create())


def timed(url: str, body: dict, headers: dict[str, str], client: httpx.Client) -> float:
    started = time.perf_counter()
    response = client.post(f"{url}/graphql", json=body, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200 or "errors" in response.json():
        raise SystemExit(f"the request failed: {response.text}")
    return elapsed


def report(label: str, samples: list[float], baseline: float | None) -> None:
    median = statistics.median(samples)
    p90 = statistics.quantiles(samples, n=10)[-1]
    extra = "" if baseline is None else f"   +{median - baseline:5.2f} ms"
    print(f"  {label:<28} {median:6.2f} ms   p90 {p90:6.2f} ms{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args()

    sqlite_store = f"sqlite:///{tempfile.mkdtemp(prefix='bench-auth-')}/auth.sqlite3"
    with ExitStack() as stack:
        odoo = stack.enter_context(sandbox("odoo", 0))
        base = odoo_settings(odoo)
        cached = replace(base, cache=CacheSettings(), auth=replace(TEST_AUTH, store=sqlite_store))
        gateways: dict[str, Settings] = {"sqlite": cached}
        try:
            partner_token(args.redis)
            gateways["redis"] = replace(cached, auth=replace(TEST_AUTH, store=args.redis))
        except Exception as exc:
            print(f"(no Redis at {args.redis}: {type(exc).__name__}; its row is skipped)")
        urls = {
            name: stack.enter_context(serve_in_thread(create_app(settings)))
            for name, settings in gateways.items()
        }
        ways = {
            "anonymous": (urls["sqlite"], {}),
            "JWT (HS256)": (urls["sqlite"], bearer(token_for())),
            "API token (SQLite store)": (urls["sqlite"], bearer(partner_token(sqlite_store))),
        }
        if "redis" in urls:
            ways["API token (Redis store)"] = (urls["redis"], bearer(partner_token(args.redis)))
        samples: dict[str, list[float]] = {way: [] for way in ways}
        with httpx.Client(timeout=30) as client:
            for _ in range(20):  # warm-up: connections, first imports
                for url, headers in ways.values():
                    timed(url, VIEWER, headers, client)
            for _ in range(args.runs):
                for way, (url, headers) in ways.items():
                    samples[way].append(timed(url, VIEWER, headers, client))
            print(f"auth overhead, {{ viewer {{ subject }} }}, {args.runs} interleaved runs each")
            baseline = statistics.median(samples["anonymous"])
            for way, values in samples.items():
                report(way, values, None if way == "anonymous" else baseline)

            customer_id = encode("Customer", first_customer_id(odoo))
            body = {"query": ORDERS, "variables": {"id": customer_id}}
            as_customer = bearer(token_for(PrincipalKind.CUSTOMER, customer_id=customer_id))
            owned = {"staff": bearer(token_for()), "customer (ownership filter)": as_customer}
            owned_samples: dict[str, list[float]] = {way: [] for way in owned}
            for _ in range(20):
                for headers in owned.values():
                    timed(urls["sqlite"], body, headers, client)
            for _ in range(args.runs):
                for way, headers in owned.items():
                    owned_samples[way].append(timed(urls["sqlite"], body, headers, client))
            print("20 orders of one customer, cache warm")
            staff = statistics.median(owned_samples["staff"])
            for way, values in owned_samples.items():
                report(way, values, None if way == "staff" else staff)


if __name__ == "__main__":
    main()
