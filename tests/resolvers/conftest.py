"""Gateways over the seed-1 emulators, in-process: the fast lane's path through the
schema, loaders, adapters and emulators, without sockets."""

import pytest

from tests.harness import EmulatorCalls, federated_settings, first_customer_id, odoo_settings
from tests.inprocess import in_process_gateway
from tests.resolvers.queries import encode

# Backend URLs of in-process gateways: never dialled, the transport goes to the app.
ERP, CRM, SHOP = "http://erp.in-process", "http://crm.in-process", "http://shop.in-process"


@pytest.fixture(scope="session")
def gateway(odoo_emulator_app):
    """The gateway against the shared seed-1 Odoo emulator."""
    with in_process_gateway(odoo_settings(ERP), {"erp": odoo_emulator_app}) as client:
        yield client


@pytest.fixture(scope="session")
def emulator_calls(odoo_emulator):
    return EmulatorCalls(odoo_emulator)


@pytest.fixture(scope="session")
def customer_id(odoo_emulator):
    """The global id of the seeded customer with the most orders (60 or more)."""
    return encode("Customer", first_customer_id(odoo_emulator))


@pytest.fixture(scope="session")
def federated_gateway(odoo_emulator_app, hubspot_emulator_app, woocommerce_emulator_app):
    """The gateway over the seed-1 Odoo, HubSpot and WooCommerce emulators."""
    emulators = {
        "erp": odoo_emulator_app,
        "crm": hubspot_emulator_app,
        "shop": woocommerce_emulator_app,
    }
    with in_process_gateway(federated_settings(ERP, CRM, SHOP), emulators) as client:
        yield client
