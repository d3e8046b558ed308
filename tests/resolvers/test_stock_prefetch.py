"""A list of products reads their stock with them when that is free (`prefetch_stock`),
so each product's `stock` answers without an await: the same answers, the same one
batched call, the same errors in the same places, and nothing read for a principal
who may not see stock."""

from __future__ import annotations

from unittest import mock

import pytest

from erp_backends.emulation.faults import FaultOptions
from erp_backends.odoo import emulator as odoo
from gateway.auth.scopes import PRODUCTS_READ
from resolvers.products import queries
from resolvers.products.types import prefetch_stock
from tests.harness import EmulatorCalls, data_of, error_codes, graphql, odoo_settings, token_for
from tests.inprocess import in_process_gateway, serve_in_process
from tests.resolvers.conftest import ERP

LIST = """query ($first: Int!) { products(first: $first) { nodes {
    sku stock { onHand { value unit } available { value }
                warehouses { warehouse { code } reserved { value } } } } } }"""
ONE = """query ($sku: String!) { product(sku: $sku) { sku stock { onHand { value unit }
    available { value } warehouses { warehouse { code } reserved { value } } } } }"""


def stock_reads(calls: EmulatorCalls) -> int:
    return sum(n for key, n in calls.snapshot()["calls"].items() if key.startswith("stock.quant"))


def test_a_list_answers_each_products_stock_as_the_product_itself_does(gateway):
    listed = data_of(graphql(gateway, LIST, {"first": 30}))["products"]["nodes"]
    assert any(p["stock"] is None for p in listed)  # services
    assert any(p["stock"] for p in listed)
    for product in listed:
        alone = data_of(graphql(gateway, ONE, {"sku": product["sku"]}))["product"]
        assert alone == product


def test_a_list_reads_its_products_stock_in_one_call(gateway, emulator_calls):
    emulator_calls.reset()
    data_of(graphql(gateway, LIST, {"first": 50}))
    assert stock_reads(emulator_calls) == 1


def test_without_the_stock_scope_nothing_is_read_ahead(gateway, emulator_calls):
    emulator_calls.reset()
    token = token_for(scopes={PRODUCTS_READ})
    answer = graphql(gateway, LIST, {"first": 10}, token=token)
    assert set(error_codes(answer)) == {"FORBIDDEN"}
    assert answer["data"]["products"]["nodes"][0]["sku"]
    assert stock_reads(emulator_calls) == 0


def test_a_failed_stock_read_fails_each_products_stock_alone():
    """The ERP refuses the stock read: the products are listed, each stocked product's
    `stock` is null with the error at its own path, as when each asked for itself."""
    refusing = odoo.create_app(
        odoo.EmulatorOptions(
            seed=1, faults=FaultOptions(refuse=frozenset({"stock.quant.search_read"}))
        )
    )
    with in_process_gateway(odoo_settings(ERP), {"erp": refusing}) as client:
        answer = graphql(client, LIST, {"first": 20})
        nodes = answer["data"]["products"]["nodes"]
        assert all(product["sku"] for product in nodes)
        failed = {tuple(error["path"]) for error in answer["errors"]}
        stocked = {
            ("products", "nodes", i, "stock") for i, p in enumerate(nodes) if p["stock"] is None
        }
        assert failed
        assert failed <= stocked
        alone = graphql(client, ONE, {"sku": nodes[min(failed)[2]]["sku"]})
        assert {e["message"] for e in answer["errors"]} == {alone["errors"][0]["message"]}
        assert set(error_codes(answer)) == set(error_codes(alone))
    with serve_in_process(refusing) as emulator:
        assert stock_reads(EmulatorCalls(emulator)) >= 1  # the refusal was the ERP's


@pytest.mark.parametrize(
    ("query", "read_ahead"),
    [
        ("{ products(first: 5) { nodes { stock { onHand { value } } } } }", True),
        ("{ products(first: 5) { edges { node { stock { onHand { value } } } } } }", True),
        (
            "{ products(first: 5) { nodes { ...P } } } "
            "fragment P on Product { stock { onHand { value } } }",
            True,
        ),
        ("{ products(first: 5) { nodes { sku name } } }", False),
        # Beside another field that waits on a backend, reading ahead would make the two
        # wait one for the other, where each batches on its own, side by side.
        (
            "{ products(first: 5) { nodes { stock { onHand { value } } "
            "shopListing { published } } } }",
            False,
        ),
    ],
)
def test_stock_is_read_ahead_only_when_it_is_free(federated_gateway, query, read_ahead):
    with mock.patch.object(queries, "prefetch_stock", wraps=prefetch_stock) as spy:
        data_of(graphql(federated_gateway, query))
    assert spy.called is read_ahead
