"""One gateway with the memory cache on, in front of the Odoo emulator, and two
customers whose orders, invoices and payments the tests try to reach across."""

from dataclasses import dataclass, replace

import pytest

from erp_backends.odoo import emulator as odoo_emulator
from gateway.auth.principal import PrincipalKind
from gateway.auth.scopes import SCOPES
from gateway.config import AuthSettings, CacheSettings
from tests.harness import (
    READ_SCOPES,
    TEST_SECRET,
    data_of,
    graphql,
    odoo_settings,
    own_queue,
    running_gateway,
    token_for,
)
from tests.inprocess import in_process_gateway

# Every scope but the staff-only ones: what the tests that write give their principals.
WRITE_SCOPES = frozenset(SCOPES) - {"customers:impersonate", "payments:write-impersonated"}

CUSTOMERS_WITH_EVERYTHING = """
{
  customers(first: 60) {
    nodes {
      id
      orders(first: 1) { nodes { id number } }
      invoices(first: 5) { nodes { id number payments { id number } } }
      payments(first: 1) { nodes { id number } }
    }
  }
}
"""


@dataclass(frozen=True)
class Account:
    """A customer with one of each of its objects, and a token for it."""

    customer_id: str
    order_id: str
    order_number: str
    invoice_id: str
    invoice_number: str
    payment_id: str
    payment_number: str

    def token(self, scopes=READ_SCOPES) -> str:
        return token_for(
            PrincipalKind.CUSTOMER,
            scopes=scopes,
            customer_id=self.customer_id,
            subject=f"user-of-{self.customer_id}",
        )


@pytest.fixture(scope="module")
def gateway(odoo_emulator_app):
    """In-process; modules about the HTTP edge itself override it with `socket_gateway`."""
    settings = replace(odoo_settings("http://erp.in-process"), cache=CacheSettings())
    with in_process_gateway(settings, {"erp": odoo_emulator_app}) as client:
        yield client


def socket_gateway(odoo_emulator_url):
    """The same gateway served by uvicorn on a loopback socket: what the edge tests
    attack is the server's own handling of bytes, heads and bodies."""
    settings = replace(odoo_settings(odoo_emulator_url), cache=CacheSettings())
    with running_gateway(settings) as url:
        yield url


@pytest.fixture(scope="module")
def accounts(gateway) -> tuple[Account, Account]:
    nodes = data_of(graphql(gateway, CUSTOMERS_WITH_EVERYTHING))["customers"]["nodes"]
    found = []
    for node in nodes:
        paid = [i for i in node["invoices"]["nodes"] if i["payments"]]
        if node["orders"]["nodes"] and paid and node["payments"]["nodes"]:
            order, invoice = node["orders"]["nodes"][0], paid[0]
            payment = invoice["payments"][0]
            account = Account(
                customer_id=node["id"],
                order_id=order["id"],
                order_number=order["number"],
                invoice_id=invoice["id"],
                invoice_number=invoice["number"],
                payment_id=payment["id"],
                payment_number=payment["number"],
            )
            found.append(account)
    assert len(found) >= 2, "the seeded world has customers with orders, invoices, payments"
    return found[0], found[1]


@pytest.fixture(scope="module")
def own_odoo():
    """A seed-1 Odoo emulator of the module's own: its tests place and cancel orders.
    `own_odoo.state.database` is its data, for facts the schema does not show (credit
    limits, contacts)."""
    return odoo_emulator.create_app(odoo_emulator.EmulatorOptions(seed=1))


@pytest.fixture(scope="module")
def auth_store(tmp_path_factory):
    """The token store of the module's `writing_gateway`."""
    return f"sqlite:///{tmp_path_factory.mktemp('auth')}/auth.sqlite3"


@pytest.fixture(scope="module")
def writing_gateway(own_odoo, auth_store):
    """In-process, with the memory cache and a worker in front of `own_odoo`; a mutation
    answers once its command is settled."""
    settings = replace(
        odoo_settings("http://erp.in-process"),
        cache=CacheSettings(),
        auth=AuthSettings(secret=TEST_SECRET, store=auth_store),
        queue=own_queue(sync_wait_ms=20_000),
    )
    with in_process_gateway(settings, {"erp": own_odoo}) as client:
        yield client
