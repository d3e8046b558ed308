"""Side by side with the peer: erp-gateway against Hive Gateway + GraphQL Mesh (the
JavaScript gateway a user would pick instead), both over one Odoo emulator.

Three scenarios, each a pair of servers given the same load by wrk:

- flat list, no cache: 50 products, one Odoo call per request on both sides;
- flat list, warm: the same with each side's cache on (our response cache; Hive's
  response cache, shared by every client);
- products -> stock, no cache: 50 products and their stock; the peer batches the stock
  by hand (Mesh's in-context SDK batch delegation), as a careful Mesh user would.

Runs are interleaved (ours, peer, ours, peer, ...) so that machine noise hits both
alike, and each ratio is the median of the per-round ratios. Each side runs as one
process by default (`--workers` for ours), as the peer does.

    make peer-bench          # installs the peer (npm ci in bench/peer), then runs this
    .venv/bin/python -m bench.peer [--rounds 3] [--seconds 8] [--clients 10] [--workers 1]

Needs wrk (`apt-get install wrk`) and Node.js with the peer installed in bench/peer.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.harness import group_cpu_s, sandbox, served_gateway
from gateway.wiring.server import bind
from tests.harness import STAFF_TOKEN, TEST_SECRET, EmulatorCalls

PEER = Path(__file__).resolve().parent / "peer"

FLAT = "{ products(first: 50) { nodes { sku name listPrice { amount currency } } } }"
NESTED = """{ products(first: 50) { nodes { sku name stock { warehouses {
    warehouse { code } onHand { value } reserved { value } } } } } }"""
PEER_FLAT = "{ products { result { default_code name lst_price } } }"
PEER_BATCHED = """{ products { result { default_code name
    stockBatched { warehouse_id quantity reserved_quantity } } } }"""


@dataclass(frozen=True)
class Scenario:
    key: str  # for --scenario
    name: str
    ours: str  # which of our gateways: "nocache" or "cache"
    query: str
    peer: str  # which Hive config: "plain" or "cache"
    peer_query: str
    target: float  # the ratio ours / peer in requests per second that we aim for


SCENARIOS = [
    Scenario("flat", "flat list, no cache", "nocache", FLAT, "plain", PEER_FLAT, 0.6),
    Scenario("warm", "flat list, warm", "cache", FLAT, "cache", PEER_FLAT, 1.0),
    Scenario(
        "nested", "products -> stock, no cache", "nocache", NESTED, "plain", PEER_BATCHED, 0.6
    ),
]


@dataclass(frozen=True)
class Server:
    url: str  # the GraphQL endpoint
    group: int  # its process group: all its processes' CPU counts


@dataclass
class Run:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_ms_per_request: float
    calls_per_request: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8, help="per measured run")
    parser.add_argument("--clients", type=int, default=10, help="wrk connections")
    parser.add_argument("--workers", type=int, default=1, help="our processes (serve --workers)")
    parser.add_argument(
        "--scenario",
        action="append",
        choices=[s.key for s in SCENARIOS],
        help="run only this one (repeatable); default: all three",
    )
    args = parser.parse_args()
    scenarios = [s for s in SCENARIOS if not args.scenario or s.key in args.scenario]
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    if not (PEER / "node_modules" / ".bin" / "hive-gateway").exists():
        raise SystemExit("the peer is not installed: cd bench/peer && npm ci (or make peer-bench)")

    with ExitStack() as stack:
        odoo = stack.enter_context(sandbox("odoo", 0))
        calls = EmulatorCalls(odoo)
        environ = {"ODOO_API_KEY": "admin", "ERP_GATEWAY_JWT_SECRET": TEST_SECRET.reveal()}
        ours = {
            name: stack.enter_context(gateway(odoo, name, args.workers, environ))
            for name in ("nocache", "cache")
        }
        supergraph = compose(odoo, Path(stack.enter_context(tempfile.TemporaryDirectory())))
        peers = {name: stack.enter_context(hive(supergraph, name)) for name in ("plain", "cache")}
        print(
            f"peer bench: {args.clients} clients, {args.seconds} s per run, {args.rounds} rounds;"
            f" erp-gateway with {args.workers} process(es), Hive Gateway with 1"
        )
        results: dict[str, list[tuple[Run, Run]]] = {}
        for scenario in scenarios:
            check(ours[scenario.ours], scenario.query, STAFF_TOKEN)
            check(peers[scenario.peer], scenario.peer_query, None)
        for round_number in range(1, args.rounds + 1):
            for scenario in scenarios:
                mine = measure(ours[scenario.ours], scenario.query, STAFF_TOKEN, calls, args)
                theirs = measure(peers[scenario.peer], scenario.peer_query, None, calls, args)
                results.setdefault(scenario.name, []).append((mine, theirs))
                print(f"round {round_number} {scenario.name}:")
                print(f"  erp-gateway {describe(mine)}")
                print(f"  Hive + Mesh {describe(theirs)}")
        summarize(scenarios, results)


def summarize(scenarios: list[Scenario], results: dict[str, list[tuple[Run, Run]]]) -> None:
    print()
    print("scenario                      erp-gateway req/s  Hive req/s  ratio (min-max)  target")
    for scenario in scenarios:
        pairs = results[scenario.name]
        ratios = [mine.rps / theirs.rps for mine, theirs in pairs]
        ratio = statistics.median(ratios)
        verdict = "met" if ratio >= scenario.target else "MISSED"
        print(
            f"{scenario.name:30s}{statistics.median(m.rps for m, _ in pairs):18.0f}"
            f"{statistics.median(t.rps for _, t in pairs):12.0f}"
            f"  {ratio:5.2f} ({min(ratios):.2f}-{max(ratios):.2f})"
            f"  >= {scenario.target} {verdict}"
        )
    print()
    print("tail (erp-gateway): p99 / p50, target <= 3")
    for scenario in scenarios:
        tails = [m.p99_ms / m.p50_ms for m, _ in results[scenario.name] if m.p50_ms > 0]
        p50 = statistics.median(m.p50_ms for m, _ in results[scenario.name])
        p99 = statistics.median(m.p99_ms for m, _ in results[scenario.name])
        tail = statistics.median(tails)
        verdict = "met" if tail <= 3 else "MISSED"
        print(
            f"{scenario.name:30s} p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  ratio {tail:4.1f} {verdict}"
        )


def describe(run: Run) -> str:
    return (
        f"{run.rps:8.1f} req/s  p50 {run.p50_ms:6.1f} ms  p99 {run.p99_ms:6.1f} ms"
        f"  CPU {run.cpu_ms_per_request:5.2f} ms/req  Odoo calls/req {run.calls_per_request:4.2f}"
        + (f"  ERRORS {run.errors}" if run.errors else "")
    )


def measure(
    server: Server, query: str, token: str | None, calls: EmulatorCalls, args: argparse.Namespace
) -> Run:
    """A 2 s warm-up, then one measured wrk run with the server's CPU and Odoo's calls."""
    with body_file(query) as body:
        wrk(server.url, body, token, 2, args.clients)
        calls.reset()
        cpu_before = group_cpu_s(server.group)
        summary = wrk(server.url, body, token, args.seconds, args.clients)
        cpu = group_cpu_s(server.group) - cpu_before
    requests = max(int(summary["requests"]), 1)
    errors = sum(int(summary[key]) for key in summary if key.startswith("err_"))
    return Run(
        requests=requests,
        seconds=float(summary["seconds"]),
        p50_ms=float(summary["p50_ms"]),
        p99_ms=float(summary["p99_ms"]),
        errors=errors,
        cpu_ms_per_request=cpu * 1000 / requests,
        calls_per_request=calls.total() / requests,
    )


def wrk(url: str, body: Path, token: str | None, seconds: int, clients: int) -> dict[str, Any]:
    environ = {**os.environ, "BODY_FILE": str(body), "AUTH": f"Bearer {token}" if token else ""}
    command = ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "-s", str(PEER / "post.lua"), url]
    out = subprocess.run(
        command, env=environ, capture_output=True, text=True, timeout=seconds + 30, check=True
    ).stdout
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"wrk printed no summary: {out}")
    summary: dict[str, Any] = json.loads(lines[-1])
    return summary


@contextmanager
def body_file(query: str) -> Iterator[Path]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump({"query": query}, file)
    try:
        yield Path(file.name)
    finally:
        os.unlink(file.name)


def check(server: Server, query: str, token: str | None) -> None:
    """Both sides must answer the query in full before either is timed."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = httpx.post(server.url, json={"query": query}, headers=headers, timeout=30).json()
    if answer.get("errors") or not answer.get("data"):
        raise SystemExit(f"{server.url} did not answer {query!r}: {answer}")
    products = answer["data"]["products"]
    items = products.get("nodes") or products.get("result") or []
    if len(items) != 50:
        raise SystemExit(f"{server.url} answered {len(items)} products, not 50")


