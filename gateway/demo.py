"""`erp-gateway demo`: the emulated ERP, CRM and shop and the gateway, on loopback, in one
process.

The embedded default of DESIGN.md: no configuration, no credentials, one seeded world
shown by all three emulators. The emulators take free ports; the gateway takes `--port`.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from starlette.types import ASGIApp

from erp_backends.emulation import FaultOptions
from erp_backends.hubspot import emulator as hubspot
from erp_backends.odoo import emulator as odoo
from erp_backends.woocommerce import emulator as woocommerce
from gateway.app import create_app
from gateway.config import (
    BackendSettings,
    HubSpotOptions,
    OdooOptions,
    Settings,
    WooCommerceOptions,
)
from gateway.secrets import Secret
from gateway.server import Served, address, bind, serve

# The emulators' own defaults: public demo credentials, printed for the user.
DEMO_DATABASE = "demo"
DEMO_LOGIN = DEMO_PASSWORD = "admin"  # noqa: S105
DEMO_HUBSPOT_TOKEN = "pat-demo"  # noqa: S105
DEMO_WOO_KEYS = "ck_demo:cs_demo"

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
_FIND_SHOWCASE = "{ customers(first: 100) { nodes { id crm { contactId } shop { id } } } }"


@dataclass(frozen=True)
class Emulator:
    role: str
    system: str
    app: ASGIApp
    detail: str


async def run_demo(*, host: str, port: int, seed: int, faults: FaultOptions) -> None:
    gateway_sock = bind(host, port)  # first: a taken port fails before anything starts
    emulators = _emulators(seed, faults)
    socks = {e.role: bind(host, 0) for e in emulators}
    urls = {role: address(sock) for role, sock in socks.items()}
    gateway_url = address(gateway_sock)

    async def announce() -> None:
        customer = await _showcase_customer(gateway_url)
        print(_banner(gateway_url, emulators, urls, seed, customer), flush=True)

    served = [Served(create_app(_settings(urls)), gateway_sock)]
    served += [Served(e.app, socks[e.role], access_log=False) for e in emulators]
    await serve(served, on_started=announce)


def _emulators(seed: int, faults: FaultOptions) -> list[Emulator]:
    odoo_options = odoo.EmulatorOptions(
        seed=seed, database=DEMO_DATABASE, login=DEMO_LOGIN, password=DEMO_PASSWORD, faults=faults
    )
    crm_options = hubspot.EmulatorOptions(seed=seed, token=DEMO_HUBSPOT_TOKEN, faults=faults)
    key, _, secret = DEMO_WOO_KEYS.partition(":")
    shop_options = woocommerce.EmulatorOptions(
        seed=seed, consumer_key=key, consumer_secret=secret, faults=faults
    )
    return [
        Emulator("erp", "Odoo", odoo.create_app(odoo_options),
                 f"database {DEMO_DATABASE}, login {DEMO_LOGIN}, password {DEMO_PASSWORD}"),
        Emulator("crm", "HubSpot", hubspot.create_app(crm_options),
                 f"token {DEMO_HUBSPOT_TOKEN}"),
        Emulator("shop", "WooCommerce", woocommerce.create_app(shop_options),
                 f"key {DEMO_WOO_KEYS}"),
    ]  # fmt: skip


def _settings(urls: dict[str, str]) -> Settings:
    def backend(role: str, kind: str, secret: str, options: object) -> BackendSettings:
        return BackendSettings(
            role=role, kind=kind, url=urls[role], credentials=Secret(secret),
            credentials_env="(demo)", options=options,  # type: ignore[arg-type]
        )  # fmt: skip

    return Settings(
        erp=backend("erp", "odoo", DEMO_PASSWORD, OdooOptions(DEMO_DATABASE, DEMO_LOGIN)),
        crm=backend("crm", "hubspot", DEMO_HUBSPOT_TOKEN, HubSpotOptions()),
        shop=backend("shop", "woocommerce", DEMO_WOO_KEYS, WooCommerceOptions()),
    )


async def _showcase_customer(gateway_url: str) -> str:
    """A customer that all three systems know, to show federation at its best."""
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.post(f"{gateway_url}/graphql", json={"query": _FIND_SHOWCASE})
    nodes = answer.json()["data"]["customers"]["nodes"]
    known_everywhere = [n["id"] for n in nodes if n["crm"] and n["shop"]]
    return str((known_everywhere or [n["id"] for n in nodes])[0])


def _banner(
    gateway_url: str, emulators: list[Emulator], urls: dict[str, str], seed: int, customer: str
) -> str:
    lines = [
        "",
        "erp-gateway demo is running",
        f"  GraphiQL:  {gateway_url}/graphql   (open it in a browser)",
        f"  Health:    {gateway_url}/healthz",
        f"  Emulators (seed {seed}):",
        *(f"    {e.role:<5} {e.system:<12} {urls[e.role]}   ({e.detail})" for e in emulators),
        "",
        "Paste this query into GraphiQL:",
        "",
        EXAMPLE_QUERY % customer,
        "",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines) + "\n"
