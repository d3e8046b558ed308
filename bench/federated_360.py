"""Federated customer-360 benchmark: one query across the ERP, the CRM and the shop.

Runs the federated customer-360 query (the customer, its CRM profile, its shop account
and shop orders, and 50 ERP orders with lines, products, stock and shop listings)
against a gateway in front of the Odoo, HubSpot and WooCommerce emulators, each its own
process started with `--latency-ms 10`. The gateway is its own process too, run as an
operator runs it (`erp-gateway serve --config`): a client in the gateway's own process
would wait for the interpreter's lock at every answer, which no client of a deployed
gateway does (2-3 ms a query here). It prints:

- the backend calls per query, per system;
- the median latency, next to each system's branch queried alone: the whole should
  cost about the slowest branch, not the sum; and the gateway's CPU time per query
  (its process's, every thread): the latency over the critical path is that CPU, where
  it does not overlap the waits;
- the critical path: how many dependent backend calls the slowest chain makes,
  measured as the slope of the median latency between `--latency-ms` and
  `--slope-latency-ms` (CPU time is the same in both runs, so the difference is
  latency x depth), and the critical-path latency it implies;
- last, the median latency over the critical-path latency, against its target (1.5).

"Uncached", not cold: the gateway has no record cache (every TTL 0) and no response
can be kept longer than its records, so every timed run asks the backends for every
record (a run that made no backend call stops the benchmark); but the warm-up runs have
taught the process what it keeps for good (logins, field names, reference codes, owner
lists), as any gateway that has served a few requests knows them.

    .venv/bin/python -m bench.federated_360 [--runs 20] [--latency-ms 10] [--slope-latency-ms 60]

`--serve` only serves the federation (emulators without latency) until SIGTERM, after a
line naming its URL and customer: what `bench/instructions.py --query federated`
counts under callgrind.
"""

from __future__ import annotations

import argparse
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial

import httpx

from bench.harness import Runs, group_cpu_s, sandbox, served_gateway, timed_runs
from erp_backends import registry
from gateway.cache.entities import Entity
from gateway.wiring.app import create_app
from gateway.wiring.server import serve_in_thread
from tests.harness import (
    STAFF_TOKEN,
    TEST_SECRET,
    EmulatorCalls,
    bearer,
    federated_settings,
)
from tests.resolvers.queries import FEDERATED_360

ROLES = {"erp": "odoo", "crm": "hubspot", "shop": "woocommerce"}
# The whole should cost about its critical path: latency times depth, plus some CPU.
TARGET_RATIO = 1.5
FIND_CUSTOMER = """{ customers(first: 100) { nodes {
    id crm { contactId } shop { id } orders(first: 0) { totalCount } } } }"""
BRANCHES = {
    "erp": """query($id: ID!) { customer(id: $id) { orders(first: 50) { nodes {
              number total { amount } lines { product { sku stock { available { value } } } }
              invoices { number payments { number } } } } } }""",
    "crm": """query($id: ID!) { customer(id: $id) { crm { contactId companyName
              accountManager { name } openDeals { name amount { amount } } } } }""",
    "shop": """query($id: ID!) { customer(id: $id) { shop { email orders(first: 20) {
               nodes { number status total { amount } } } } } }""",
}


@dataclass(frozen=True)
class Federation:
    gateway: str  # its URL
    counters: dict[str, EmulatorCalls]  # per role: the calls its emulator received
    gateway_cpu_s: Callable[[], float]  # the gateway's CPU seconds so far


@contextmanager
def served_federation(latency_ms: float) -> Iterator[Federation]:
    """The three emulators and the gateway, each its own process."""
    with ExitStack() as stack:
        urls = {
            role: stack.enter_context(sandbox(system, latency_ms)) for role, system in ROLES.items()
        }
        config, environ = gateway_config(urls, tempfile.mkdtemp(prefix="bench-federated-"))
        served = stack.enter_context(served_gateway(config, 1, environ))
        yield Federation(
            served.url,
            {role: EmulatorCalls(url) for role, url in urls.items()},
            partial(group_cpu_s, served.group),
        )


def gateway_config(urls: dict[str, str], folder: str) -> tuple[str, dict[str, str]]:
    """The gateway.toml of the federation, every cache TTL 0, and the environment that
    holds its secrets: the emulators' credentials and the tests' JWT secret."""
    environ = {"ERP_GATEWAY_JWT_SECRET": TEST_SECRET.reveal()}
    lines = []
    for role, system in ROLES.items():
        emulator = registry.kind(role, system).emulator
        assert emulator is not None, f"{system} has no emulator"
        flags = emulator.defaults()
        access = emulator.load().access(flags)
        environ[f"BENCH_{role.upper()}_CREDENTIALS"] = access.credentials
        lines += [
            f"[backends.{role}]",
            f'kind = "{system}"',
            f'url = "{urls[role]}"',
            f'credentials_env = "BENCH_{role.upper()}_CREDENTIALS"',
            "timeout_s = 5",
            "retries = 0",  # as the tests' gateway: a failure shows at once
        ]
        if role == "erp":  # the sandbox's database and API user
            lines += [f'database = "{flags["database"]}"', f'login = "{flags["login"]}"']
        lines.append("")
    lines += ["[cache]", 'url = "memory://"', ""]
    for role in ROLES:  # uncached: every record read from its backend on every run
        lines += [f"[cache.ttl.{role}]", *(f"{e.local_name} = 0" for e in Entity.of_role(role))]
        lines.append("")
    lines += [
        # One client's latency, as many runs as asked for: no per-client rate limit
        # (at 7 tokens a query, staff's bucket runs dry after about 150).
        "[limits]",
        "enabled = false",
        "",
        "[auth]",
        'secret_env = "ERP_GATEWAY_JWT_SECRET"',
        f'store = "sqlite:///{folder}/auth.sqlite3"',
        "",
        "[queue]",
        f'url = "sqlite:///{folder}/queue.sqlite3"',
    ]
    return "\n".join(lines) + "\n", environ


