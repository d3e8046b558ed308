"""A request's objects form no reference cycles: its records, loaders and execution
context are freed as its answer is sent, not by the garbage collector's passes, which
`erp-gateway serve` makes rarer for that reason (`freeze_startup_objects`). A cycle
through any of them keeps the whole request (about 5,000 objects for the federated
customer-360) alive until a full collection, which then walks it all."""

import gc
from collections import Counter

import pytest

from tests.harness import data_of, graphql
from tests.resolvers.queries import FEDERATED_360

# Where the gateway's side of a request lives; the emulators (in this process for the
# fast lane) and the test's own client are not the gateway's to keep acyclic.
GATEWAY_MODULES = ("gateway.", "resolvers.", "erp_backends.", "strawberry.", "graphql.")
EMULATOR_MODULES = ("erp_backends.emulation", ".emulator")
LINKED = """{ customers(first: 100) { nodes { id crm { contactId } shop { id } } } }"""


@pytest.fixture(scope="module")
def linked_customer(federated_gateway):
    """A customer that the ERP, the CRM and the shop all know."""
    nodes = data_of(graphql(federated_gateway, LINKED))["customers"]["nodes"]
    return next(n["id"] for n in nodes if n["crm"] and n["shop"])


def gateway_side(thing: object) -> bool:
    module = type(thing).__module__ or ""
    return module.startswith(GATEWAY_MODULES) and not any(
        part in module for part in EMULATOR_MODULES
    )


def left_for_the_collector(ask) -> Counter[str]:
    """The gateway's objects that only the collector would have freed after `ask()`."""
    ask()  # warm: what the first request builds for good is not garbage
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection finds unreachable, kept to look at
    try:
        ask()
        gc.collect()
        return Counter(type(o).__qualname__ for o in gc.garbage if gateway_side(o))
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def test_the_federated_customer_360_leaves_nothing_for_the_collector(
    federated_gateway, linked_customer
):
    variables = {"id": linked_customer, "first": 50}
    left = left_for_the_collector(
        lambda: data_of(graphql(federated_gateway, FEDERATED_360, variables))
    )
    assert not left, f"in reference cycles after the request: {left.most_common(8)}"


def test_a_failing_query_leaves_nothing_for_the_collector(federated_gateway):
    """An error travels with its traceback, whose frames refer back to the error."""
    query = "query($id: ID!) { customer(id: $id) { id } order(id: $id) { id } }"
    asked = lambda: graphql(federated_gateway, query, {"id": "not-a-global-id"})  # noqa: E731
    assert asked()["errors"]
    left = left_for_the_collector(asked)
    assert not left, f"in reference cycles after the request: {left.most_common(8)}"
