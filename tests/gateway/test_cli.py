"""The erp-gateway command as users run it: real processes, real ports."""

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from erp_backends.woocommerce.auth import WooCommerceAuth
from gateway.cache.store import RecordStore, open_cache
from tests.harness import TEST_SECRET, bearer, token_for
from tests.servers import bind_free_socket, free_port

# Runs the console script as processes, and servers on sockets.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[2]
SCRIPT = shutil.which("erp-gateway", path=str(Path(sys.executable).parent))
COMMAND = [SCRIPT] if SCRIPT else [sys.executable, "-m", "gateway"]
# What the example config needs from the environment to be valid.
EXAMPLE_ENV = {"ODOO_API_KEY": "x", "ERP_GATEWAY_JWT_SECRET": TEST_SECRET.reveal()}


def example_config(tmp_path: Path, **replacements: str) -> Path:
    """gateway.example.toml with its store in `tmp_path` and `replacements` applied."""
    text = (ROOT / "gateway.example.toml").read_text()
    text = text.replace("sqlite:///erp-gateway.sqlite3", f"sqlite:///{tmp_path}/auth.sqlite3")
    text = text.replace(
        "sqlite:///erp-gateway-queue.sqlite3", f"sqlite:///{tmp_path}/queue.sqlite3"
    )
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "gateway.toml"
    path.write_text(text)
    return path


