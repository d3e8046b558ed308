"""Customer-360 benchmark: one deep query against the Odoo emulator over HTTP.

Runs the query a customer portal sends (a customer, 50 orders with lines, products,
stock, invoices and payments) against a gateway in front of the Odoo emulator started
with `--latency-ms 10`, and prints the backend calls per query and the latency, next to
the same query 5 orders deep. The emulator runs as its own process, as a real Odoo
would; the gateway runs in this one, on loopback.

    .venv/bin/python -m bench.customer_360 [--runs 30] [--latency-ms 10] [--first 50]
"""

from __future__ import annotations

import argparse

from bench.harness import sandbox, timed_runs
from gateway.wiring.app import create_app
from gateway.wiring.server import serve_in_thread
from tests.harness import EmulatorCalls, first_customer_id, odoo_settings
from tests.resolvers.queries import CUSTOMER_360, encode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--latency-ms", type=float, default=10.0)
    parser.add_argument("--first", type=int, default=50)
    args = parser.parse_args()

    with (
        sandbox("odoo", args.latency_ms) as odoo,
        serve_in_thread(create_app(odoo_settings(odoo))) as gateway,
    ):
        erp = {"erp": EmulatorCalls(odoo)}
        customer = encode("Customer", first_customer_id(odoo))

        def body(first: int) -> dict:
            return {"query": CUSTOMER_360, "variables": {"id": customer, "first": first}}

        shallow = timed_runs(gateway, body(5), 5, erp)
        deep = timed_runs(gateway, body(args.first), args.runs, erp)
        by_method = erp["erp"].snapshot()["calls"]

    print(
        f"customer-360 query, {args.first} orders deep, Odoo emulator --latency-ms "
        f"{args.latency_ms:g}, {args.runs} runs after 3 warm-up"
    )
    print(
        f"backend calls per query: {deep.median_calls('erp'):g}; "
        f"with 5 orders deep: {shallow.median_calls('erp'):g}"
    )
    for method, count in sorted(by_method.items()):
        print(f"  {method:<40} {count}")
    print(
        f"median latency: {deep.median_ms:.1f} ms ({deep.spread()}); "
        f"5 orders deep: {shallow.median_ms:.1f} ms"
    )
    serial = deep.median_calls("erp") * args.latency_ms
    print(f"the same calls one after another would take >= {serial:.0f} ms of backend latency")


if __name__ == "__main__":
    main()
