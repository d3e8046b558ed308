"""`erp-gateway serve` serves an ERP that only the tests know: configured by name, loaded
as a plugin, with no change outside tests/ (the proof that adding a backend is local)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.contracts.tiny_erp import ARCHIVED, CUSTOMERS, ORDERS, PRODUCTS, STOCK
from tests.harness import TEST_SECRET, bearer, token_for
from tests.servers import bind_free_socket

pytestmark = pytest.mark.slow  # a gateway process on a socket

ROOT = Path(__file__).parents[2]  # the working directory, so that `tests` is importable

CONFIG = """
[backends]
plugins = ["tests.contracts.tiny_plugin"]

[backends.erp]
kind = "tiny"
url = "http://tiny.invalid"          # every system has one; the tiny ERP never dials it
credentials_env = "TINY_ERP_TOKEN"

[auth]
store = "sqlite:///{tmp}/auth.sqlite3"

[queue]
url = "sqlite:///{tmp}/queue.sqlite3"
"""

QUERY = """{
  customers(first: 10) {
    totalCount
    nodes { name orders(first: 10) { totalCount nodes { number } } }
  }
  products(first: 10) {
    totalCount
    nodes { sku name stock { available { value unit } } }
  }
}"""


def serve(config: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TINY_ERP_TOKEN": "unused", "ERP_GATEWAY_JWT_SECRET": TEST_SECRET.reveal()}
    command = [sys.executable, "-m", "gateway", "serve", "--config", str(config)]
    with log.open("wb") as output:
        return subprocess.Popen(
            [*command, "--port", str(port)], cwd=ROOT, env=env, stdout=output, stderr=output
        )


def wait_until_up(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.get(f"{url}/healthz", timeout=1).raise_for_status()
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError(f"the gateway did not come up; its output:\n{log.read_text()}")


def test_serve_answers_from_an_erp_registered_by_a_plugin(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(CONFIG.format(tmp=tmp_path))
    sock = bind_free_socket()
    port = sock.getsockname()[1]
    sock.close()
    url, log = f"http://127.0.0.1:{port}", tmp_path / "gateway.log"
    process = serve(config, port, log)
    try:
        wait_until_up(process, url, log)
        answer = httpx.post(
            f"{url}/graphql", json={"query": QUERY}, headers=bearer(token_for()), timeout=30
        ).json()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        finally:
            process.kill()
    assert "errors" not in answer, answer["errors"]
    customers, products = answer["data"]["customers"], answer["data"]["products"]
    assert customers["totalCount"] == len(CUSTOMERS)
    assert [c["name"] for c in customers["nodes"]] == sorted(c.name for c in CUSTOMERS.values())
    acme = customers["nodes"][0]
    mine = sorted((o for o in ORDERS.values() if o.customer_id == "c1"), key=lambda o: o.ordered_at)
    assert [o["number"] for o in acme["orders"]["nodes"]] == [o.number for o in reversed(mine)]
    offered = sorted(
        (p for key, p in PRODUCTS.items() if key not in ARCHIVED), key=lambda p: p.sku or ""
    )
    assert products["totalCount"] == len(offered)
    assert [p["sku"] for p in products["nodes"]] == [p.sku for p in offered]
    stock = {p["sku"]: p["stock"] for p in products["nodes"]}
    assert stock["BOLT-M8"]["available"] == {
        "value": str(STOCK["p1"].available.value),
        "unit": "C62",
    }
    assert stock["FIT-HOUR"] is None  # a service tracks no stock
    assert process.returncode == 0, log.read_text()
