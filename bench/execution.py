"""CPU per request of GraphQL execution, with basic fields run inline and without.

Builds the gateway in-process (no sockets: `tests.inprocess`) over the seed-1
emulators, no cache, and runs three queries as staff:

- flat: 50 products with their sku, name and list price (amount, currency), one Odoo call;
- nested: 50 products with their stock per warehouse;
- federated: the federated customer-360 (50 ERP orders with lines, products, stock and
  shop listings, the CRM profile, the shop orders), over Odoo, HubSpot and WooCommerce.

Each query runs with the schema's execution context switched between
`FastFieldsExecutionContext` ("fast") and the plain `BudgetedExecutionContext`
("plain"), in rounds that alternate which goes first (A/B then B/A), so a noisy
neighbour on a shared machine hits both alike. It prints the median CPU time
(`time.process_time`, the whole process: gateway and in-process emulators) per request
of each and fast / plain, then two figures less exposed to the noise: the median of
each round's fast / plain ("per round": neighbours in time) and fast / plain of the
10th percentiles ("p10"). Both answers are compared once: they must be equal. With
`--emulators processes` the emulators run as processes of their own (`erp-gateway
sandbox`, no added latency), so the figure is the gateway's CPU alone, as served.

    .venv/bin/python -m bench.execution [--rounds 15] [--per-round 10]
        [--only flat|nested|federated] [--emulators in-process|processes]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

import httpx
from strawberry.schema import BaseSchema

from bench.harness import sandbox
from erp_backends.hubspot import emulator as hubspot
from erp_backends.odoo import emulator as odoo
from erp_backends.woocommerce import emulator as woocommerce
from gateway.wiring import app as app_wiring
from gateway.wiring.app import freeze_startup_objects
from resolvers.execution.fast_fields import FastFieldsExecutionContext
from resolvers.limits.response_budget import BudgetedExecutionContext, budgeted
from tests.harness import STAFF_TOKEN, bearer, federated_settings, odoo_settings
from tests.inprocess import in_process_gateway
from tests.resolvers.queries import FEDERATED_360

ERP, CRM, SHOP = "http://erp.in-process", "http://crm.in-process", "http://shop.in-process"

FLAT = "{ products(first: 50) { nodes { sku name listPrice { amount currency } } } }"
NESTED = """{ products(first: 50) { nodes { sku name stock { warehouses {
    warehouse { code } onHand { value } reserved { value } } } } } }"""
LINKED = """{ customers(first: 100) { nodes { id crm { contactId }
    shop { id orders(first: 1) { totalCount } } } } }"""


@contextmanager
def gateway(
    federated: bool, separate_emulators: bool = False
) -> Iterator[tuple[httpx.Client, BaseSchema]]:
    """An in-process gateway and the schema it serves (caught as the app builds it).
    Its emulators are apps on the same loop, or with `separate_emulators` processes of
    their own (`erp-gateway sandbox`, no added latency), whose CPU is then not counted."""
    built: list[BaseSchema] = []
    schema_for = app_wiring.schema_for

    def keep(*args: Any, **kwargs: Any) -> BaseSchema:
        built.append(schema_for(*args, **kwargs))
        return built[-1]

    roles = {"erp": "odoo", **({"crm": "hubspot", "shop": "woocommerce"} if federated else {})}
    with ExitStack() as stack:
        emulators: dict[str, Any] = {}
        urls = {"erp": ERP, "crm": CRM, "shop": SHOP}
        if separate_emulators:
            urls |= {role: stack.enter_context(sandbox(kind, 0)) for role, kind in roles.items()}
        else:
            apps = {"odoo": odoo, "hubspot": hubspot, "woocommerce": woocommerce}
            for role, kind in roles.items():
                module = apps[kind]
                emulators[role] = module.create_app(module.EmulatorOptions(seed=1))
        settings = (
            federated_settings(urls["erp"], urls["crm"], urls["shop"])
            if federated
            else odoo_settings(urls["erp"])
        )
        stack.enter_context(mock.patch.object(app_wiring, "schema_for", keep))
        client = stack.enter_context(in_process_gateway(settings, emulators))
        yield client, built[0]


def ask(client: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> Any:
    answer = client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=bearer(STAFF_TOKEN)
    )
    body = answer.json()
    if answer.status_code != 200 or body.get("errors"):
        raise SystemExit(f"the query failed: {answer.status_code} {body.get('errors')}")
    return body["data"]


def linked_customer(client: httpx.Client) -> str:
    """A customer known to all three systems, with orders in the shop."""
    nodes = ask(client, LINKED)["customers"]["nodes"]
    return str(
        next(
            c["id"]
            for c in nodes
            if c["crm"] and c["shop"] and c["shop"]["orders"]["totalCount"] >= 3
        )
    )


def cpu_per_request(run: Callable[[], Any], times: int) -> list[float]:
    samples = []
    for _ in range(times):
        start = time.process_time()
        run()
        samples.append(time.process_time() - start)
    return samples


def compare(
    name: str,
    client: httpx.Client,
    schema: BaseSchema,
    query: str,
    variables: dict[str, Any] | None,
    rounds: int,
    per_round: int,
) -> None:
    max_bytes = schema.execution_context_class.max_response_bytes  # type: ignore[attr-defined]
    modes = {
        "fast": budgeted(max_bytes, FastFieldsExecutionContext),
        "plain": budgeted(max_bytes, BudgetedExecutionContext),
    }
    answers = {}
    for mode, context_class in modes.items():
        schema.execution_context_class = context_class  # type: ignore[attr-defined]
        answers[mode] = ask(client, query, variables)
        cpu_per_request(lambda: ask(client, query, variables), 5)  # warm up
    if json.dumps(answers["fast"], sort_keys=True) != json.dumps(answers["plain"], sort_keys=True):
        raise SystemExit(f"{name}: the fast and the plain answers differ")
    # As `erp-gateway serve` does after its start: what lives as long as the process
    # (here also the emulators' tables) is out of the collector's sight, or a full
    # collection's 50 ms would land on whichever request triggers it.
    freeze_startup_objects()
    samples: dict[str, list[float]] = {mode: [] for mode in modes}
    paired = []  # fast / plain of each round: neighbours in time share the noise
    for round_ in range(rounds):
        order = list(modes) if round_ % 2 == 0 else list(reversed(modes))
        this_round = {}
        for mode in order:
            schema.execution_context_class = modes[mode]  # type: ignore[attr-defined]
            this_round[mode] = cpu_per_request(lambda: ask(client, query, variables), per_round)
            samples[mode] += this_round[mode]
        paired.append(
            statistics.median(this_round["fast"]) / statistics.median(this_round["plain"])
        )
    schema.execution_context_class = modes["fast"]  # type: ignore[attr-defined]
    fast = statistics.median(samples["fast"]) * 1000
    plain = statistics.median(samples["plain"]) * 1000
    # A neighbour only ever adds CPU time (caches, frequency): the fastest tenth of the
    # requests is the least disturbed figure.
    low = {mode: statistics.quantiles(samples[mode], n=10)[0] for mode in modes}
    size = len(json.dumps(answers["fast"]))
    print(
        f"{name:<10} {size:>7,} B  plain {plain:7.2f} ms  fast {fast:7.2f} ms  "
        f"fast/plain {fast / plain:.3f}  per round {statistics.median(paired):.3f}  "
        f"p10 {low['fast'] / low['plain']:.3f}  ({len(samples['fast'])} requests each)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-round", type=int, default=10)
    parser.add_argument("--only", choices=["flat", "nested", "federated"], action="append")
    parser.add_argument(
        "--emulators",
        choices=["in-process", "processes"],
        default="in-process",
        help="processes: each emulator its own process, so only the gateway's CPU counts",
    )
    options = parser.parse_args()
    only = set(options.only or ["flat", "nested", "federated"])
    separate = options.emulators == "processes"
    counted = "the gateway alone" if separate else "gateway + in-process emulators"
    print(f"median CPU time per request (process_time: {counted})")
    if only & {"flat", "nested"}:
        with gateway(federated=False, separate_emulators=separate) as (client, schema):
            for name, query in (("flat", FLAT), ("nested", NESTED)):
                if name in only:
                    compare(name, client, schema, query, None, options.rounds, options.per_round)
    if "federated" in only:
        with gateway(federated=True, separate_emulators=separate) as (client, schema):
            variables = {"id": linked_customer(client), "first": 50}
            compare(
                "federated",
                client,
                schema,
                FEDERATED_360,
                variables,
                options.rounds,
                options.per_round,
            )


if __name__ == "__main__":
    main()