@contextmanager
def gateway(odoo: str, name: str, workers: int, environ: dict[str, str]) -> Iterator[Server]:
    """erp-gateway with the response and record caches on ("cache") or with products
    and stock never cached ("nocache": one trip to Odoo per request, as the peer)."""
    folder = tempfile.mkdtemp(prefix=f"peer-bench-{name}-")
    with served_gateway(gateway_config(odoo, name, folder), workers, environ) as served:
        yield Server(f"{served.url}/graphql", served.group)


def gateway_config(odoo: str, name: str, folder: str) -> str:
    """The gateway.toml of `gateway` ("cache" or "nocache"), its stores in `folder`."""
    no_cache = (
        "\n[cache.ttl.erp]\nproduct = 0\nproduct_by_sku = 0\nproduct_search = 0\nstock = 0\n"
        if name == "nocache"
        else ""
    )
    return f"""
[backends.erp]
kind = "odoo"
url = "{odoo}"
database = "demo"
credentials_env = "ODOO_API_KEY"
timeout_s = 10
retries = 0

[cache]
url = "memory://"
{no_cache}
[auth]
secret_env = "ERP_GATEWAY_JWT_SECRET"
store = "sqlite:///{folder}/auth.sqlite3"

[queue]
url = "sqlite:///{folder}/queue.sqlite3"

# One client's throughput, as the peer serves it: no per-client rate limit on either side.
[limits]
enabled = false
"""


def compose(odoo: str, folder: Path) -> Path:
    """Mesh's supergraph of the emulator's JSON-RPC (bench/peer/compose/mesh.config.ts)."""
    supergraph = folder / "supergraph.graphql"
    subprocess.run(
        [str(PEER / "node_modules" / ".bin" / "mesh-compose"), "-o", str(supergraph)],
        cwd=PEER / "compose",
        env={**os.environ, "ODOO_URL": odoo},
        check=True,
        capture_output=True,
        timeout=120,
    )
    return supergraph


@contextmanager
def hive(supergraph: Path, name: str) -> Iterator[Server]:
    """Hive Gateway over the supergraph with bench/peer/gw/<name>.ts as its config."""
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    sock.close()
    command = [str(PEER / "node_modules" / ".bin" / "hive-gateway"), "supergraph"]
    command += [str(supergraph), "-c", str(PEER / "gw" / f"{name}.ts")]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        command,
        cwd=supergraph.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.post(url, json={"query": "{ __typename }"}, timeout=5)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"Hive Gateway ({name}) did not start") from None
                time.sleep(0.2)
        yield Server(url, process.pid)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
