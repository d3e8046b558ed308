"""Order lines are read as references (their order and product, two fields in Odoo
instead of twelve) when nothing of them but their product may be selected
(`resolvers.orders.lines`); any other field of a line, even one a directive or a
fragment may bring, reads the whole lines. Either way the answer is the same."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast
from unittest import mock

import httpx
import pytest

from erp_backends import models
from erp_backends.odoo.adapter import OdooErp
from resolvers.orders.types import OrderLine
from tests.harness import data_of, graphql, odoo_settings
from tests.inprocess import in_process_gateway
from tests.resolvers.conftest import ERP

ORDERS = """query ($id: ID!) {{ customer(id: $id) {{ orders(first: 30) {{ nodes {{
    number {selection} }} }} }} }}"""
FIGURES = "fragment Figures on OrderLine { quantity { value unit } }"
ONE_ORDER = """query ($id: ID!) { order(id: $id) { number lines { product { sku } } } }"""


@contextmanager
def counting_line_reads(odoo_emulator_app) -> Iterator[tuple[httpx.Client, Counter[str]]]:
    """A gateway of its own (ports keep the methods they bind), counting the reads of
    whole lines and of line references."""
    reads: Counter[str] = Counter()
    whole, references = OdooErp.lines_for_orders, OdooErp.line_refs_for_orders

    async def whole_lines(self, ids):
        reads["whole"] += 1
        return await whole(self, ids)

    async def line_references(self, ids):
        reads["references"] += 1
        return await references(self, ids)

    with (
        mock.patch.object(OdooErp, "lines_for_orders", whole_lines),
        mock.patch.object(OdooErp, "line_refs_for_orders", line_references),
        in_process_gateway(odoo_settings(ERP), {"erp": odoo_emulator_app}) as client,
    ):
        yield client, reads


def orders_query(selection: str) -> str:
    query = ORDERS.format(selection=selection)
    return f"{query}\n{FIGURES}" if "...Figures" in selection else query


def products_of(orders: dict) -> list[list[dict | None]]:
    nodes = orders["customer"]["orders"]["nodes"]
    return [[line["product"] for line in order["lines"]] for order in nodes]


@pytest.mark.parametrize(
    ("selection", "read"),
    [
        ("lines { product { sku name } }", "references"),
        ("lines { __typename product { sku } }", "references"),
        ("lines { product { sku } description }", "whole"),
        ("lines { product { sku } ...Figures }", "whole"),
        ("lines { product { sku } ... on OrderLine { total { amount } } }", "whole"),
        # Whether the directive leaves it out is known only as each line runs.
        ("lines { product { sku } quantity @include(if: false) { value } }", "whole"),
    ],
)
def test_lines_are_read_as_references_only_when_nothing_else_may_be_selected(
    odoo_emulator_app, customer_id, selection, read
):
    with counting_line_reads(odoo_emulator_app) as (client, reads):
        orders = data_of(graphql(client, orders_query(selection), {"id": customer_id}))
    assert reads == {read: 1}  # read ahead for the page, in one call, and used
    assert sum(len(lines) for lines in products_of(orders)) > 30


def test_references_answer_the_same_products_as_the_whole_lines(odoo_emulator_app, customer_id):
    products = "lines { product { sku name barcode } }"
    with counting_line_reads(odoo_emulator_app) as (client, reads):
        by_reference = data_of(graphql(client, orders_query(products), {"id": customer_id}))
        with_description = "lines { description product { sku name barcode } }"
        whole = data_of(graphql(client, orders_query(with_description), {"id": customer_id}))
    assert reads == {"references": 1, "whole": 1}
    assert products_of(by_reference) == products_of(whole)
    assert all(
        line["description"] for o in whole["customer"]["orders"]["nodes"] for line in o["lines"]
    )


def test_aliased_lines_each_read_what_they_select(odoo_emulator_app, customer_id):
    selection = "refs: lines { product { sku } } whole: lines { description product { sku } }"
    with counting_line_reads(odoo_emulator_app) as (client, reads):
        orders = data_of(graphql(client, orders_query(selection), {"id": customer_id}))
    # The page reads ahead the whole lines, which serve the references too.
    assert reads == {"whole": 1}
    for order in orders["customer"]["orders"]["nodes"]:
        assert order["refs"] == [{"product": line["product"]} for line in order["whole"]]


def test_one_orders_aliased_lines_share_the_whole_lines(odoo_emulator_app, customer_id):
    query = """query ($id: ID!) { order(id: $id) {
        refs: lines { product { sku } } whole: lines { description product { sku } } } }"""
    with counting_line_reads(odoo_emulator_app) as (client, reads):
        page = data_of(graphql(client, orders_query("id"), {"id": customer_id}))
        order_id = page["customer"]["orders"]["nodes"][0]["id"]
        order = data_of(graphql(client, query, {"id": order_id}))["order"]
    assert reads == {"whole": 1}
    assert order["refs"] == [{"product": line["product"]} for line in order["whole"]]


def test_one_orders_lines_are_read_as_references_too(odoo_emulator_app, customer_id):
    with counting_line_reads(odoo_emulator_app) as (client, reads):
        page = data_of(graphql(client, orders_query("id"), {"id": customer_id}))
        order_id = page["customer"]["orders"]["nodes"][0]["id"]
        order = data_of(graphql(client, ONE_ORDER, {"id": order_id}))["order"]
    assert reads == {"references": 1}
    assert order["lines"]
    assert all("product" in line for line in order["lines"])


def test_a_line_read_as_a_reference_refuses_its_other_fields():
    """What the selection check guarantees never happens fails loudly, not with a blank."""
    line = OrderLine.of(models.OrderLineRef(id="7", order_id="3", product_id="12"))
    assert line.product_key == "12"
    with pytest.raises(RuntimeError, match="order line 7 was read without its details"):
        cast(Any, line).description()  # the resolver itself, as the executor calls it
