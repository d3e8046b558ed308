"""A fresh Odoo emulator per module (mutations change its world) and a gateway with an
in-process worker in front of it."""

from dataclasses import replace

import pytest

from erp_backends.odoo import emulator
from gateway.auth.principal import PrincipalKind
from gateway.auth.scopes import SCOPES
from tests.harness import (
    data_of,
    graphql,
    odoo_rpc,
    odoo_settings,
    own_queue,
    running_gateway,
    token_for,
)
from tests.servers import serve_in_thread

ALL_SCOPES = frozenset(SCOPES) - {"payments:write-impersonated"}
# A mutation answers as soon as its command settles, so this wait only bounds a failure:
# long enough for CONFIRMED on a busy machine, short of the harness's 30 s HTTP timeout.
SYNC_WAIT_MS = 20_000
STAFF = token_for(PrincipalKind.STAFF, scopes=ALL_SCOPES, subject="staff-carol")


@pytest.fixture(scope="module")
def odoo():
    with serve_in_thread(emulator.create_app(emulator.EmulatorOptions(seed=3))) as url:
        yield url


@pytest.fixture(scope="module")
def gateway(odoo):
    settings = replace(odoo_settings(odoo), queue=own_queue(sync_wait_ms=SYNC_WAIT_MS))
    with running_gateway(settings) as url:
        yield url


def customer_token(customer_id: str, scopes=ALL_SCOPES) -> str:
    return token_for(
        PrincipalKind.CUSTOMER,
        scopes=scopes,
        customer_id=customer_id,
        subject=f"user-{customer_id}",
    )


def orders_with_reference(odoo: str, reference: str) -> list[dict]:
    return odoo_rpc(
        odoo,
        "sale.order",
        "search_read",
        [[["client_order_ref", "=", reference]]],
        {"fields": ["name", "state", "partner_id"]},
    )


@pytest.fixture(scope="module")
def catalogue(gateway):
    """Products in stock, sold by the unit, and one customer with an order."""
    query = """{ products(first: 100) { nodes { sku salesUnit stock { available { value } } } }
                 customers(first: 30) { nodes { id orders(first: 3) { nodes { id number } } } } }"""
    data = data_of(graphql(gateway, query, token=STAFF))
    in_stock = [
        p
        for p in data["products"]["nodes"]
        if p["stock"] and float(p["stock"]["available"]["value"]) >= 50 and p["salesUnit"] == "C62"
    ]
    customers = [c for c in data["customers"]["nodes"] if c["orders"]["nodes"]]
    assert in_stock
    assert customers
    return {"products": in_stock, "customers": customers}


@pytest.fixture
def buyer(catalogue):
    """A customer's token: the first seeded customer's."""
    return customer_token(catalogue["customers"][0]["id"])


@pytest.fixture
def line(catalogue):
    """One unit of the first product, as an order's lines."""
    return [{"sku": catalogue["products"][0]["sku"], "quantity": "1"}]
