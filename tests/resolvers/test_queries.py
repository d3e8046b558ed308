"""Entry points, paging, global ids and input errors, over HTTP against the emulator."""

import base64

import pytest

from erp_backends.normalize.units import unit_name
from tests.harness import data_of, error_codes, graphql
from tests.resolvers.queries import ORDERS_PAGE, encode

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Customer { name }
    ... on Order { number }
    ... on Product { sku }
    ... on Invoice { number }
    ... on Payment { number }
  }
}
"""
CUSTOMER = "query C($id: ID!) { customer(id: $id) { id name } }"
ORDER = "query O($id: ID!) { order(id: $id) { id number } }"
INVOICE = "query I($id: ID!) { invoice(id: $id) { id number } }"
PRODUCT = """
query P($sku: String!) {
  product(sku: $sku) {
    id sku name salesUnit listPrice { amount currency }
    stock {
      onHand { value unit unitName } reserved { value } available { value }
      warehouses { warehouse { code } onHand { value } reserved { value } available { value } }
    }
  }
}
"""
PRODUCTS = """
query Ps($search: String, $first: Int!, $after: String) {
  products(search: $search, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id sku name stock { onHand { value } } }
  }
}
"""
CUSTOMERS = """
query Cs($search: String, $first: Int!) {
  customers(search: $search, first: $first) { totalCount nodes { id name email reference } }
}
"""
IDS_OF_EACH_TYPE = """
query Ids($id: ID!) {
  customer(id: $id) {
    id
    orders(first: 30) { nodes { id lines { product { id sku } }
                                invoices { id payments { id } } } }
  }
}
"""


def ids_of_each_type(gateway, customer_id):
    """Global ids of a customer, one of its paid orders, its product, invoice and payment."""
    customer = data_of(graphql(gateway, IDS_OF_EACH_TYPE, {"id": customer_id}))["customer"]
    order = next(
        o for o in customer["orders"]["nodes"] if o["invoices"] and o["invoices"][0]["payments"]
    )
    invoice = order["invoices"][0]
    return {
        "Customer": customer["id"],
        "Order": order["id"],
        "Product": order["lines"][0]["product"]["id"],
        "Invoice": invoice["id"],
        "Payment": invoice["payments"][0]["id"],
    }


def test_orders_page_forward_with_cursors(gateway, customer_id):
    first = data_of(graphql(gateway, ORDERS_PAGE, {"id": customer_id, "first": 25}))
    first_page = first["customer"]["orders"]
    after = first_page["pageInfo"]["endCursor"]
    second = data_of(
        graphql(gateway, ORDERS_PAGE, {"id": customer_id, "first": 25, "after": after})
    )
    second_page = second["customer"]["orders"]

    first_ids = [e["node"]["id"] for e in first_page["edges"]]
    second_ids = [e["node"]["id"] for e in second_page["edges"]]
    assert len(first_ids) == 25
    assert len(second_ids) == 25
    assert not set(first_ids) & set(second_ids)
    assert first_page["pageInfo"]["hasPreviousPage"] is False
    assert second_page["pageInfo"]["hasPreviousPage"] is True
    assert second_page["totalCount"] == first_page["totalCount"]
    # The last order of page one is older than (or as old as) the first of page two.
    assert (
        first_page["edges"][-1]["node"]["orderedAt"] >= second_page["edges"][0]["node"]["orderedAt"]
    )


def test_the_last_page_says_there_is_no_next(gateway, customer_id):
    total = data_of(graphql(gateway, ORDERS_PAGE, {"id": customer_id, "first": 0}))
    count = total["customer"]["orders"]["totalCount"]
    everything = data_of(graphql(gateway, ORDERS_PAGE, {"id": customer_id, "first": 100}))
    page = everything["customer"]["orders"]
    assert len(page["edges"]) == min(count, 100)
    assert page["pageInfo"]["hasNextPage"] is (count > 100)


def test_node_finds_every_type_by_its_global_id(gateway, customer_id):
    for type_name, global_id in ids_of_each_type(gateway, customer_id).items():
        node = data_of(graphql(gateway, NODE, {"id": global_id}))["node"]
        assert (node["__typename"], node["id"]) == (type_name, global_id)


def test_entry_points_by_id_answer_their_object(gateway, customer_id):
    ids = ids_of_each_type(gateway, customer_id)
    for query, type_name in ((CUSTOMER, "Customer"), (ORDER, "Order"), (INVOICE, "Invoice")):
        found = data_of(graphql(gateway, query, {"id": ids[type_name]}))
        assert next(iter(found.values()))["id"] == ids[type_name]


def test_a_product_by_sku_has_stock_per_warehouse(gateway):
    sku = data_of(graphql(gateway, PRODUCTS, {"first": 1}))["products"]["nodes"][0]["sku"]
    product = data_of(graphql(gateway, PRODUCT, {"sku": sku}))["product"]
    assert product["sku"] == sku
    on_hand = product["stock"]["onHand"]
    assert on_hand["unitName"] == unit_name(on_hand["unit"])  # looked up when asked for
    for row in product["stock"]["warehouses"]:
        assert float(row["available"]["value"]) == pytest.approx(
            float(row["onHand"]["value"]) - float(row["reserved"]["value"])
        )


def test_services_have_no_stock(gateway):
    products = data_of(graphql(gateway, PRODUCTS, {"first": 100, "search": None}))
    assert any(p["stock"] is None for p in products["products"]["nodes"]), (
        "the seeded catalogue should list services (no stock) among its products"
    )


def test_searches_find_customers_and_products(gateway, customer_id):
    customer = data_of(graphql(gateway, CUSTOMER, {"id": customer_id}))["customer"]
    word = customer["name"].split()[0]
    found = data_of(graphql(gateway, CUSTOMERS, {"search": word, "first": 50}))["customers"]
    assert customer_id in [c["id"] for c in found["nodes"]]
    for match in found["nodes"]:
        searchable = " ".join(filter(None, (match["name"], match["email"], match["reference"])))
        assert word.lower() in searchable.lower()
    everyone = data_of(graphql(gateway, CUSTOMERS, {"first": 1}))["customers"]["totalCount"]
    assert everyone >= 200
    assert found["totalCount"] < everyone

    catalogue = data_of(graphql(gateway, PRODUCTS, {"first": 1}))["products"]["totalCount"]
    sku = data_of(graphql(gateway, PRODUCTS, {"first": 1}))["products"]["nodes"][0]["sku"]
    by_sku = data_of(graphql(gateway, PRODUCTS, {"search": sku, "first": 10}))["products"]
    assert sku in [p["sku"] for p in by_sku["nodes"]]
    assert by_sku["totalCount"] < catalogue


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (CUSTOMER, {"id": encode("Customer", 999999)}),
        (ORDER, {"id": encode("Order", 999999)}),
        (INVOICE, {"id": encode("Invoice", 999999)}),
        (NODE, {"id": encode("Payment", 999999)}),
        (NODE, {"id": encode("Warehouse", 1)}),
        (CUSTOMER, {"id": encode("Customer", "not-a-number")}),
        # Not an id the gateway issues: it names nothing (see tests/security/test_canonical_ids.py).
        (CUSTOMER, {"id": "not base64!"}),
        (NODE, {"id": base64.b64encode(b"no-colon").decode()}),
        (PRODUCT, {"sku": "NO-SUCH-SKU"}),
    ],
)
def test_unknown_objects_are_null_with_not_found(gateway, query, variables):
    answer = graphql(gateway, query, variables)
    assert list(answer["data"].values()) == [None]
    assert error_codes(answer) == ["NOT_FOUND"]


@pytest.mark.parametrize(
    ("query", "variables", "message"),
    [
        (ORDER, {"id": encode("Customer", 1)}, "is the ID of a Customer, not of a Order"),
        (ORDERS_PAGE, {"id": encode("Customer", 1), "first": 101}, "first must be between 0"),
        (
            ORDERS_PAGE,
            {"id": encode("Customer", 1), "first": 5, "after": "bogus"},
            "is not a cursor from this list",
        ),
    ],
)
def test_malformed_input_is_bad_user_input(gateway, query, variables, message):
    answer = graphql(gateway, query, variables)
    assert error_codes(answer) == ["BAD_USER_INPUT"]
    assert message in answer["errors"][0]["message"]


def test_ids_are_opaque_strings(gateway, customer_id):
    assert ":" not in customer_id
    assert not customer_id.isdigit()


@pytest.mark.parametrize("field", ["customers", "products"])
def test_a_page_of_none_is_only_its_total(gateway, field):
    # A backend may read "limit 0" as "no limit" (Odoo does): the page must stay empty.
    answer = graphql(gateway, f"{{ {field}(first: 0) {{ totalCount nodes {{ id }} }} }}")
    page = data_of(answer)[field]
    assert page["nodes"] == []
    assert page["totalCount"] > 0