def run(*args, env=None, timeout=60):
    return subprocess.run(
        [*COMMAND, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


class Running:
    """A long-running erp-gateway command, stopped with Ctrl-C (SIGINT) at the end."""

    def __init__(self, *args, env=None):
        self.process = subprocess.Popen(
            [*COMMAND, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
        )
        assert self.process.stdout is not None
        self.stdout = self.process.stdout
        self.output = ""

    def wait_for(self, pattern, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.stdout.readline()
            if not line and self.process.poll() is not None:
                break
            self.output += line
            if match := re.search(pattern, self.output):
                return match
        raise AssertionError(f"{pattern!r} never appeared; output so far:\n{self.output}")

    def stop(self):
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=15)
        finally:
            self.process.kill()
            self.stdout.close()


def test_version_prints_the_packaged_version():
    result = run("--version")
    assert result.returncode == 0, result.stderr
    declared = re.search(r'^version = "(.+)"$', (ROOT / "pyproject.toml").read_text(), re.M)
    assert declared is not None
    assert result.stdout == f"erp-gateway {declared.group(1)}\n"


def test_schema_export_prints_schema_graphql():
    result = run("schema", "export")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (ROOT / "schema.graphql").read_text()


@pytest.mark.parametrize(
    ("config", "env", "message"),
    [
        (None, {}, "no such file; copy gateway.example.toml"),
        ('[backends.erp]\nkind = "odoo"\n', {}, "backends.erp.url: missing (required)"),
        ("[backends.erp\n", {}, "not valid TOML"),
        (
            (ROOT / "gateway.example.toml").read_text(),
            {"ODOO_API_KEY": ""},
            "backends.erp.credentials_env: the environment variable ODOO_API_KEY is not set",
        ),
    ],
)
def test_serve_with_a_bad_config_says_which_key_in_one_line(tmp_path, config, env, message):
    path = tmp_path / "gateway.toml"
    if config is not None:
        path.write_text(config)
    result = run("serve", "--config", str(path), env=env)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_serve_refuses_a_port_in_use(tmp_path):
    taken = bind_free_socket()
    taken.listen()
    port = taken.getsockname()[1]
    try:
        result = run(
            "serve", "--config", str(example_config(tmp_path)), "--port", str(port), env=EXAMPLE_ENV
        )
    finally:
        taken.close()
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}: the port is in use" in result.stderr


@contextmanager
def serving(tmp_path: Path, *serve_options: str) -> Iterator[tuple[Running, int]]:
    """A standalone Odoo emulator and `erp-gateway serve` over it (with `serve_options`),
    each stopped with Ctrl-C at the end, which must end it cleanly."""
    odoo_port, gateway_port = free_port(), free_port()
    sandbox = Running("sandbox", "odoo", "--port", str(odoo_port), "--seed", "1")
    try:
        sandbox.wait_for(rf"Odoo emulator .* on http://127.0.0.1:{odoo_port}")
        config = example_config(tmp_path, **{"8069": str(odoo_port)})
        options = ["--config", str(config), "--port", str(gateway_port), *serve_options]
        gateway = Running("serve", *options, env={**EXAMPLE_ENV, "ODOO_API_KEY": "admin"})
        try:
            yield gateway, gateway_port
        finally:
            assert gateway.stop() == 0
    finally:
        assert sandbox.stop() == 0


@pytest.mark.parametrize("logged", [True, False])
def test_a_sandbox_prints_its_access_log_unless_told_not_to(logged):
    port = free_port()
    quiet = [] if logged else ["--no-access-log"]
    sandbox = Running("sandbox", "odoo", "--port", str(port), *quiet)
    try:
        sandbox.wait_for(rf"Odoo emulator .* on http://127.0.0.1:{port}")
        assert httpx.get(f"http://127.0.0.1:{port}/_emulator/calls").status_code == 200
    finally:
        sandbox.process.send_signal(signal.SIGINT)
        rest, _ = sandbox.process.communicate(timeout=15)
    assert ("GET /_emulator/calls" in sandbox.output + rest) is logged


def test_sandbox_and_serve_work_together(tmp_path):
    # Given a standalone emulator and a config pointing at it, when the gateway serves,
    # then a query goes through both processes.
    with serving(tmp_path) as (gateway, port):
        gateway.wait_for(f"GraphQL at http://127.0.0.1:{port}/graphql")
        answer = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": "{ products(first: 2) { totalCount nodes { sku } } }"},
            headers=bearer(token_for()),
        ).json()
        assert answer["data"]["products"]["totalCount"] >= 500


def test_serve_with_workers_answers_from_each_process_and_stops_them_all(tmp_path):
    # Given an emulator, when the gateway serves from 2 processes on one port, then
    # both start, queries are answered, and Ctrl-C stops every process.
    with serving(tmp_path, "--workers", "2") as (gateway, port):
        gateway.wait_for(f"GraphQL at http://127.0.0.1:{port}/graphql, 2 processes")
        gateway.wait_for(r"(?s)(Application startup complete.*){2}")
        pids = [int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", gateway.output)]
        assert len(set(pids)) == 2
        with httpx.Client(headers=bearer(token_for())) as client:
            for _ in range(6):  # new connections: the kernel hands them to either
                answer = client.post(
                    f"http://127.0.0.1:{port}/graphql",
                    json={"query": "{ products(first: 1) { nodes { sku } } }"},
                    headers={"Connection": "close"},
                ).json()
                assert answer["data"]["products"]["nodes"][0]["sku"]
    for pid in pids:  # stopped with the gateway
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


@pytest.mark.parametrize("workers", ["0", "65", "two"])
def test_serve_refuses_a_number_of_workers_it_cannot_run(tmp_path, workers):
    result = run("serve", "--config", str(example_config(tmp_path)), "--workers", workers)
    assert result.returncode == 2
    assert f"expected a whole number from 1 to 64, got '{workers}'" in result.stderr


def settled(place):
    """The answer of `place` once its order's command has settled. The demo waits 2 s
    for the ERP, which a busy machine can outlast; asked again with the same idempotency
    key, the mutation answers for the same order, so the test waits on the order, not on
    the clock (the deadline only bounds a failure)."""
    deadline = time.monotonic() + 30
    while True:
        answer = place()
        receipt = answer["data"]["placeOrder"]["receipt"]
        if receipt is None or receipt["status"] not in {"QUEUED", "RUNNING"}:
            return answer
        assert time.monotonic() < deadline, f"the demo's order is still {receipt['status']}"
        time.sleep(0.2)


def test_demo_prints_tokens_and_a_query_that_answers_with_seeded_data():
    # Given ERP_GATEWAY_JWT_SECRET, the demo signs with it, so a script can mint tokens.
    port = free_port()
    demo = Running(
        "demo", "--port", str(port), env={"ERP_GATEWAY_JWT_SECRET": TEST_SECRET.reveal()}
    )
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        demo.wait_for("Press Ctrl-C to stop")
        assert url in demo.output
        tokens = dict(re.findall(r"^  (staff|customer|partner) +(\S+)$", demo.output, re.M))
        query = demo.output.split("then this query:")[1].split("With the customer token")[0]
        mutation = demo.output.split("place an order:")[1].split("A partner system")[0]

        def ask(token: str, text: str) -> dict:
            # 30 s only bounds a failure: the mutation waits for the ERP on a busy machine.
            return httpx.post(url, json={"query": text}, headers=bearer(token), timeout=30).json()

        answer = ask(tokens["staff"], query)
        assert "errors" not in answer, answer
        customer = answer["data"]["customer"]
        assert customer["orders"]["totalCount"] >= 1
        assert customer["orders"]["nodes"][0]["lines"][0]["product"]["sku"]
        assert customer["crm"]["accountManager"]["name"]
        assert customer["shop"]["email"]
        mine = ask(tokens["customer"], "{ viewer { kind customer { name } } }")["data"]
        assert mine["viewer"] == {"kind": "customer", "customer": {"name": customer["name"]}}
        assert tokens["partner"].startswith("egw_")
        stock = ask(
            tokens["partner"], "{ products(first: 1) { nodes { stock { available { value } } } } }"
        )
        assert "errors" not in stock, stock
        placed = settled(lambda: ask(tokens["customer"], mutation))
        assert placed["data"]["placeOrder"]["userErrors"] == [], placed
        assert placed["data"]["placeOrder"]["receipt"]["status"] == "CONFIRMED"
        # The partner's ready curl, run as printed: twice, one order.
        curl = demo.output.split("nothing is ordered twice:")[1].split("Press Ctrl-C")[0]

        def partner_order() -> dict:
            ran = subprocess.run(["bash", "-c", curl], capture_output=True, text=True, timeout=60)
            answer = json.loads(ran.stdout)
            assert "data" in answer, answer
            return answer

        by_partner = settled(partner_order)
        again = partner_order()
        assert "errors" not in by_partner, by_partner  # its receipt's order is readable
        receipt = by_partner["data"]["placeOrder"]["receipt"]
        assert receipt["status"] == "CONFIRMED"
        assert receipt["order"]["number"]
        assert again["data"]["placeOrder"]["receipt"] == receipt
        minted = ask(token_for(), "{ viewer { subject } }")["data"]
        assert minted == {"viewer": {"subject": "tester"}}
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    finally:
        assert demo.stop() == 0


def test_the_demo_starts_over_failing_backends_and_leaves_no_files_behind(tmp_path):
    # TMPDIR: the demo's folder (token store, queue) is made here, so the test sees it go.
    port = free_port()
    demo = Running("demo", "--port", str(port), "--fail-rate", "0.5", env={"TMPDIR": str(tmp_path)})
    try:
        demo.wait_for("Press Ctrl-C to stop")
        assert [p.name[:17] for p in tmp_path.iterdir()] == ["erp-gateway-demo-"]
    finally:
        assert demo.stop() == 0
    assert "Traceback" not in demo.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("system", "name", "probe"),
    [
        ("hubspot", "HubSpot", ("/crm/v3/owners/", {"Authorization": "Bearer pat-demo"})),
        ("woocommerce", "WooCommerce", ("/wp-json/wc/v3/products?per_page=1", {})),
    ],
)
def test_each_emulator_runs_standalone(system, name, probe):
    port = free_port()
    sandbox = Running("sandbox", system, "--port", str(port), "--seed", "1")
    try:
        sandbox.wait_for(rf"{name} emulator \(seed 1.*\) on http://127.0.0.1:{port}")
        path, headers = probe
        # Over plain HTTP WooCommerce takes OAuth 1.0a only, as the emulator does.
        auth = WooCommerceAuth("ck_demo", "cs_demo") if system == "woocommerce" else None
        response = httpx.get(f"http://127.0.0.1:{port}{path}", headers=headers, auth=auth)
        assert response.status_code == 200, response.text
        assert httpx.get(f"http://127.0.0.1:{port}/_emulator/calls").json()["total"] == 1
    finally:
        assert sandbox.stop() == 0


def test_cache_clear_forgets_one_entity_or_everything(tmp_path, redis_url):
    async def keys_present():
        store = RecordStore(open_cache(redis_url))
        found = await store.counters(
            [store.key("erp", "stock", "5"), store.key("erp", "order", "7")]
        )
        await store.close()
        return [name.rsplit(":", 2)[1] for name, value in found.items() if value]

    async def fill():
        store = RecordStore(open_cache(redis_url))
        await store.bump(store.key("erp", "stock", "5"))
        await store.bump(store.key("erp", "order", "7"))
        await store.close()

    config = example_config(tmp_path, **{'url = "memory://"': f'url = "{redis_url}"'})
    asyncio.run(fill())

    result = run(
        "cache", "clear", "--config", str(config), "--entity", "erp.stock", env=EXAMPLE_ENV
    )
    assert result.returncode == 0, result.stderr
    assert asyncio.run(keys_present()) == ["order"]
    assert run("cache", "clear", "--config", str(config), env=EXAMPLE_ENV).returncode == 0
    assert asyncio.run(keys_present()) == []


def test_cache_clear_refuses_an_unknown_entity_naming_the_known_ones(tmp_path):
    config = str(example_config(tmp_path))
    result = run("cache", "clear", "--config", config, "--entity", "erp.stocks", env=EXAMPLE_ENV)
    assert result.returncode == 2
    assert "no cached entity 'erp.stocks'; known: crm.profile, erp.customer," in result.stderr


def test_cache_clear_explains_a_memory_cache(tmp_path):
    result = run("cache", "clear", "--config", str(example_config(tmp_path)), env=EXAMPLE_ENV)
    assert result.returncode == 2
    assert "memory://: each gateway process holds its own cache" in result.stderr


def test_token_commands_create_list_revoke_through_the_console_script(tmp_path):
    store = ["--store", f"sqlite:///{tmp_path}/auth.sqlite3"]
    details = ["--name", "acme", "--scopes", "orders:write,stock:read", "--expires", "90d"]
    created = run("token", "create", *details, *store)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert re.fullmatch(r"egw_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", token)
    token_id = token.split("_")[1]
    listed = run("token", "list", *store)
    assert token_id in listed.stdout
    assert "acme" in listed.stdout
    assert token.split("_", 2)[2] not in listed.stdout + listed.stderr
    assert run("token", "revoke", token_id, *store).returncode == 0
    assert "revoked" in run("token", "list", *store).stdout
    unknown = run("token", "create", "--name", "x", "--scopes", "orders:delete", *store)
    assert unknown.returncode == 2
    assert "orders:delete" in unknown.stderr


def test_audit_tail_shows_an_impersonated_request(tmp_path, odoo_emulator_url):
    from tests.harness import graphql, odoo_settings, running_gateway

    store = f"sqlite:///{tmp_path}/auth.sqlite3"
    settings = odoo_settings(odoo_emulator_url)
    settings = replace(settings, auth=replace(settings.auth, store=store))
    staff = token_for(scopes={"customers:read", "customers:impersonate"}, subject="alice")
    customer = "Q3VzdG9tZXI6Nw=="
    with running_gateway(settings) as gateway:
        graphql(
            gateway,
            "query Look { viewer { subject } }",
            token=staff,
            headers={"X-Act-As-Customer": customer},
        )
    tail = run("audit", "tail", "--store", store)
    assert tail.returncode == 0, tail.stderr
    assert f"alice as customer {customer}" in tail.stdout
    assert "query Look" in tail.stdout


def test_dlq_commands_list_replay_and_discard_through_the_console_script(tmp_path):
    from datetime import UTC, datetime

    from gateway.commands.model import Command, CommandKind
    from gateway.commands.queue import open_command_queue

    url = f"sqlite:///{tmp_path}/queue.sqlite3"

    async def two_dead_commands() -> list[str]:
        queue = open_command_queue(url)
        ids = []
        for n in range(2):
            command = Command(
                id=f"c{n}",
                kind=CommandKind.PAY_INVOICE,
                payload={},
                idempotency_scope="s",
                idempotency_key=f"k{n}",
                fingerprint="f",
                submitted_by="partner:acme",
                created_at=datetime.now(UTC),
            )
            await queue.submit(command)
            await queue.claim("w", 60, datetime.now(UTC))
            await queue.bury(command.id, "BACKEND_UNAVAILABLE: the erp backend failed")
            ids.append(command.id)
        await queue.close()
        return ids

    first, second = asyncio.run(two_dead_commands())
    listed = run("dlq", "list", "--queue", url)
    assert listed.returncode == 0, listed.stderr
    assert first in listed.stdout
    assert "BACKEND_UNAVAILABLE" in listed.stdout
    assert "partner:acme" in listed.stdout
    assert run("dlq", "replay", first, "--queue", url).returncode == 0
    assert run("dlq", "discard", second, "--queue", url).returncode == 0
    assert "empty" in run("dlq", "list", "--queue", url).stdout
    again = run("dlq", "replay", first, "--queue", url)
    assert again.returncode == 2
    assert first in again.stderr
