"""Helpers for tests that run the gateway over HTTP against an emulator."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import httpx

from erp_backends.http import Resilience
from gateway.auth.minting import mint_token
from gateway.auth.principal import PrincipalKind
from gateway.auth.scopes import SCOPES
from gateway.cache.caching import DEFAULT_TTLS
from gateway.config import (
    AuthSettings,
    BackendSettings,
    CacheSettings,
    HubSpotOptions,
    OdooOptions,
    QueueSettings,
    Settings,
    WooCommerceOptions,
)
from gateway.secrets import Secret
from gateway.wiring.app import create_app
from tests.servers import serve_in_thread

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


def odoo_settings(
    url: str, *, protocol: str = "jsonrpc", resilience: Resilience | None = None, **overrides: Any
) -> Settings:
    """Settings for the gateway in front of an Odoo emulator; no retries unless asked,
    so a test of a failure sees it at once."""
    erp: dict[str, Any] = {
        "role": "erp",
        "kind": "odoo",
        "url": url,
        "credentials": Secret("admin"),
        "credentials_env": "ODOO_API_KEY",
        "options": OdooOptions(database="demo", login="admin", protocol=protocol),  # type: ignore[arg-type]
        "resilience": resilience or Resilience(timeout_s=5.0, retries=0),
    }
    erp.update(overrides)
    return Settings(erp=BackendSettings(**erp), cache=NO_CACHE, auth=TEST_AUTH, queue=own_queue())


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
        crm = BackendSettings(
            role="crm", kind="hubspot", url=hubspot, credentials=Secret("pat-demo"),
            credentials_env="HUBSPOT_TOKEN", options=HubSpotOptions(), resilience=policy,
        )  # fmt: skip
    if woocommerce is not None:
        shop = BackendSettings(
            role="shop", kind="woocommerce", url=woocommerce,
            credentials=Secret("ck_demo:cs_demo"), credentials_env="WOO_KEYS",
            options=WooCommerceOptions(), resilience=Resilience(timeout_s=5.0, retries=0),
        )  # fmt: skip
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


def graphql(
    url: str,
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
    response = httpx.post(
        f"{url}/graphql",
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

    def __init__(self, url: str) -> None:
        self.url = url

    def reset(self) -> None:
        httpx.delete(f"{self.url}/_emulator/calls").raise_for_status()

    def snapshot(self) -> dict[str, Any]:
        response = httpx.get(f"{self.url}/_emulator/calls")
        response.raise_for_status()
        return response.json()

    def total(self) -> int:
        return int(self.snapshot()["total"])


def odoo_rpc(url: str, model: str, method: str, args: list, kwargs: dict | None = None) -> Any:
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
    answer = httpx.post(f"{url}/jsonrpc", json=body, timeout=30).json()
    assert "error" not in answer, answer["error"]
    return answer["result"]


def first_customer_id(url: str) -> int:
    """The lowest-id customer: the emulator seeds it with at least 60 orders."""
    domain = [["customer_rank", ">", 0], ["parent_id", "=", False]]
    rows = odoo_rpc(url, "res.partner", "search_read", [domain], {"fields": ["id"], "limit": 1,
                                                                    "order": "id"})  # fmt: skip
    return int(rows[0]["id"])
