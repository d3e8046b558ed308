"""Helpers for tests that run the gateway over HTTP against an emulator."""

from __future__ import annotations

import functools
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import certifi
import httpx
import pytest

from erp_backends import registry
from erp_backends.http import Resilience
from gateway.auth.minting import mint_token
from gateway.auth.principal import PrincipalKind
from gateway.auth.scopes import SCOPES
from gateway.cache.caching import DEFAULT_TTLS
from gateway.config import AuthSettings, BackendSettings, CacheSettings, QueueSettings, Settings
from gateway.secrets import Secret
from gateway.wiring.app import create_app
from tests.servers import free_port, serve_in_thread

# Tests that count backend calls see every call: the cache is off unless a test turns it on.
NO_CACHE = CacheSettings(ttls=dict.fromkeys(DEFAULT_TTLS, 0.0))

# Every test gateway signs and checks HS256 tokens with this secret; API tokens and the
# audit log go to a SQLite file of this test session.
TEST_SECRET = Secret("tests-only-hs256-secret-0123456789abcdef")
TEST_STORE = f"sqlite:///{tempfile.mkdtemp(prefix='erp-gateway-tests-')}/auth.sqlite3"
TEST_AUTH = AuthSettings(secret=TEST_SECRET, store=TEST_STORE)
READ_SCOPES = frozenset(scope for scope in SCOPES if scope.endswith(":read"))


def token_for(
    kind: PrincipalKind = PrincipalKind.STAFF,
    *,
    scopes: frozenset[str] | set[str] = READ_SCOPES,
    customer_id: str | None = None,
    subject: str = "tester",
    secret: Secret = TEST_SECRET,
    **options: Any,
) -> str:
    """A JWT the test gateways accept, unless `secret` or `options` (issuer, audience,
    lifetime_s of `mint_token`) say otherwise."""
    return mint_token(
        secret, subject=subject, kind=kind, scopes=scopes, customer_id=customer_id, **options
    )


# GraphQL answers: graphql-response+json unless the client asks for application/json.
JSON_MEDIA_TYPES = ("application/graphql-response+json", "application/json")

# What `graphql()` sends unless told otherwise: staff who may read everything.
STAFF_TOKEN = token_for()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def emulated_backend(
    role: str, kind: str, url: str, *, resilience: Resilience | None = None, **overrides: Any
) -> BackendSettings:
    """Settings for the gateway in front of a registered system's emulator at `url`,
    with the credentials and options of its sandbox defaults; no retries unless asked,
    so a test of a failure sees it at once."""
    entry = registry.kind(role, kind).emulator
    assert entry is not None, f"{kind} has no emulator"
    access = entry.load().access(entry.defaults())
    backend = BackendSettings(
        role=role,
        kind=kind,
        url=url,
        credentials=Secret(access.credentials),
        credentials_env="(tests)",
        options=access.options,
        resilience=resilience or Resilience(timeout_s=5.0, retries=0),
    )
    return replace(backend, **overrides)


# The Odoo adapter's protocols; tests of the wire run on each. The gateway's own tests
# run on ODOO_PROTOCOL (jsonrpc unless set): `ODOO_PROTOCOL=xmlrpc pytest` runs the
# suite with the adapter on XML-RPC.
ODOO_PROTOCOLS = ("jsonrpc", "json2", "xmlrpc")
ODOO_PROTOCOL = os.environ.get("ODOO_PROTOCOL", "jsonrpc")
assert ODOO_PROTOCOL in ODOO_PROTOCOLS, f"ODOO_PROTOCOL must be one of {ODOO_PROTOCOLS}"


def odoo_settings(
    url: str,
    *,
    protocol: str = ODOO_PROTOCOL,
    resilience: Resilience | None = None,
    **overrides: Any,
) -> Settings:
    """The gateway in front of the Odoo emulator, over `protocol`."""
    erp = emulated_backend("erp", "odoo", url, resilience=resilience, **overrides)
    erp = replace(erp, options=replace(erp.options, protocol=protocol))
    return Settings(erp=erp, cache=NO_CACHE, auth=TEST_AUTH, queue=own_queue())


def own_queue(**options: Any) -> QueueSettings:
    """A command queue of its own: a worker must never take another test's commands to
    another test's emulator."""
    url = f"sqlite:///{tempfile.mkdtemp(prefix='erp-gateway-queue-')}/queue.sqlite3"
    return QueueSettings(url=url, **options)


def federated_settings(
    odoo: str, hubspot: str | None, woocommerce: str | None, **crm_resilience: Any
) -> Settings:
    """The gateway in front of all three emulators (a role is left out when its URL is
    None); `crm_resilience` overrides the CRM's retry and circuit settings."""
    crm = shop = None
    if hubspot is not None:
        policy = Resilience(**{"timeout_s": 5.0, "retries": 0, **crm_resilience})
        crm = emulated_backend("crm", "hubspot", hubspot, resilience=policy)
    if woocommerce is not None:
        shop = emulated_backend("shop", "woocommerce", woocommerce)
    return replace(odoo_settings(odoo), crm=crm, shop=shop)


