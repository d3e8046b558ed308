"""Attacks on the edge: for each, the time until the gateway refuses it, and how /healthz
answers meanwhile (the event loop must stay free for everyone else).

The gateway runs as its own process (`erp-gateway serve`), as in production, in front
of the Odoo emulator (another process); this one sends each attack `--runs` times while
a second thread asks for /healthz every few milliseconds. The slow-client attacks run
with 2 s head and body timeouts (10 s and 30 s by default) to keep the run short.

    .venv/bin/python -m bench.attacks [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.harness import sandbox
from gateway.wiring.server import bind
from tests.harness import TEST_SECRET
from tests.security.attacks import (
    BAD_VARIABLES,
    MALFORMED_BODIES,
    NESTED_CONNECTIONS,
    REPEATED_FIELDS,
    body,
    fragment_fan_out,
    raw_exchange,
)

CONFIG = """
[backends.erp]
kind = "odoo"
url = "{odoo}"
database = "demo"
credentials_env = "ODOO_API_KEY"

[auth]
store = "sqlite:///{state}/auth.sqlite3"

[queue]
url = "sqlite:///{state}/queue.sqlite3"

[http]
header_timeout_s = 2
body_timeout_s = 2
"""
HEAD = b"POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"


@contextmanager
def gateway_process(odoo: str) -> Iterator[str]:
    state = tempfile.mkdtemp(prefix="erp-gateway-bench-")
    config = Path(state) / "gateway.toml"
    config.write_text(CONFIG.format(odoo=odoo, state=state))
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    sock.close()
    environ = {
        **os.environ,
        "ODOO_API_KEY": "admin",
        "ERP_GATEWAY_JWT_SECRET": TEST_SECRET.reveal(),
    }
    command = [
        sys.executable,
        "-m",
        "gateway",
        "serve",
        "--config",
        str(config),
        "--port",
        str(port),
    ]
    process = subprocess.Popen(
        command, env=environ, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("GraphQL at"):
                break
        else:
            raise SystemExit("the gateway did not start")
        threading.Thread(target=process.stdout.read, daemon=True).start()
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


# One connection for every attack sent with httpx: opening one per request would add
# the client's own set-up to every refusal time.
# It asks for graphql-response+json, under which a refused document is a 4xx with its code.
CLIENT = httpx.Client(
    timeout=600,
    headers={"content-type": "application/json", "accept": "application/graphql-response+json"},
)


def post(url: str, content: bytes, headers: dict[str, str] | None = None) -> str:
    answer = CLIENT.post(f"{url}/graphql", content=content, headers=headers)
    code = answer.json()["errors"][0]["extensions"]["code"] if answer.status_code != 200 else ""
    return f"{answer.status_code} {code}".strip()


def raw(url: str, *parts: bytes, pause_s: float = 0.0) -> str:
    answer = raw_exchange(url, *parts, pause_s=pause_s, timeout_s=600)
    return answer.split(b"\r\n", 1)[0].decode(errors="replace").removeprefix("HTTP/1.1 ")


def attacks(url: str) -> dict[str, Callable[[], str]]:
    slow_lines = [b"X-Slow-%d: 1\r\n" % i for i in range(100)]
    int_query, int_variables = BAD_VARIABLES["an Int 1.5"]
    deep_variables = MALFORMED_BODIES["variables nested 5,000 deep"]
    return {
        "fragment fan-out, 2^29 fields": lambda: post(url, body(fragment_fan_out(29))),
        "fragment fan-out, 2^30 fields": lambda: post(url, body(fragment_fan_out(30))),
        "3 nested connections of 100": lambda: post(url, body(NESTED_CONNECTIONS)),
        "one field 400 times": lambda: post(url, body(REPEATED_FIELDS)),
        "2 MiB body": lambda: post(url, b" " * (2 * 1024 * 1024)),
        "20 KB of headers": lambda: post(url, body("{ __typename }"), {"X-Pad": "a" * 20_000}),
        "head, a line every 50 ms": lambda: raw(url, HEAD, *slow_lines, pause_s=0.05),
        "body shorter than declared": lambda: raw(url, HEAD + b"Content-Length: 99\r\n\r\n{"),
        "top-level null": lambda: post(url, MALFORMED_BODIES["json null"]),
        "variables nested 5,000 deep": lambda: post(url, deep_variables),
        "Int 1.5": lambda: post(url, body(int_query, int_variables)),
    }


def health_during(
    url: str, attack: Callable[[], str], runs: int
) -> tuple[list[float], list[float], str]:
    """Refusal times and /healthz latencies (ms) while `attack` runs `runs` times."""
    health: list[float] = []
    stop = threading.Event()

    def probe() -> None:
        with httpx.Client(timeout=600) as client:
            while not stop.is_set():
                started = time.perf_counter()
                client.get(f"{url}/healthz").raise_for_status()
                health.append((time.perf_counter() - started) * 1000)
                time.sleep(0.005)

    prober = threading.Thread(target=probe)
    prober.start()
    while not health:
        time.sleep(0.005)
    refusals, outcome = [], ""
    try:
        for _ in range(runs):
            started = time.perf_counter()
            outcome = attack()
            refusals.append((time.perf_counter() - started) * 1000)
    finally:
        stop.set()
        prober.join()
    return refusals, health, outcome


def idle() -> str:
    time.sleep(1.0)
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with sandbox("odoo", 0.0) as odoo, gateway_process(odoo) as url:
        baseline = health_during(url, idle, 1)[1]
        print(
            f"/healthz with no attack: median {statistics.median(baseline):.1f} ms, "
            f"max {max(baseline):.1f} ms ({len(baseline)} probes)\n"
        )
        print(
            f"{'attack':32} {'answer':36} {'refused after (median)':>23} "
            f"{'/healthz median':>16} {'max':>8}"
        )
        for name, attack in attacks(url).items():
            refusals, health, outcome = health_during(url, attack, args.runs)
            print(
                f"{name:32} {outcome:36} {statistics.median(refusals):20.1f} ms "
                f"{statistics.median(health):13.1f} ms {max(health):5.1f} ms"
            )


if __name__ == "__main__":
    main()
