"""A failing CRM fails only its own fields; its circuit breaker opens and recovers."""

from contextlib import ExitStack

import pytest

from erp_backends.hubspot import emulator as hubspot
from tests.harness import (
    EmulatorCalls,
    FakeClock,
    data_of,
    error_codes,
    federated_settings,
    graphql,
    running_gateway,
)
from tests.servers import free_port, serve_in_thread

CUSTOMER = """
query C($id: ID!) {
  customer(id: $id) {
    name
    orders(first: 3) { totalCount nodes { number } }
    shop { email }
    crm { contactId accountManager { name } }
  }
}
"""
CRM_AND_SHOP = "{ customers(first: 50) { nodes { id crm { contactId } shop { id } } } }"


@pytest.fixture(scope="module")
def customer_id(federated_gateway):
    """A customer with a CRM contact and a shop account."""
    nodes = data_of(graphql(federated_gateway, CRM_AND_SHOP))["customers"]["nodes"]
    return next(c["id"] for c in nodes if c["crm"] and c["shop"])


def start_crm(stack, port):
    app = hubspot.create_app(hubspot.EmulatorOptions(seed=1))
    return stack.enter_context(serve_in_thread(app, port=port))


def test_a_stopped_crm_nulls_only_the_crm_fields(
    customer_id, odoo_emulator_url, woocommerce_emulator_url
):
    port = free_port()
    with ExitStack() as gateway_stack:
        crm = ExitStack()
        crm_url = start_crm(crm, port)
        settings = federated_settings(odoo_emulator_url, crm_url, woocommerce_emulator_url)
        gateway = gateway_stack.enter_context(running_gateway(settings))
        before = data_of(graphql(gateway, CUSTOMER, {"id": customer_id}))["customer"]
        assert before["crm"]["contactId"]

        crm.close()  # the CRM goes down
        answer = graphql(gateway, CUSTOMER, {"id": customer_id})

    customer = answer["data"]["customer"]
    assert customer["crm"] is None
    assert customer["name"] == before["name"]
    assert customer["orders"] == before["orders"]
    assert customer["shop"] == before["shop"]
    assert error_codes(answer) == ["BACKEND_UNAVAILABLE"]
    error = answer["errors"][0]
    assert error["path"] == ["customer", "crm"]
    assert error["extensions"]["backend"] == "crm"


def test_the_crm_circuit_opens_fails_fast_and_recovers(
    customer_id, odoo_emulator_url, woocommerce_emulator_url
):
    port = free_port()
    clock = FakeClock()  # the circuit's reset time passes when the test says, not before
    with ExitStack() as stack:
        crm = ExitStack()
        crm_url = start_crm(crm, port)
        settings = federated_settings(
            odoo_emulator_url,
            crm_url,
            woocommerce_emulator_url,
            retries=0,
            circuit_failures=2,
            circuit_reset_s=30.0,
        )
        gateway = stack.enter_context(running_gateway(settings, clock=clock))
        assert data_of(graphql(gateway, CUSTOMER, {"id": customer_id}))["customer"]["crm"]

        # Given the CRM goes down, two failing requests open the circuit.
        crm.close()
        for _ in range(2):
            assert error_codes(graphql(gateway, CUSTOMER, {"id": customer_id})) == [
                "BACKEND_UNAVAILABLE"
            ]
        # When the CRM is back before the reset time, the open circuit still does not call it.
        crm_url = start_crm(stack, port)
        calls = EmulatorCalls(crm_url)
        calls.reset()
        answer = graphql(gateway, CUSTOMER, {"id": customer_id})
        assert error_codes(answer) == ["BACKEND_UNAVAILABLE"]
        assert calls.total() == 0
        assert answer["data"]["customer"]["orders"]["totalCount"] > 0

        # Then, after the reset time, one probe goes through and closes the circuit.
        clock.advance(30.0)
        recovered = data_of(graphql(gateway, CUSTOMER, {"id": customer_id}))["customer"]
        assert recovered["crm"]["contactId"]
        assert calls.total() > 0
