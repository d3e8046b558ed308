"""A product the ERP does not sell (not `sale_ok`, or archived) is refused at acceptance,
over HTTP against an Odoo emulator: PRODUCT_NOT_SELLABLE at the line's SKU, no command
queued and nothing reaching the ERP. A return of one is still taken."""

import pytest

from resolvers.node import encode_id
from tests.commands.conftest import STAFF
from tests.commands.test_acceptance_checks import REORDER, count, errors_of
from tests.commands.test_mutations import place
from tests.harness import EmulatorCalls, data_of, graphql, odoo_rpc

# Starts an emulator and a gateway with its worker on sockets.
pytestmark = pytest.mark.slow

LINES_FOR_SALE = """
query($id: ID!) { order(id: $id) { lines { product { sku forSale } } } }
"""
RETURN = """
mutation($input: RequestReturnInput!) {
  requestReturn(input: $input) { receipt { status } userErrors { field code message } }
}
"""


def products(odoo, domain) -> list[dict]:
    options = {"fields": ["id", "default_code"], "order": "id"}
    rows: list[dict] = odoo_rpc(odoo, "product.product", "search_read", [domain], options)
    return rows


@pytest.fixture
def packaging(odoo) -> str:
    """The SKU of a product the ERP keeps but does not sell (packaging, e.g. PACK-0001)."""
    return products(odoo, [["sale_ok", "=", False], ["active", "=", True]])[0]["default_code"]


@pytest.fixture
def archived(odoo) -> dict[int, str]:
    """Archived products, by id: their SKUs."""
    return {row["id"]: row["default_code"] for row in products(odoo, [["active", "=", False]])}


@pytest.fixture
def nothing_reaches_the_erp(odoo):
    calls = EmulatorCalls(odoo)
    orders = count(odoo, "sale.order")
    calls.reset()
    yield
    assert count(odoo, "sale.order") == orders
    assert not [call for call in calls.snapshot()["calls"] if call.endswith(".create")]


def an_order_with(odoo, product_ids) -> tuple[str, int]:
    """An order with a line of one of the products, and that line's product."""
    options = {"fields": ["order_id", "product_id"], "limit": 1, "order": "id"}
    domain = [["product_id", "in", list(product_ids)]]
    [line] = odoo_rpc(odoo, "sale.order.line", "search_read", [domain], options)
    return encode_id("Order", str(line["order_id"][0])), line["product_id"][0]


def test_an_order_of_a_product_not_for_sale_is_refused_at_acceptance(
    gateway, buyer, packaging, nothing_reaches_the_erp
):
    answer = place(gateway, buyer, [{"sku": packaging, "quantity": "1"}])
    assert errors_of(answer) == [("PRODUCT_NOT_SELLABLE", ["lines", "0", "sku"])]
    assert packaging in answer["userErrors"][0]["message"]


def test_the_line_at_fault_is_named_among_good_ones(
    gateway, buyer, line, packaging, archived, nothing_reaches_the_erp
):
    old = next(iter(archived.values()))
    lines = [*line, {"sku": packaging, "quantity": "2"}, *line, {"sku": old, "quantity": "1"}]
    answer = place(gateway, buyer, lines)
    assert errors_of(answer) == [
        ("PRODUCT_NOT_SELLABLE", ["lines", "1", "sku"]),
        ("PRODUCT_NOT_SELLABLE", ["lines", "3", "sku"]),
    ]


def test_a_reorder_of_an_archived_product_is_refused_and_the_product_says_so(
    gateway, odoo, archived, nothing_reaches_the_erp
):
    # Given a past order with a line of a product archived since
    order, product = an_order_with(odoo, archived)
    data = data_of(graphql(gateway, LINES_FOR_SALE, {"id": order}, token=STAFF))
    products = [line["product"] for line in data["order"]["lines"] if line["product"]]
    assert {"sku": archived[product], "forSale": False} in products
    # When it is ordered again, Then its line is refused at acceptance
    variables = {"input": {"orderId": order}}
    answer = data_of(graphql(gateway, REORDER, variables, token=STAFF))["reorder"]
    errors = errors_of(answer)
    refused = [error for error in answer["userErrors"] if archived[product] in error["message"]]
    assert [error["code"] for error in refused] == ["PRODUCT_NOT_SELLABLE"]
    assert refused[0]["field"][0::2] == ["lines", "sku"]
    assert {code for code, _ in errors} == {"PRODUCT_NOT_SELLABLE"}  # other archived ones


def test_a_return_of_an_archived_product_is_still_taken(gateway, odoo, archived):
    delivered = [["qty_delivered", ">", 0], ["product_id", "in", list(archived)]]
    options = {"fields": ["order_id", "product_id", "qty_delivered"], "limit": 1}
    lines = odoo_rpc(odoo, "sale.order.line", "search_read", [delivered], options)
    if not lines:
        pytest.skip("the seeded world delivered no product archived since")
    [line] = lines
    order = encode_id("Order", str(line["order_id"][0]))
    returned = [{"sku": archived[line["product_id"][0]], "quantity": "1"}]
    variables = {"input": {"orderId": order, "lines": returned}}
    answer = data_of(graphql(gateway, RETURN, variables, token=STAFF))["requestReturn"]
    assert answer["userErrors"] == []
    assert answer["receipt"]["status"] == "CONFIRMED"
