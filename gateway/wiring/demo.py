"""`erp-gateway demo`: the emulated ERP, CRM and shop and the gateway, on loopback, in one
process.

The embedded default of DESIGN.md: no configuration, no credentials, one seeded world
shown by all three emulators. The emulators take free ports; the gateway takes `--port`.
It prints ready-made tokens for a customer, a staff member and a partner; JWTs are
signed with ERP_GATEWAY_JWT_SECRET when it is set (issuer and audience `erp-gateway`),
so scripts can mint their own, else with a random secret. API tokens and the audit log
live in a SQLite file of this run.
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import socket
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
from starlette.types import ASGIApp

from erp_backends import registry
from erp_backends.emulation.faults import FaultOptions
from erp_backends.registry import EmulatedAccess
from gateway.auth import scopes
from gateway.auth.minting import mint_token
from gateway.auth.principal import PrincipalKind
from gateway.auth.token_store import open_token_store
from gateway.config import (
    JWT_SECRET_ENV,
    MIN_HMAC_SECRET_LENGTH,
    AuthSettings,
    BackendSettings,
    ConfigError,
    QueueSettings,
    Settings,
)
from gateway.graphiql import graphiql_link
from gateway.secrets import Secret
from gateway.wiring.app import create_app
from gateway.wiring.server import BACKEND_KEEP_ALIVE_S, Served, address, bind, serve

EXAMPLE_QUERY = """\
{
  customer(id: "%s") {
    name email
    crm {
      companyName lifecycleStage accountManager { name email }
      openDeals { name stage amount { amount currency } }
    }
    shop {
      email
      orders(first: 3) { nodes { number status total { amount currency } erpOrder { number } } }
    }
    orders(first: 3) {
      totalCount
      nodes {
        number status channel orderedAt
        shopOrder { number status }
        total { amount currency }
        lines {
          description
          quantity { value unit }
          product { sku name stock { available { value unit } } shopListing { listedStock inSync } }
        }
        invoices {
          number paymentStatus amountDue { amount currency }
          payments { number paidOn amount { amount currency } }
        }
      }
    }
  }
}"""
_FIND_SHOWCASE = """{
  customers(first: 100) { nodes { id crm { contactId } shop { id } } }
  products(first: 100) { nodes { sku salesUnit stock { available { value } } } }
}"""
# With --fail-rate 0.5 a call fails after its retries one time in eight; the query
# behind the banner makes a dozen calls, so it is asked again until it goes through.
SHOWCASE_ATTEMPTS = 30
EXAMPLE_MUTATION = """\
mutation {
  placeOrder(input: {lines: [{sku: "%s", quantity: "2"}], idempotencyKey: "demo-order-1"}) {
    receipt { commandId status order { number status total { amount currency } } }
    userErrors { field code message }
  }
}"""


@dataclass(frozen=True)
class Emulator:
    role: str
    kind: str
    system: str
    app: ASGIApp
    access: EmulatedAccess  # the emulator's own defaults: public demo credentials


READ_SCOPES = sorted(scope for scope in scopes.SCOPES if scope.endswith(":read"))
CUSTOMER_SCOPES = [*READ_SCOPES, scopes.ORDERS_WRITE, scopes.PAYMENTS_WRITE]
STAFF_SCOPES = [*CUSTOMER_SCOPES, scopes.CUSTOMERS_IMPERSONATE]
# To place orders for its customer and read them back (the receipt's order included).
PARTNER_SCOPES = [scopes.ORDERS_WRITE, scopes.ORDERS_READ, scopes.PRODUCTS_READ, scopes.STOCK_READ]


@dataclass(frozen=True)
class DemoTokens:
    customer: str
    staff: str
    partner: str


async def run_demo(*, host: str, port: int, seed: int, faults: FaultOptions) -> None:
    secret = _jwt_secret()
    gateway_sock = bind(host, port)  # first: a taken port fails before anything starts
    emulators = _emulators(seed, faults)
    socks = {e.role: bind(host, 0) for e in emulators}
    with tempfile.TemporaryDirectory(prefix="erp-gateway-demo-") as folder:
        await _run_demo(secret, gateway_sock, emulators, socks, seed, Path(folder))


async def _run_demo(
    secret: Secret,
    gateway_sock: socket.socket,
    emulators: list[Emulator],
    socks: dict[str, socket.socket],
    seed: int,
    state: Path,
) -> None:
    """The demo, its token store and queue in `state`, which goes when the demo stops."""
    urls = {role: address(sock) for role, sock in socks.items()}
    gateway_url = address(gateway_sock)
    store = f"sqlite:///{state / 'demo.sqlite3'}"
    queue = QueueSettings(url=f"sqlite:///{state / 'queue.sqlite3'}")
    auth = AuthSettings(secret=secret, store=store)
    settings = replace(_settings(emulators, urls, auth), queue=queue)

    async def announce() -> None:
        service = mint_token(secret, subject="demo", kind=PrincipalKind.SERVICE, scopes=READ_SCOPES)
        showcase = await _showcase(gateway_url, service)
        tokens = await _demo_tokens(secret, store, showcase.customer_id)
        banner = _banner(gateway_url, emulators, urls, seed, showcase, tokens, store, queue.url)
        print(banner, flush=True)

    served = [Served(create_app(settings), gateway_sock, http=settings.http)]
    served += [
        Served(e.app, socks[e.role], access_log=False, keep_alive_s=BACKEND_KEEP_ALIVE_S)
        for e in emulators
    ]
    await serve(served, on_started=announce)


def _emulators(seed: int, faults: FaultOptions) -> list[Emulator]:
    """One emulated system per role: the first registered system of the role that has
    an emulator, started with its sandbox defaults."""
    emulators = []
    for role in registry.Role:
        kind = next((k for k in registry.kinds(role) if k.emulator is not None), None)
        if kind is None or kind.emulator is None:
            continue
        flags = kind.emulator.defaults()
        module = kind.emulator.load()
        app = module.create_app(seed, faults, flags)
        emulators.append(Emulator(role, kind.name, kind.title, app, module.access(flags)))
    return emulators


def _jwt_secret() -> Secret:
    chosen = os.environ.get(JWT_SECRET_ENV)
    if chosen is None:
        return Secret(secrets.token_urlsafe(32))
    if len(chosen.encode()) < MIN_HMAC_SECRET_LENGTH:
        raise ConfigError(
            f"{JWT_SECRET_ENV} is too short: use at least {MIN_HMAC_SECRET_LENGTH} characters"
        )
    return Secret(chosen)


async def _demo_tokens(secret: Secret, store: str, customer_id: str) -> DemoTokens:
    tokens = open_token_store(store)
    try:
        # Bound to the showcase customer: a partner acts only for its customers.
        _, partner = await tokens.create(
            "demo-partner", frozenset(PARTNER_SCOPES), [customer_id], None
        )
    finally:
        await tokens.close()
    return DemoTokens(
        customer=mint_token(
            secret,
            subject="demo-customer",
            kind=PrincipalKind.CUSTOMER,
            scopes=CUSTOMER_SCOPES,
            customer_id=customer_id,
        ),
        staff=mint_token(
            secret, subject="demo-staff", kind=PrincipalKind.STAFF, scopes=STAFF_SCOPES
        ),
        partner=partner,
    )


def _settings(emulators: list[Emulator], urls: dict[str, str], auth: AuthSettings) -> Settings:
    backends = {
        e.role: BackendSettings(
            role=e.role,
            kind=e.kind,
            url=urls[e.role],
            credentials=Secret(e.access.credentials),
            credentials_env="(demo)",
            options=e.access.options,
        )
        for e in emulators
    }
    return Settings(
        erp=backends["erp"], crm=backends.get("crm"), shop=backends.get("shop"), auth=auth
    )


@dataclass(frozen=True)
class Showcase:
    customer_id: str  # known to the ERP, the CRM and the shop
    sku: str  # sold by the unit, in stock


async def _showcase(gateway_url: str, token: str) -> Showcase:
    """A customer that all three systems know, to show federation at its best, and a
    product to order. Asked again while an emulator fails (`--fail-rate`), as a user of
    the demo would."""
    async with httpx.AsyncClient(timeout=30) as client:
        for _ in range(SHOWCASE_ATTEMPTS):
            answer = await client.post(
                f"{gateway_url}/graphql",
                json={"query": _FIND_SHOWCASE},
                headers={"Authorization": f"Bearer {token}"},
            )
            data = answer.json().get("data") or {}
            if data.get("customers") and data.get("products"):
                return _showcase_in(data)
    errors = answer.json().get("errors") or [{"message": f"HTTP {answer.status_code}"}]
    raise SystemExit(
        f"erp-gateway demo: the emulated backends failed {SHOWCASE_ATTEMPTS} times in a row "
        f"while the demo looked for a customer to show ({errors[0].get('message')}); "
        "lower --fail-rate"
    )


def _showcase_in(data: dict[str, Any]) -> Showcase:
    nodes = data["customers"]["nodes"]
    known_everywhere = [n["id"] for n in nodes if n["crm"] and n["shop"]]
    in_stock = [
        p["sku"]
        for p in data["products"]["nodes"]
        if p["salesUnit"] == "C62" and p["stock"] and float(p["stock"]["available"]["value"]) >= 10
    ]
    customer = str((known_everywhere or [n["id"] for n in nodes])[0])
    return Showcase(customer, in_stock[0] if in_stock else data["products"]["nodes"][0]["sku"])


PARTNER_MUTATION = """mutation { placeOrder(input: {lines: [{sku: "%s", quantity: "1"}]}) {
  receipt { commandId status order { number status } } userErrors { field code message } } }"""


def _partner_curl(gateway_url: str, token: str, sku: str) -> str:
    body = json.dumps({"query": PARTNER_MUTATION % sku})
    return (
        f"  curl -s {gateway_url}/graphql -H 'Authorization: Bearer {token}' \\\n"
        "    -H 'Content-Type: application/json' -H 'Idempotency-Key: demo-partner-order-1' \\\n"
        f"    --data {shlex.quote(body)}"
    )


def _banner(
    gateway_url: str,
    emulators: list[Emulator],
    urls: dict[str, str],
    seed: int,
    showcase: Showcase,
    tokens: DemoTokens,
    store: str,
    queue_url: str,
) -> str:
    customer = showcase.customer_id
    lines = [
        "",
        "erp-gateway demo is running",
        f"  GraphiQL:  {gateway_url}/graphql   (open it in a browser)",
        f"  Health:    {gateway_url}/healthz",
        f"  Emulators (seed {seed}):",
        *(
            f"    {e.role:<5} {e.system:<12} {urls[e.role]}   ({e.access.detail})"
            for e in emulators
        ),
        "",
        "Tokens (send as Authorization: Bearer <token>; valid 12 hours):",
        f"  staff     {tokens.staff}",
        f"            {', '.join(STAFF_SCOPES)}",
        f"  customer  {tokens.customer}",
        f"            {customer}: asks {{ viewer {{ customer {{ name }} }} }}",
        f"  partner   {tokens.partner}",
        f"            an API token for {customer}: {', '.join(PARTNER_SCOPES)}",
        f"  Staff act as a customer with the header X-Act-As-Customer: {customer}",
        f"  Audit log: erp-gateway audit tail --store {store}",
        f"  Command queue: {queue_url}   (erp-gateway dlq list --queue {queue_url})",
        "",
        "Open GraphiQL with the staff token and the query below filled in (the token",
        "travels after the #, which the browser does not send to any server):",
        "",
        "  "
        + graphiql_link(
            f"{gateway_url}/graphql",
            EXAMPLE_QUERY % customer,
            {"Authorization": f"Bearer {tokens.staff}"},
        ),
        "",
        "or, in GraphiQL, open Headers and paste:",
        "",
        f'  {{"Authorization": "Bearer {tokens.staff}"}}',
        "",
        "then this query:",
        "",
        EXAMPLE_QUERY % customer,
        "",
        "With the customer token in Headers instead, place an order:",
        "",
        EXAMPLE_MUTATION % showcase.sku,
        "",
        "A partner system places one with its API token; sent again with the same",
        "Idempotency-Key, it gets the same receipt and nothing is ordered twice:",
        "",
        _partner_curl(gateway_url, tokens.partner, showcase.sku),
        "",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines) + "\n"