class FakeClock:
    """A monotonic clock that moves only when the test says so: pass it as
    `running_gateway(settings, clock=...)` and a circuit's reset time passes on the
    test's word, however slow the machine is, not after a sleep that a busy machine
    can outrun."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@contextmanager
def running_gateway(settings: Settings, **app_options: Any) -> Iterator[str]:
    """The gateway app served on a free loopback port; yields its base URL."""
    with serve_in_thread(create_app(settings, **app_options), http=settings.http) as url:
        yield url


# Where a helper sends its requests: a base URL (a server on a socket) or a client of an
# app driven in-process (tests/inprocess.py).
Target = str | httpx.Client


def send(target: Target, method: str, path: str, **options: Any) -> httpx.Response:
    """One HTTP request to a server on a socket or to an app in-process."""
    if isinstance(target, httpx.Client):
        return target.request(method, path, **options)
    # httpx.request builds a client, and with it a TLS context that loads the whole CA
    # bundle (tens of ms of CPU), even for plain HTTP: one context serves every call.
    options.setdefault("verify", _tls_context(os.environ.get("SSL_CERT_FILE")))
    return httpx.request(method, f"{target}{path}", **options)


@functools.cache
def _tls_context(cafile: str | None) -> ssl.SSLContext:
    """The context httpx would make: SSL_CERT_FILE (a test's own certificate) or certifi."""
    return ssl.create_default_context(cafile=cafile or certifi.where())


def graphql(
    url: Target,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = STAFF_TOKEN,
    headers: dict[str, str] | None = None,
    **kw,
) -> dict:
    """POST a query; as staff with every read scope unless `token` (None: anonymous) or
    `headers` say otherwise."""
    sent = {**(bearer(token) if token is not None else {}), **(headers or {})}
    response = send(
        url,
        "POST",
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers=sent,
        timeout=30,
        **kw,
    )
    assert response.headers["content-type"] in JSON_MEDIA_TYPES, response.text
    return response.json()


def data_of(answer: dict) -> dict:
    """The data of an answer that must have no errors."""
    assert "errors" not in answer, answer.get("errors")
    return answer["data"]


def error_codes(answer: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in answer.get("errors", [])]


class EmulatorCalls:
    """The calls an emulator received, over its /_emulator/calls endpoint."""

    def __init__(self, url: Target) -> None:
        self.url = url

    def reset(self) -> None:
        send(self.url, "DELETE", "/_emulator/calls").raise_for_status()

    def snapshot(self) -> dict[str, Any]:
        response = send(self.url, "GET", "/_emulator/calls")
        response.raise_for_status()
        return response.json()

    def total(self) -> int:
        return int(self.snapshot()["total"])


def odoo_rpc(url: Target, model: str, method: str, args: list, kwargs: dict | None = None) -> Any:
    """One execute_kw call straight to an Odoo emulator, as admin."""
    body = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": ["demo", 2, "admin", model, method, args, kwargs or {}],
        },
    }
    answer = send(url, "POST", "/jsonrpc", json=body, timeout=30).json()
    assert "error" not in answer, answer["error"]
    return answer["result"]


def first_customer_id(url: Target) -> int:
    """The lowest-id customer: the emulator seeds it with at least 60 orders."""
    domain = [["customer_rank", ">", 0], ["parent_id", "=", False]]
    options = {"fields": ["id"], "limit": 1, "order": "id"}
    rows = odoo_rpc(url, "res.partner", "search_read", [domain], options)
    return int(rows[0]["id"])


def require_node_packages(folder: Path) -> None:
    """Skip with the reason unless Node.js and the npm packages of `folder` (installed by
    `make test` when npm is there) are; fail instead with REQUIRE_NODE=1, as in CI."""
    if shutil.which("node") is not None and (folder / "node_modules" / ".installed").exists():
        return
    message = (
        f"Node.js or the npm packages of {folder.name} are missing: install npm, run make test"
    )
    if os.environ.get("REQUIRE_NODE") == "1":
        pytest.fail(message + " (REQUIRE_NODE=1)")
    pytest.skip(message)


def serve_gateway_process(config: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """`erp-gateway serve --config <config>` as its own process on a free port, with the
    tests' secrets (Odoo's API key, the JWT secret), its output appended to `log`; its
    URL once it answers `/healthz` (after its start-up). The caller stops it."""
    port = free_port()
    env = {**os.environ, "ODOO_API_KEY": "admin", "ERP_GATEWAY_JWT_SECRET": TEST_SECRET.reveal()}
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway", "serve", "--config", str(config), "--port", str(port)],
        cwd=Path(__file__).parents[1],
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log.read_text()
        try:
            httpx.get(f"{url}/healthz")
            return process, url
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"the gateway did not start: {log.read_text()}"
        time.sleep(0.1)