@contextmanager
def federation(latency_ms: float) -> Iterator[tuple[str, dict[str, EmulatorCalls]]]:
    """The three emulators (own processes) and the gateway in a thread of this process
    (for `--serve`, whose process callgrind counts); yields its URL and counters."""
    with ExitStack() as stack:
        urls = {
            role: stack.enter_context(sandbox(system, latency_ms)) for role, system in ROLES.items()
        }
        settings = federated_settings(urls["erp"], urls["crm"], urls["shop"])
        # As `erp-gateway serve` runs it: startup objects frozen out of the collector.
        gateway = stack.enter_context(serve_in_thread(create_app(settings, serving=True)))
        yield gateway, {role: EmulatorCalls(url) for role, url in urls.items()}


def customer_known_everywhere(gateway: str) -> str:
    """Of the customers that the CRM and the shop know too, the one with most orders."""
    answer = httpx.post(
        f"{gateway}/graphql",
        json={"query": FIND_CUSTOMER},
        headers=bearer(STAFF_TOKEN),
        timeout=60,
    ).json()
    known = [n for n in answer["data"]["customers"]["nodes"] if n["crm"] and n["shop"]]
    return str(max(known, key=lambda n: n["orders"]["totalCount"])["id"])


def measure(latency_ms: float, runs: int, with_branches: bool) -> tuple[Runs, dict[str, Runs]]:
    with served_federation(latency_ms) as federated:
        timed = partial(
            timed_runs,
            federated.gateway,
            runs=runs,
            backends=federated.counters,
            server_cpu_s=federated.gateway_cpu_s,
        )
        customer = customer_known_everywhere(federated.gateway)
        result = timed({"query": FEDERATED_360, "variables": {"id": customer, "first": 50}})
        every_run_called_backends(result)
        branches = {}
        if with_branches:
            for role, query in BRANCHES.items():
                branches[role] = timed({"query": query, "variables": {"id": customer}})
    return result, branches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=10.0)
    parser.add_argument("--slope-latency-ms", type=float, default=60.0)
    parser.add_argument("--serve", action="store_true", help="serve only, until SIGTERM")
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    if not 0 < args.latency_ms < args.slope_latency_ms:
        # The critical path is the slope between the two latencies, in units of the first.
        parser.error("--latency-ms must be above 0 and below --slope-latency-ms")

    base, branches = measure(args.latency_ms, args.runs, with_branches=True)
    slow, _ = measure(args.slope_latency_ms, args.runs, with_branches=False)

    calls = {role: base.median_calls(role) for role in ROLES}
    depth = (slow.median_ms - base.median_ms) / (args.slope_latency_ms - args.latency_ms)
    print(
        f"federated customer-360 query (ERP Odoo, CRM HubSpot, shop WooCommerce), 50 orders "
        f"deep, each emulator --latency-ms {args.latency_ms:g}, {args.runs} runs after 3 "
        f"warm-up"
    )
    print(
        "backend calls per query: "
        + ", ".join(f"{r} {c:g}" for r, c in calls.items())
        + f" (total {sum(calls.values()):g})"
    )
    print(f"median latency: {base.median_ms:.1f} ms ({base.spread()})")
    print(f"  gateway CPU per query: {base.median_server_cpu_ms:.1f} ms (median)")
    for role, runs in branches.items():
        print(f"  {role} branch alone: {runs.median_ms:.1f} ms")
    branch_sum = sum(runs.median_ms for runs in branches.values())
    print(
        f"  sum of the branches: {branch_sum:.1f} ms; slowest branch: "
        f"{max(r.median_ms for r in branches.values()):.1f} ms"
    )
    print(
        f"critical path: {depth:.1f} dependent calls (median {slow.median_ms:.1f} ms at "
        f"--latency-ms {args.slope_latency_ms:g})"
    )
    print(
        f"critical-path latency: {depth:.1f} x {args.latency_ms:g} ms = "
        f"{depth * args.latency_ms:.0f} ms; all {sum(calls.values()):g} calls one after "
        f"another: {sum(calls.values()) * args.latency_ms:.0f} ms"
    )
    ratio = base.median_ms / (depth * args.latency_ms)
    print(f"uncached latency over the critical path: {ratio:.2f} (target <= {TARGET_RATIO:g})")


def serve() -> None:
    """The federation until SIGTERM, which stops the emulators too."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with federation(0) as (gateway, _counters):
        print(f"serving {gateway} customer {customer_known_everywhere(gateway)}", flush=True)
        stop.wait()


def every_run_called_backends(runs: Runs) -> None:
    """A run answered without a backend call came from a cache: not what is measured."""
    if any(sum(calls.values()) == 0 for calls in runs.calls):
        raise SystemExit("a run made no backend call: answered from a cache, not uncached")


if __name__ == "__main__":
    main()
