import pytest

from tests.harness import (
    EmulatorCalls,
    federated_settings,
    first_customer_id,
    odoo_settings,
    running_gateway,
)
from tests.resolvers.queries import encode


@pytest.fixture(scope="session")
def gateway_url(odoo_emulator_url):
    """The gateway against the shared seed-1 emulator, over HTTP."""
    with running_gateway(odoo_settings(odoo_emulator_url)) as url:
        yield url


@pytest.fixture(scope="session")
def emulator_calls(odoo_emulator_url):
    return EmulatorCalls(odoo_emulator_url)


@pytest.fixture(scope="session")
def customer_id(odoo_emulator_url):
    """The global id of the seeded customer with the most orders (60 or more)."""
    return encode("Customer", first_customer_id(odoo_emulator_url))


@pytest.fixture(scope="session")
def federated_gateway_url(odoo_emulator_url, hubspot_emulator_url, woocommerce_emulator_url):
    """The gateway over the seed-1 Odoo, HubSpot and WooCommerce emulators."""
    settings = federated_settings(odoo_emulator_url, hubspot_emulator_url, woocommerce_emulator_url)
    with running_gateway(settings) as url:
        yield url
